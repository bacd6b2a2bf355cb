"""HTML rendering of an edition: the Jinja2 environment, its filters, and ``render_html``.

Templates are looked up first in the user's templates directory (if given),
then in the shipped defaults, so a user overrides any template -- including
the stylesheet -- by dropping a file of the same name into their own
directory. Autoescaping is on for HTML/XML templates and template strings;
undefined variables are errors, not blanks.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)
from markupsafe import Markup

from digest.errors import RenderError
from digest.model import Briefing

from .coverage import coverage_charts
from .readable import finalize, readable, sanitize_html

log = logging.getLogger(__name__)

UTC = dt.timezone.utc
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: Accepted ``page_size`` values (case-insensitive) -> CSS ``@page { size }`` value.
PAGE_SIZES = {"a4": "A4", "a5": "A5", "letter": "letter", "legal": "legal"}

#: Labels for event status badges; unknown statuses are shown capitalised.
STATUS_LABELS = {"new": "New", "developing": "Developing", "quiet": "Quiet"}


def default_templates_dir() -> Path:
    """The directory holding the shipped templates.

    In a wheel they live inside the package (``digest/templates/``); in a
    source checkout or editable install, at the repository's top-level
    ``templates/``. The package location wins when both exist.
    """
    package_root = Path(__file__).resolve().parent.parent
    for candidate in (package_root / "templates", package_root.parent / "templates"):
        if (candidate / "briefing.html").is_file():
            return candidate
    raise FileNotFoundError(
        f"digest's templates are missing: looked in {package_root / 'templates'} "
        f"and {package_root.parent / 'templates'}; reinstall the package"
    )


def _zone(name: str) -> dt.tzinfo:
    """The tzinfo for an IANA zone name, UTC (with a warning) if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown timezone %r; showing times in UTC", name)
        return UTC


def _local(value: dt.datetime, tz: str) -> dt.datetime:
    """``value`` in zone ``tz``; naive values are taken as UTC (the model's convention)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone(tz))


def long_date(value: dt.date | dt.datetime, tz: str | None = None) -> str:
    """'Friday 15 September 2023' (locale-independent); datetimes are first moved to ``tz``."""
    if isinstance(value, dt.datetime):
        value = _local(value, tz or "UTC").date()
    return f"{DAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


def iso(value: dt.date | dt.datetime | None) -> str:
    """ISO 8601: 'YYYY-MM-DD' for dates, with offset (to the second) for datetimes."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def time_tz(value: dt.datetime, tz: str) -> str:
    """'07:00 BST': the time of day in zone ``tz`` with the zone's abbreviation."""
    local = _local(value, tz)
    return f"{local:%H:%M} {local.tzname()}"


def datetime_tz(value: dt.datetime, tz: str) -> str:
    """'15 Sep 2023, 07:00 BST': a compact date and time in zone ``tz``."""
    local = _local(value, tz)
    return f"{local.day} {MONTHS[local.month - 1][:3]} {local.year}, {time_tz(value, tz)}"


def web_url(value: str | None) -> str | None:
    """``value`` if it is an http(s) URL safe for an href, else None (no javascript: links)."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def host(value: str | None) -> str:
    """The host of a URL without a leading 'www.', for printing next to a link."""
    hostname = urlsplit(value or "").hostname or ""
    return hostname.removeprefix("www.")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 outlet', '5 outlets'."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def make_environment(templates_dir: str | Path | None = None) -> Environment:
    """A Jinja2 environment over the user's templates dir (if any) then the defaults."""
    search = [Path(templates_dir)] if templates_dir is not None else []
    search.append(default_templates_dir())
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(p)) for p in search]),
        autoescape=select_autoescape(("html", "htm", "xml"), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters.update(
        long_date=long_date,
        iso=iso,
        time_tz=time_tz,
        datetime_tz=datetime_tz,
        web_url=web_url,
        host=host,
        plural=plural,
        readable=readable,
        safe_html=sanitize_html,
    )

    def stylesheet(name: str) -> Markup:
        """The text of stylesheet ``name`` (through the loader, so it can be overridden)
        made safe to sit inside a ``<style>`` element."""
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        return Markup(source.replace("</", "<\\/"))

    env.globals["stylesheet"] = stylesheet
    return env


def _page_size_css(page_size: str) -> str:
    """The CSS ``size`` value for a page-size name, or a ValueError naming the choices."""
    try:
        return PAGE_SIZES[page_size.strip().lower()]
    except KeyError:
        raise ValueError(
            f"unknown page size {page_size!r}; use one of: A4, A5, Letter, Legal"
        ) from None


def _check_citations(briefing: Briefing) -> dict[str, int]:
    """Source id -> citation number; a ValueError if an event cites an unknown source."""
    numbers = {source.id: n for n, source in enumerate(briefing.sources, start=1)}
    for event in briefing.events:
        cited = set(event.sources).union(*(fact.sources for fact in event.facts), event.summary_sources)
        missing = sorted(cited - numbers.keys())
        if missing:
            raise ValueError(
                f"event {event.id} cites sources not in the edition: {', '.join(missing)}"
            )
    return numbers


def briefing_context(briefing: Briefing, page_size: str = "A4") -> dict[str, Any]:
    """The variables the briefing template sees."""
    numbers = _check_citations(briefing)
    outlets = {s.outlet for s in briefing.sources} | {  # mastheads that carried a copy count too (issue 5)
        a.outlet for s in briefing.sources for a in s.appearances}
    return {
        "b": briefing,
        "tz": briefing.timezone,
        "lang": "en",
        "page_size": page_size.strip().lower(),
        "page_size_css": _page_size_css(page_size),
        "source_numbers": numbers,
        "outlet_count": len(outlets),
        "problem_feeds": [h for h in briefing.feed_health if h.status != "ok"],
        "ok_feed_count": sum(1 for h in briefing.feed_health if h.status == "ok"),
        "status_labels": STATUS_LABELS,
        "coverage": coverage_charts(briefing.events, briefing.sources, _zone(briefing.timezone)),
    }


def describe_template_error(exc: TemplateError) -> str:
    """One line naming the template file and line where ``exc`` happened, and what it was."""
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}: {exc.message}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith(".py")]
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{exc}"


def render_html(
    briefing: Briefing, templates_dir: str | Path | None = None, page_size: str = "A4"
) -> str:
    """The edition as one self-contained HTML document (also the PDF's source).

    ``templates_dir`` is the user's override directory; ``page_size`` is one of
    A4, A5, Letter, Legal and sets the printed page size. A broken template
    (syntax error, undefined variable, missing file) raises ``RenderError``
    naming the file and line.
    """
    env = make_environment(templates_dir)
    context = briefing_context(briefing, page_size)
    try:
        return env.get_template("briefing.html").render(context)
    except TemplateError as exc:
        raise RenderError(f"cannot render the briefing: {describe_template_error(exc)}") from exc

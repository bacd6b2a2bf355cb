"""feeds.yaml -> typed, validated configuration.

Every mistake becomes one :class:`~digest.errors.ConfigError` line of the form
``feeds.yaml:12: feeds[3].url: 'ftp://x' is not an http(s) URL; write ...``.
Relative paths are resolved against the directory of the config file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from digest._configparse import (
    Invalid,
    Path_,
    did_you_mean,
    load_yaml_with_lines,
    parse_bool,
    parse_cron,
    parse_duration,
    parse_int,
    parse_size,
    parse_str,
    parse_str_list,
    parse_timezone,
    parse_url,
)
from digest.errors import ConfigError


@dataclass(frozen=True)
class BriefingConfig:
    title: str = "Morning Briefing"
    timezone: str = "UTC"
    schedule: str = "0 7 * * *"
    window: dt.timedelta = dt.timedelta(hours=24)
    max_events: int = 12
    page_size: str = "A4"


@dataclass(frozen=True)
class PollConfig:
    every: dt.timedelta = dt.timedelta(minutes=30)
    timeout: dt.timedelta = dt.timedelta(seconds=20)
    concurrency: int = 10
    per_host: int = 2
    max_bytes: int = 10_000_000
    allow_private: tuple[str, ...] = ()  # hosts/IPs allowed although private, e.g. 127.0.0.1


@dataclass(frozen=True)
class FeedConfig:
    name: str
    url: str | None = None
    path: Path | None = None
    outlet: str | None = None
    line: int = 0  # where it is written in the config file, for messages


@dataclass(frozen=True)
class SiteConfig:
    dir: Path
    base_url: str | None = None


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    user_env: str | None = None
    password_env: str | None = None


@dataclass(frozen=True)
class EmailConfig:
    to: tuple[str, ...]
    sender: str
    smtp: SmtpConfig
    subject: str = "{title} — {date}"


@dataclass(frozen=True)
class ClusteringConfig:
    embeddings: bool = False  # the [embeddings] extra's sentence vectors join the TF-IDF signal


@dataclass(frozen=True)
class Config:
    path: Path
    briefing: BriefingConfig
    poll: PollConfig
    storage: str
    output: Path
    feeds: tuple[FeedConfig, ...]
    templates: Path | None = None
    site: SiteConfig | None = None
    email: EmailConfig | None = None
    clustering: ClusteringConfig = field(default_factory=ClusteringConfig)
    lines: dict[Path_, int] = field(default_factory=dict, compare=False, repr=False)

    def feed(self, name: str) -> FeedConfig | None:
        return next((f for f in self.feeds if f.name == name), None)


class _Reader:
    """Walks the parsed YAML with the line map, turning problems into ConfigError."""

    def __init__(self, path: Path, lines: dict[Path_, int]) -> None:
        self.path = path
        self.lines = lines
        self.base = path.resolve().parent

    def fail(self, key_path: Path_, problem: str, fix: str = "") -> ConfigError:
        line = self._line(key_path)
        where = _dotted(key_path)
        message = f"{self.path.name}:{line}: {where + ': ' if where else ''}{problem}"
        return ConfigError(f"{message}; {fix}" if fix else message)

    def _line(self, key_path: Path_) -> int:
        for cut in range(len(key_path), -1, -1):
            if key_path[:cut] in self.lines:
                return self.lines[key_path[:cut]]
        return 1

    def mapping(self, value: Any, key_path: Path_, allowed: dict[str, Any]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key_path, f"expected a block of settings, found {type(value).__name__}",
                            "indent the settings under it as 'key: value' lines")
        for key in value:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                known = ", ".join(sorted(allowed))
                raise self.fail(key_path + (key,), f"unknown key '{key}'",
                                hint or f"known keys here are: {known}")
        return value

    def value(self, block: dict[str, Any], key_path: Path_, key: str,
              parse: Callable[[Any], Any], default: Any) -> Any:
        if key not in block or block[key] is None:
            return default
        try:
            return parse(block[key])
        except Invalid as err:
            raise self.fail(key_path + (key,), err.problem, err.fix) from None

    def resolve(self, raw: str) -> Path:
        path = Path(os.path.expanduser(raw))
        return path if path.is_absolute() else (self.base / path)


def _dotted(key_path: Path_) -> str:
    out = ""
    for part in key_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_TOP = {"briefing", "poll", "storage", "output", "templates", "feeds", "site", "email", "clustering"}
_CLUSTERING = {"embeddings"}
_BRIEFING = {"title", "timezone", "schedule", "window", "max_events", "page_size"}
_POLL = {"every", "timeout", "concurrency", "per_host", "max_bytes", "allow_private"}
_FEED = {"name", "url", "path", "outlet"}
_SITE = {"dir", "base_url"}
_EMAIL = {"to", "from", "subject", "smtp"}
_SMTP = {"host", "port", "starttls", "ssl", "user_env", "password_env"}
_SECRET_KEYS = {"password", "user", "username", "pass", "secret", "token"}


def load_config(path: str | Path, *, output: Path | None = None, storage: str | None = None) -> Config:
    """Read and validate a config file. ``output``/``storage`` override the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file; pass --config PATH or create feeds.yaml") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot be read ({err}); save it as UTF-8 text") from None
    return parse_config(text, path, output=output, storage=storage)


def parse_config(text: str, path: Path, *, output: Path | None = None,
                 storage: str | None = None) -> Config:
    try:
        data, lines = load_yaml_with_lines(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"{path.name}:{line}: YAML syntax error: {problem}; "
                          "check indentation, colons and quotes on that line") from None
    except Invalid as err:
        reader = _Reader(path, {err.path: err.line})  # type: ignore[attr-defined]
        raise reader.fail(err.path, err.problem, err.fix) from None  # type: ignore[attr-defined]
    reader = _Reader(path, lines)
    if data is None:
        data = {}
    top = reader.mapping(data, (), {k: None for k in _TOP})
    out_dir = output if output is not None else reader.resolve(
        reader.value(top, (), "output", lambda v: parse_str(v, "a folder path"), "output"))
    return Config(
        path=path,
        briefing=_briefing(reader, top.get("briefing")),
        poll=_poll(reader, top.get("poll")),
        storage=storage or _storage(reader, top, out_dir),
        output=out_dir,
        feeds=_feeds(reader, top.get("feeds")),
        templates=_templates(reader, top),
        site=_site(reader, top.get("site")),
        email=_email(reader, top.get("email")),
        clustering=_clustering(reader, top.get("clustering")),
        lines=lines,
    )


def _briefing(reader: _Reader, raw: Any) -> BriefingConfig:
    kp: Path_ = ("briefing",)
    block = reader.mapping(raw, kp, {k: None for k in _BRIEFING})
    d = BriefingConfig()

    def page_size(v: Any) -> str:
        if v not in ("A4", "Letter"):
            raise Invalid(f"{v!r} is not a page size", "write A4 or Letter")
        return v

    return BriefingConfig(
        title=reader.value(block, kp, "title", lambda v: parse_str(v, "a title"), d.title),
        timezone=reader.value(block, kp, "timezone", parse_timezone, d.timezone),
        schedule=reader.value(block, kp, "schedule", parse_cron, d.schedule),
        window=reader.value(block, kp, "window", parse_duration, d.window),
        max_events=reader.value(block, kp, "max_events", lambda v: parse_int(v, 1, 200), d.max_events),
        page_size=reader.value(block, kp, "page_size", page_size, d.page_size),
    )


def _poll(reader: _Reader, raw: Any) -> PollConfig:
    kp: Path_ = ("poll",)
    block = reader.mapping(raw, kp, {k: None for k in _POLL})
    d = PollConfig()
    return PollConfig(
        every=reader.value(block, kp, "every", parse_duration, d.every),
        timeout=reader.value(block, kp, "timeout", parse_duration, d.timeout),
        concurrency=reader.value(block, kp, "concurrency", lambda v: parse_int(v, 1, 500), d.concurrency),
        per_host=reader.value(block, kp, "per_host", lambda v: parse_int(v, 1, 50), d.per_host),
        max_bytes=reader.value(block, kp, "max_bytes", parse_size, d.max_bytes),
        allow_private=reader.value(block, kp, "allow_private",
                                   lambda v: parse_str_list(v, "hosts", allow_empty=True), d.allow_private),
    )


def _storage(reader: _Reader, top: dict[str, Any], out_dir: Path) -> str:
    def parse(v: Any) -> str:
        url = parse_str(v, "a database URL")
        if url.startswith("sqlite:///"):
            rest = url[len("sqlite:///"):]
            if rest and rest != ":memory:" and not rest.startswith("/"):
                return "sqlite:///" + str(reader.resolve(rest))
            return url
        if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
            return url
        raise Invalid(f"'{url}' is not a supported database URL",
                      "write sqlite:///path/to/digest.db or postgresql://user@host/dbname")

    return reader.value(top, (), "storage", parse, f"sqlite:///{out_dir / 'digest.db'}")


def _templates(reader: _Reader, top: dict[str, Any]) -> Path | None:
    def parse(v: Any) -> Path:
        p = reader.resolve(parse_str(v, "a folder path"))
        if not p.is_dir():
            raise Invalid(f"templates folder '{v}' does not exist (looked in {p})",
                          "create it or remove the templates key to use the built-in templates")
        return p

    return reader.value(top, (), "templates", parse, None)


def _feeds(reader: _Reader, raw: Any) -> tuple[FeedConfig, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise reader.fail(("feeds",), "expected a list of feeds",
                          "write each feed as a '- name: ...' item under feeds:")
    feeds: list[FeedConfig] = []
    first_line: dict[str, int] = {}
    for index, item in enumerate(raw):
        feed = _feed(reader, item, ("feeds", index))
        if feed.name in first_line:
            raise reader.fail(("feeds", index, "name"),
                              f"duplicate feed name '{feed.name}' (also on line {first_line[feed.name]})",
                              "give every feed a different name")
        first_line[feed.name] = feed.line
        feeds.append(feed)
    return tuple(feeds)


def _feed(reader: _Reader, item: Any, kp: Path_) -> FeedConfig:
    if not isinstance(item, dict):
        raise reader.fail(kp, f"expected a feed with name and url or path, found {item!r}",
                          "write '- name: My feed' with 'url: https://...' or 'path: folder' below it")
    block = reader.mapping(item, kp, {k: None for k in _FEED})
    if "name" not in block:
        raise reader.fail(kp, "feed has no name", "add 'name: <a short unique name>'")
    name = reader.value(block, kp, "name", lambda v: parse_str(str(v) if isinstance(v, (int, float)) else v,
                                                              "a name"), None)
    has_url, has_path = block.get("url") is not None, block.get("path") is not None
    if has_url == has_path:
        problem = "has both url and path" if has_url else "has neither url nor path"
        raise reader.fail(kp, f"feed '{name}' {problem}",
                          "give exactly one: 'url: https://...' for a web feed or 'path: ...' "
                          "for a local feed file or folder of saved articles")

    def local(v: Any) -> Path:
        p = reader.resolve(parse_str(v, "a file or folder path"))
        if not p.exists():
            raise Invalid(f"path '{v}' does not exist (looked for {p})",
                          "fix the path; relative paths start from the folder of this config file")
        return p

    return FeedConfig(
        name=name,
        url=reader.value(block, kp, "url", parse_url, None),
        path=reader.value(block, kp, "path", local, None),
        outlet=reader.value(block, kp, "outlet", lambda v: parse_str(v, "an outlet name"), None),
        line=reader.lines.get(kp, 0),
    )


def _site(reader: _Reader, raw: Any) -> SiteConfig | None:
    if raw is None:
        return None
    kp: Path_ = ("site",)
    block = reader.mapping(raw, kp, {k: None for k in _SITE})
    site_dir = reader.value(block, kp, "dir", lambda v: reader.resolve(parse_str(v, "a folder path")),
                            reader.resolve("output/site"))
    base_url = reader.value(block, kp, "base_url", parse_url, None)
    return SiteConfig(dir=site_dir, base_url=base_url)


def _email(reader: _Reader, raw: Any) -> EmailConfig | None:
    if raw is None:
        return None
    kp: Path_ = ("email",)
    block = reader.mapping(raw, kp, {k: None for k in _EMAIL})
    for key in ("to", "from", "smtp"):
        if key not in block:
            raise reader.fail(kp, f"email needs '{key}'",
                              "write to: [you@example.org], from: digest@example.org and an smtp: block")
    smtp_kp = kp + ("smtp",)
    smtp_raw = block["smtp"] if isinstance(block["smtp"], dict) else {}
    for key in smtp_raw:
        if key in _SECRET_KEYS:
            raise reader.fail(smtp_kp + (key,), f"'{key}' must not be written in the config file",
                              "put it in an environment variable and write "
                              f"{'user' if key.startswith('user') else 'password'}_env: VARIABLE_NAME instead")
    smtp_block = reader.mapping(block["smtp"], smtp_kp, {k: None for k in _SMTP})
    if "host" not in smtp_block:
        raise reader.fail(smtp_kp, "smtp needs 'host'", "write host: smtp.example.org")
    ssl = reader.value(smtp_block, smtp_kp, "ssl", parse_bool, False)
    smtp = SmtpConfig(
        host=reader.value(smtp_block, smtp_kp, "host", lambda v: parse_str(v, "a host name"), None),
        port=reader.value(smtp_block, smtp_kp, "port", lambda v: parse_int(v, 1, 65535), 465 if ssl else 587),
        starttls=reader.value(smtp_block, smtp_kp, "starttls", parse_bool, not ssl),
        ssl=ssl,
        user_env=reader.value(smtp_block, smtp_kp, "user_env", lambda v: parse_str(v, "a variable name"), None),
        password_env=reader.value(smtp_block, smtp_kp, "password_env",
                                  lambda v: parse_str(v, "a variable name"), None),
    )
    return EmailConfig(
        to=reader.value(block, kp, "to", lambda v: parse_str_list(v, "addresses"), ()),
        sender=reader.value(block, kp, "from", lambda v: parse_str(v, "an address"), None),
        smtp=smtp,
        subject=reader.value(block, kp, "subject", lambda v: parse_str(v, "a subject"), EmailConfig.subject),
    )


def _clustering(reader: _Reader, raw: Any) -> ClusteringConfig:
    kp: Path_ = ("clustering",)
    block = reader.mapping(raw, kp, {k: None for k in _CLUSTERING})
    embeddings = reader.value(block, kp, "embeddings", parse_bool, False)
    if embeddings:
        from digest.analyze.embeddings import INSTALL_HINT, missing_extra

        problem = missing_extra()
        if problem:
            raise reader.fail(kp + ("embeddings",), problem, f"{INSTALL_HINT}, or write embeddings: false")
    return ClusteringConfig(embeddings=embeddings)

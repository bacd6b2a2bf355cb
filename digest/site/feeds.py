"""The site's Atom feed of editions (feedgen) and its sitemap."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from feedgen.feed import FeedGenerator

from digest.render.readable import strip_bidi_controls

from .load import Edition

UTC = dt.timezone.utc
FEED_ENTRIES = 30


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def atom_feed(editions: list[Edition], title: str, base_url: str | None,
              edition_path: dict[dt.date, str]) -> bytes:
    """Atom XML for the newest editions. Links are absolute with ``base_url``, else relative."""
    base = (base_url.rstrip("/") + "/") if base_url else ""
    fg = FeedGenerator()
    fg.id(base + "feed.atom" if base else f"urn:digest:{strip_bidi_controls(title)}")
    fg.title(title)
    fg.link(href=base + "feed.atom", rel="self")
    fg.link(href=base + "index.html", rel="alternate")
    fg.generator("digest")
    fg.language("en")
    newest = editions[-FEED_ENTRIES:]
    fg.updated(_aware(newest[-1].briefing.generated_at) if newest else dt.datetime(1970, 1, 1, tzinfo=UTC))
    for edition in newest:  # feedgen prepends, so oldest first gives newest at the top
        b = edition.briefing
        link = base + edition_path[b.date]
        entry = fg.add_entry()
        entry.id(link if base else f"urn:digest:edition:{b.date.isoformat()}")
        entry.title(strip_bidi_controls(f"{b.title} — {b.date.isoformat()} (No. {b.number})"))
        entry.link(href=link, rel="alternate")
        entry.updated(_aware(b.generated_at))
        entry.published(_aware(b.generated_at))
        headlines = "; ".join(strip_bidi_controls(e.title) for e in b.events)
        entry.summary(strip_bidi_controls(b.overview) + (f" — {headlines}" if headlines else ""))
        entry.author({"name": "digest"})
    return fg.atom_str(pretty=True)


def sitemap(base_url: str, paths: list[tuple[str, dt.date | None]]) -> bytes:
    """sitemaps.org XML for ``(relative path, last modified)`` pairs under ``base_url``."""
    base = base_url.rstrip("/") + "/"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, modified in paths:
        lastmod = f"<lastmod>{modified.isoformat()}</lastmod>" if modified else ""
        lines.append(f"  <url><loc>{escape(base + path)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


__all__ = ["atom_feed", "sitemap"]

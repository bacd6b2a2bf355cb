"""Rendering of an edition: HTML (Jinja2), PDF (WeasyPrint), briefing.json, and atomic publication.

Public API::

    render_html(briefing, templates_dir=None, page_size="A4") -> str
    render_pdf(html, base_dir) -> bytes
    briefing_to_json(briefing) -> dict
    briefing_from_json(d) -> Briefing
    publish_edition(out_root, briefing, *, templates_dir=None, page_size="A4") -> Path
    default_templates_dir() -> Path
"""

from __future__ import annotations

from .edition_json import briefing_from_json, briefing_to_json
from .html import default_templates_dir, make_environment, render_html
from .pdf import SafeURLFetcher, URLRefused, render_pdf
from .publish import publish_edition

__all__ = [
    "SafeURLFetcher",
    "URLRefused",
    "briefing_from_json",
    "briefing_to_json",
    "default_templates_dir",
    "make_environment",
    "publish_edition",
    "render_html",
    "render_pdf",
]

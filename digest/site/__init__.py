"""The static site: ``digest site build`` (see :mod:`digest.site.build`)."""

from __future__ import annotations

from .build import SiteReport, build_site, edition_path, event_path

__all__ = ["SiteReport", "build_site", "edition_path", "event_path"]

"""Fetching feeds and pages: the User-Agent every request sends."""

from digest import __version__

USER_AGENT = f"digest/{__version__} (+https://github.com/digest-news/digest)"

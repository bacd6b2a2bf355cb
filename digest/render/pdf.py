"""PDF rendering with WeasyPrint behind a locked-down URL fetcher.

The HTML we print contains text from the open web (titles, bylines, URLs).
Whatever it asks WeasyPrint to load -- ``<img src>``, ``url(...)`` in CSS,
``@import``, ``<link rel=attachment>`` -- goes through ``SafeURLFetcher``,
which serves only regular files inside the allowed directories (checked after
resolving ``..`` and symlinks) and ``data:`` URLs, and refuses the rest. A
refusal is an ordinary exception: WeasyPrint logs a warning, skips the
resource and keeps rendering. Nothing is ever fetched from the network.

Document metadata (title, author, description, creation date, language) comes
from the HTML ``<head>``; fonts are embedded (subset) by WeasyPrint.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse  # WeasyPrint >= 68


class URLRefused(ValueError):
    """A resource URL that the PDF renderer will not load."""


class SafeURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only files under ``roots`` and ``data:`` URLs."""

    def __init__(self, roots: Iterable[str | Path]) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
        self.roots = tuple(Path(root).resolve() for root in roots)

    def resolve_file_url(self, url: str) -> Path:
        """The local file a ``file:`` URL names, if it lies inside a root; else ``URLRefused``."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise URLRefused(f"refusing to fetch {url!r}: only template files may be loaded")
        if parts.netloc not in ("", "localhost"):
            raise URLRefused(f"refusing to fetch {url!r}: remote file host")
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)  # url2pathname unquotes
        except (OSError, RuntimeError) as exc:
            raise URLRefused(f"refusing to fetch {url!r}: {exc}") from None
        if not any(path.is_relative_to(root) for root in self.roots):
            raise URLRefused(f"refusing to fetch {url!r}: outside the templates directory")
        if not path.is_file():
            raise URLRefused(f"refusing to fetch {url!r}: not a regular file")
        return path

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Serve ``url`` if allowed; raise ``URLRefused`` otherwise (WeasyPrint logs and skips)."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        path = self.resolve_file_url(url)
        mime_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            path.as_uri(),
            path.read_bytes(),
            headers={"Content-Type": mime_type or "application/octet-stream"},
        )


def render_pdf(html: str, base_dir: str | Path, *, extra_dirs: Iterable[str | Path] = ()) -> bytes:
    """The PDF bytes of ``html``.

    Relative URLs resolve against ``base_dir`` (the templates directory);
    only files inside ``base_dir`` and ``extra_dirs`` can be loaded.
    """
    base = Path(base_dir).resolve()
    fetcher = SafeURLFetcher([base, *extra_dirs])
    document = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf()
    if pdf is None:  # only happens when a target is given
        raise RuntimeError("WeasyPrint returned no PDF bytes")
    return pdf

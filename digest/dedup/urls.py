"""Canonical URLs: one address per article however it was linked.

Tracking parameters, fragments, AMP variants and ``www.``/scheme/trailing
slash differences are removed; a page's own ``<link rel=canonical>`` wins
when it is present and usable.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that only say who clicked where; they never change the article.
TRACKING = re.compile(
    r"^(utm_\w*|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|igshid|igsh|mc_cid|mc_eid"
    r"|_ga|_gl|_hsenc|_hsmi|mkt_tok|ref|ref_src|ref_url|cmpid|ocid|smid|smtyp|s_cid"
    r"|at_\w+|ns_\w+|sr_share|spm|taid|ito|guccounter|guce_\w+|itm_\w+|xtor"
    r"|outputtype|amp|__twitter_impression|fb_\w+|action_\w+|soc_src|soc_trk|wt\.\w+)$",
    re.I)
_AMP_CACHE = re.compile(r"^[\w-]+\.cdn\.ampproject\.org$", re.I)


def _strip_amp_path(path: str) -> str:
    path = re.sub(r"/amp/?$", "/", path)
    path = re.sub(r"/amp/", "/", path)
    path = re.sub(r"\.amp(\.html?)?$", r"\1", path)
    path = re.sub(r"[-_]amp(\.html?)$", r"\1", path)
    return path


def _unwrap_amp_cache(url: str) -> str:
    """https://www-x-com.cdn.ampproject.org/c/s/www.x.com/a -> https://www.x.com/a"""
    parts = urlsplit(url)
    if not _AMP_CACHE.match(parts.hostname or ""):
        return url
    match = re.match(r"^/[a-z]/(s/)?(.+)$", parts.path)
    if not match:
        return url
    return ("https://" if match.group(1) else "http://") + match.group(2) + (f"?{parts.query}" if parts.query else "")


def normalize_url(url: str | None) -> str | None:
    """The canonical form of a URL (scheme kept), or None for something that is not a web address."""
    if not url or not url.strip():
        return None
    url = _unwrap_amp_cache(url.strip())
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    host = re.sub(r"^(www\d?|amp|m|mobile)\.", "", host)
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = _strip_amp_path(re.sub(r"/{2,}", "/", unquote(parts.path) or "/"))
    path = re.sub(r"/(index\.html?)?$", "", path) or ""
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)]
    return urlunsplit((parts.scheme.lower(), host + port, path or "/", urlencode(sorted(query)), ""))


def clean_url(url: str | None) -> str | None:
    """A URL fit to show and follow: AMP-cache wrapper, tracking parameters and fragment removed.

    Host, scheme and path stay as published (some sites only answer on ``www.``);
    :func:`normalize_url` / :func:`url_key` are for comparing.
    """
    if not url or not url.strip():
        return None
    parts = urlsplit(_unwrap_amp_cache(url.strip()))
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    query = "" if not parts.query else urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def canonical_url(url: str | None, canonical: str | None = None) -> str | None:
    """The article's address: the page's rel=canonical (resolved against ``url``) when usable, else ``url``."""
    if canonical and canonical.strip():
        chosen = clean_url(urljoin(url or "", canonical.strip()))
        if chosen:
            return chosen
    return clean_url(url)


def url_key(url: str | None) -> str | None:
    """A comparison key: the canonical URL without its scheme (http and https are the same page)."""
    normal = normalize_url(url)
    return normal.split("://", 1)[1] if normal else None

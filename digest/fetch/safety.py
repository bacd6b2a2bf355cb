"""Defences for fetched content: entity bombs, private addresses, honest decoding.

* :func:`xml_refusal` rejects, before any XML parser sees it, a document that
  declares entities in an internal DTD subset (billion laughs, external
  entities); a plain ``<!DOCTYPE rss PUBLIC ...>`` is fine.
* :func:`address_refusal` says why an address must not be fetched for an
  article page (loopback, private, link-local...) unless the config allows it.
* :func:`decode_text` picks a charset from the headers, a BOM, the XML prolog
  or ``<meta charset>``, checking each against the bytes before trusting it.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
from collections.abc import Iterable, Mapping

_PROLOG_SCAN = 64 * 1024  # the DTD sits before the root element; look no further than this
# an entity declaration, or a DOCTYPE with an internal subset; both start with "<!"
_DECLARATION = re.compile(rb"<!(?:ENTITY|DOCTYPE[^>\[]*\[)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def xml_refusal(body: bytes) -> str | None:
    """Why this feed document is refused unread, or None when it may be parsed."""
    head = body[:_PROLOG_SCAN]
    if _declares_entities(head):
        return ("feed declares its own XML entities (<!DOCTYPE ... [<!ENTITY ...>]>); refused unparsed as a "
                "possible entity-expansion attack (billion laughs); ask the publisher for a plain feed")
    return None


def _declares_entities(head: bytes) -> bool:
    """``_DECLARATION.search(head)``, tried only after a "<!" (found by looking for "!", which
    memchr finds at C speed: "<" is everywhere in a feed, "!" rarely)."""
    bang = head.find(b"!")
    while bang != -1:
        if bang and head[bang - 1] == 0x3C and _DECLARATION.match(head, bang - 1):  # 0x3C: "<"
            return True
        bang = head.find(b"!", bang + 1)
    return False


def _networks(allowed: Iterable[str]) -> tuple[set[str], list[ipaddress._BaseNetwork]]:
    names, nets = set(), []
    for item in allowed:
        try:
            nets.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            names.add(item.strip().lower().rstrip("."))
    return names, nets


def address_refusal(host: str, addresses: Iterable[str], allowed: Iterable[str]) -> str | None:
    """Why ``host`` (resolved to ``addresses``) must not be fetched, or None when it may."""
    names, nets = _networks(allowed)
    if host.lower().rstrip(".") in names:
        return None
    for text in addresses:
        try:
            ip = ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            return f"{host} resolved to an unreadable address {text!r}"
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if any(ip in net for net in nets):
            continue
        kind = next((k for k, bad in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                                      ("private", ip.is_private), ("multicast", ip.is_multicast),
                                      ("reserved", ip.is_reserved or ip.is_unspecified)) if bad), None)
        if kind:
            return (f"{host} resolves to the {kind} address {ip}; refused (add it to poll: allow_private "
                    "in feeds.yaml if this is intended)")
    return None


def _usable(name: bytes | str | None) -> str | None:
    if not name:
        return None
    text = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(text.strip().strip('"\'')).name
    except LookupError:
        return None


def header_charset(headers: Mapping[str, str]) -> str | None:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return _usable(value)
    return None


def _bom(body: bytes) -> str | None:
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return name
    return None


def decode_text(body: bytes, headers: Mapping[str, str]) -> tuple[str, str]:
    """Decode a page or feed: (text, charset used). Never raises.

    A declared charset is used only when the bytes decode cleanly with it, so a
    server that lies (says UTF-8, sends Latin-1, or the reverse) does not
    garble the text; undeclared bytes are sniffed (charset_normalizer).
    """
    head = body[:4096]
    prolog = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    # bytes that are valid UTF-8 are almost never meant as anything else, whatever the label says
    candidates = [_bom(body), "utf-8", header_charset(headers), _usable(prolog.group(1)) if prolog else None]
    for name in dict.fromkeys(c for c in candidates if c):
        try:
            return body.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        from charset_normalizer import from_bytes

        matches = list(from_bytes(body[:200_000]))
        if matches:
            least_chaos = min(m.chaos for m in matches)
            tied = [m.encoding for m in matches if m.chaos == least_chaos]
            name = "cp1252" if "cp1252" in tied else tied[0]  # the web's default wins a tie
            return body.decode(name, errors="replace"), name
    except ImportError:  # pragma: no cover - installed with trafilatura
        pass
    return body.decode("cp1252", errors="replace"), "cp1252"


__all__ = ["address_refusal", "decode_text", "header_charset", "xml_refusal"]

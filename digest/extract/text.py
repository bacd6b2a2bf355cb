"""Plain-text articles (saved pages, feed fragments) -> clean body + metadata.

The steps run in reading order: repair the encoding, take a leading ``date``
marker, drop the paywall meter, take the headline and the byline/date line,
drop an image label under the headline, cut the furniture after the article
(comments, newsletter and donation blocks, footers), then sort what remains
into body paragraphs, photo captions and wire credits.
"""

from __future__ import annotations

import datetime as dt
import re

import ftfy

from digest.asciitext import CONTROL, ascii_free_of
from digest.extract import patterns as P
from digest.model import Extracted

UTC = dt.timezone.utc
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, normalization="NFC")
_TERMINAL = ".!?:;…\"”’)"
# In ASCII text only these give ftfy anything to fix (entities, CR line breaks, control characters).
_ASCII_FIXABLE = re.compile(r"[&\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_FIXABLE_BYTES = b"&" + CONTROL.replace(b"\t", b"").replace(b"\n", b"")  # the same characters
_LINE_SPACES = re.compile(r"[ \t]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\ufeff]")
_LOST_DASH = re.compile(r"(?<=\d)\?(?=\d)")
_LOST_QUOTE = re.compile(r"\?(?=[.,;:])")


def repair(raw: str) -> str:
    """Fix mojibake and the usual damage of copy-pasted text.

    Clean ASCII text (most feed text) skips ftfy, which could change nothing
    in it; the result is the same, at a fraction of the cost.
    """
    text = raw if ascii_without_fixable(raw) else _ftfy_repair(raw)
    if "?" in text:
        text = _LOST_DASH.sub("–", text)  # "1950?53": a dash lost in transit
        text = _LOST_QUOTE.sub("", text)  # "matters?.": a quote mark lost before punctuation
    return text


def ascii_without_fixable(text: str) -> bool:
    """``text.isascii() and not _ASCII_FIXABLE.search(text)``, at C speed."""
    return ascii_free_of(text, _ASCII_FIXABLE_BYTES)


def _ftfy_repair(raw: str) -> str:
    text = ftfy.fix_text(raw, config=_FTFY)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return _ZERO_WIDTH.sub("", text)


def paragraphs(text: str) -> list[str]:
    """Split into paragraphs: blank-line blocks, or one per line when not hard-wrapped."""
    if "\n" not in text:  # one line: one paragraph (what the general rule below gives)
        return [(_LINE_SPACES.sub(" ", text) if "  " in text or "\t" in text else text).strip()] if text.strip() else []
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    lines = [ln for ln in text.split("\n") if ln.strip()]
    multi_line_blocks = sum(1 for b in blocks if b.strip().count("\n") >= 2)
    hard_wrapped = (lines and multi_line_blocks >= max(1, len(blocks) // 2)
                    and sum(len(ln) <= 80 for ln in lines) >= 0.8 * len(lines))
    if hard_wrapped:
        return [re.sub(r"\s*\n\s*", " ", b).strip() for b in blocks]
    return [(_LINE_SPACES.sub(" ", ln) if "  " in ln or "\t" in ln else ln).strip() for ln in lines]


def _words(line: str, limit: int) -> int:
    """How many words ``line`` has, or ``limit + 1`` when it has more (the rest is not split)."""
    return len(line.split(None, limit))


def _is_headline(line: str) -> bool:
    return 2 <= _words(line, 25) <= 25 and line.rstrip()[-1] not in ".!:;…,"


def _parse_written_date(text: str) -> dt.datetime | None:
    cleaned = re.sub(r"[.,]", " ", text)
    cleaned = re.sub(r"\bSept\b", "Sep", cleaned)
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(" ".join(cleaned.split()), fmt)
        except ValueError:
            continue
        return dt.datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return None


def agency_name(text: str) -> str | None:
    """Normalise a credit ('AP News', 'The Associated Press', 'AFP') to the agency's name."""
    key = re.sub(r"\s+", " ", text.strip().strip(".").lower())
    return P.AGENCIES.get(key)


def _take_head(paras: list[str]) -> tuple[str | None, str | None, dt.datetime | None, list[str], list[str]]:
    """Headline, byline, date line and an image label at the top of the text."""
    removed: list[str] = []
    title = byline = None
    published = None
    index = 0
    if len(paras) > 1 and _is_headline(paras[0]) and not P.NAME_AND_DATE.match(paras[0]):
        title, index = paras[0], 1
    while index < len(paras) and index <= 3:
        line = paras[index]
        name_date = P.NAME_AND_DATE.match(line)
        by = P.BYLINE_BY.match(line)
        if name_date and _words(line, 12) <= 12:
            published = _parse_written_date(name_date.group("date")) or published
            byline = (name_date.group("names") or "").strip() or byline
        elif by and _words(line, 16) <= 16:
            byline = by.group("names").strip()
        elif title and _words(line, 6) <= 6 and line[-1] not in _TERMINAL and index + 1 < len(paras):
            removed.append("image-label")  # alt text / photo label under the headline
        else:
            break
        index += 1
    return title, byline, published, paras[index:], removed


def _copyright(line: str) -> bool:
    """``P.COPYRIGHT.search``, skipping the whole-line scan when "reserved" cannot be there."""
    if P.COPYRIGHT.match(line):
        return True
    low = line.lower()
    return ("reserved" in low or "ſ" in low) and P.COPYRIGHT.search(line) is not None  # ſ: re.I matches it as s


def _caption(para: str) -> bool:
    """``P.CAPTION.search``: its unanchored parts need a closing ")" at the end or "photo" somewhere."""
    if P.CAPTION.match(para):
        return True
    return ((para.rstrip().endswith(")") or "photo" in para.lower())
            and P.CAPTION.search(para) is not None)


def _cut_index(paras: list[str]) -> int | None:
    earliest = min(3, len(paras) // 2)
    for index in range(earliest, len(paras)):
        line = paras[index]
        if P.END_MARKERS.match(line) or P.SUPPORT_HEADER.match(line):
            return index
        if _copyright(line) and _words(line, 40) <= 40:
            return index
    return None


def _credits_in(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        for match in P.COPYRIGHT_HOLDER.finditer(line):
            agency = agency_name(match.group("holder"))
            if agency:
                found.append(agency)
    return found


def _classify(paras: list[str]) -> tuple[list[str], list[str], list[str], str | None, list[str]]:
    """Split paragraphs into body, captions, credits, credited journalists, removed kinds."""
    body: list[str] = []
    captions: list[str] = []
    credits: list[str] = []
    removed: list[str] = []
    journalists = None
    for para in paras:
        credit = P.CREDIT_LINE.match(para)
        contributed = P.CONTRIBUTED.match(para) or P.REPORTING.match(para)
        if P.DROP_LINES.match(para) or (_words(para, 20) <= 20 and P.PAYWALL.search(para)):
            removed.append("furniture")
        elif credit and agency_name(credit.group("agency")):
            credits.append(agency_name(credit.group("agency")) or "")
            journalists = credit.group("names").strip()
        elif contributed:
            agency = agency_name(contributed.groupdict().get("agency") or "")
            if agency:
                credits.append(agency)
            removed.append("contributors")
        elif _caption(para) and _words(para, 80) <= 80:
            captions.append(para)
        else:
            dateline = P.DATELINE_AGENCY.match(para) if not body else None
            if dateline:
                credits.append(agency_name(dateline.group("agency")) or dateline.group("agency"))
            body.append(para)
    return body, captions, credits, journalists, removed


def names(text: str) -> list[str]:
    """People named in a credit: 'Jim Heintz in Tallinn, Estonia, Aamer Madhani and Matthew Lee in Washington'."""
    out = []
    for fragment in re.split(r",|;|\band\b|\s&\s", text):
        fragment = re.sub(r"\s+\b(?:in|from|at)\b\s.*$", "", fragment.strip())
        fragment = re.sub(r"^(?:editing|reporting|writing|additional reporting)\s+by\s+", "", fragment, flags=re.I)
        tokens = fragment.split()
        if 2 <= len(tokens) <= 4 and all(t[:1].isupper() for t in tokens):
            out.append(" ".join(tokens))
    return list(dict.fromkeys(out))


def journalists_in(paras: list[str]) -> list[str]:
    """Reporters credited in credit lines ('– X and Y, AP News', '... contributed', 'Reporting by ...')."""
    found: list[str] = []
    for para in paras:
        credit = P.CREDIT_LINE.match(para)
        if credit and agency_name(credit.group("agency")):
            found += names(credit.group("names"))
            continue
        contributed = P.CONTRIBUTED.match(para)
        if contributed:
            body = re.sub(r"\bcontributed\b.*$", "", para[contributed.end("agency"):], flags=re.I)
            found += names(re.sub(r"^\s*(?:writers?|journalists?|reporters?|correspondents?)\s+", "", body))
            continue
        reporting = P.REPORTING.match(para)
        if reporting:
            found += names(re.split(r";\s*editing by", reporting.group("names"), flags=re.I)[0])
    return list(dict.fromkeys(found))


def _unshout_lead(para: str) -> str:
    """'NORTH KOREAN Supreme Leader ...' -> 'North Korean Supreme Leader ...' (drop-cap lead-ins)."""
    match = re.match(r"^((?:[A-Z][A-Z'’-]+\s+){1,4}[A-Z][A-Z'’-]+)(?=\s+[A-Z]?[a-z])", para)
    if not match or max(len(w) for w in match.group(1).split()) < 4:
        return para
    return " ".join(w.capitalize() for w in match.group(1).split()) + para[match.end():]


_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z“\"])")


def derive_title(body: list[str], max_words: int = 14) -> str | None:
    """A headline made from the lead sentence, for articles saved without one."""
    if not body:
        return None
    end = _SENTENCE_END.search(body[0])
    first = (body[0][:end.start() + 1] if end else body[0]).rstrip(".")
    words = first.split()
    return " ".join(words) if len(words) <= max_words else " ".join(words[:max_words]) + "…"


def clean_text(raw: str, *, detect_head: bool = True) -> Extracted:
    """Clean a plain-text article. Pure; see the module docstring for the steps.

    ``detect_head=False`` is for text known to start with the body (feed
    content), where a short first line is a subheading, not a headline.
    """
    text = repair(raw)
    marker = P.DATE_MARKER.match(text)
    published = None
    if marker:
        published = _parse_written_date(marker.group("date"))
        text = text[marker.end():]
    if "©" in text or "(c)" in text:  # what GLUED_COPYRIGHT needs, tested cheaply first
        text = P.GLUED_COPYRIGHT.sub("\n\n", text)
    paras = paragraphs(text)
    removed: list[str] = []
    while paras and _words(paras[0], 20) <= 20 and P.PAYWALL.search(paras[0]):  # cheap test first
        paras.pop(0)
        removed.append("paywall")
    title, byline, head_date, head_removed = None, None, None, []
    if detect_head:
        title, byline, head_date, paras, head_removed = _take_head(paras)
    removed += head_removed
    published = published or head_date
    cut = _cut_index(paras)
    tail_credits: list[str] = []
    if cut is not None:
        tail_credits = _credits_in(paras[cut:cut + 3])
        removed.append(f"tail:{len(paras) - cut}")
        paras = paras[:cut]
    reporters = journalists_in(paras)
    body, captions, credits, journalists, kinds = _classify(paras)
    removed += kinds
    if body:
        body[0] = _unshout_lead(body[0])
    derived = title is None
    return Extracted(
        text="\n\n".join(body),
        title=title or (derive_title(body) if detect_head else None),  # feed content: no headline
        title_derived=derived,
        byline=byline or journalists,
        published=published,
        credits=tuple(dict.fromkeys(credits + tail_credits)),
        captions=tuple(captions),
        removed=tuple(removed),
        journalists=tuple(reporters),
    )

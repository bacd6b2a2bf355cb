"""The cheap paths taken for clean feed text give exactly what the full paths give.

Feed entries are mostly clean ASCII or markup-free text; repair() skips ftfy,
fragment_to_text() skips the HTML parser and the cleaners skip regex scans
that cannot match. Each shortcut is checked here against the full path on
varied input (including the characters that disable it), and feed links are
checked to be resolved against the feed's address without feedparser's help.
The entity-declaration check on fetched feeds is held to its two pattern searches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import random
import re

import pytest

from digest.asciitext import CONTROL, ascii_free_of
from digest.config import FeedConfig
from digest.extract import patterns as P
from digest.extract.html import _markup_free, _tree_text, fragment_to_text
from digest.extract.text import (_caption, _copyright, _ftfy_repair, _words, ascii_without_fixable, clean_text,
                                 derive_title, paragraphs, repair)
from digest.fetch.parse import FeedParseError, parse_feed, plain_text
from digest.fetch.poller import extract_with_pages, parse_and_extract, word_count
from digest.fetch.safety import _declares_entities
from digest.ingest import content_hash

PIECES = ["word", "Word", " ", "  ", "\n", "\n\n", "\t", ".", "!", "?", ",", ";", ":", "(", ")", "©", "(c) 2021 ",
          "&amp;", "&", "<", ">", "\r", "\r\n", "\x0b", "\x0c", "\x01", "\u00a0", "\u200b", "“", "”", "é", "ſ", "–",
          "1950?53", "??.", "Photo: Jane Roe", "(AP Photo/Evan Vucci)", "via AP)", "All Rights Reserved",
          "Copyright 2020 Thomson Reuters", "In this photo ", "Ã©tÃ©", "WASHINGTON (Reuters) - ", "_", "İ"]


def samples(count: int, seed: int, pieces: list[str] = PIECES) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(count)]


def test_repair_shortcut_equals_ftfy_path():
    for text in samples(1500, 1):
        expected = _ftfy_repair(text)
        if "?" in expected:
            expected = re.sub(r"\?(?=[.,;:])", "", re.sub(r"(?<=\d)\?(?=\d)", "–", expected))
        assert repair(text) == expected, repr(text)


def test_markup_free_fragments_skip_the_parser_with_the_same_text():
    markup_free = [p for p in PIECES if not re.search(r"[<&\r\x00-\x08\x0b\x0c\x0e-\x1f]", p)]
    checked = 0
    for text in samples(800, 2, markup_free):
        if text.strip():
            assert fragment_to_text(text) == _tree_text(text), repr(text)
            checked += 1
    assert checked > 700


def test_fragments_with_markup_still_lose_tags_scripts_and_entities():
    text, _ = fragment_to_text("<p>Fish &amp; chips</p><script>alert(1)</script><style>p{}</style><p>2 &lt; 3</p>")
    assert text == "Fish & chips\n\n2 < 3"


def test_guarded_pattern_checks_agree_with_the_plain_searches():
    for text in samples(3000, 3):
        assert _caption(text) == bool(P.CAPTION.search(text)), repr(text)
        assert _copyright(text) == bool(P.COPYRIGHT.search(text)), repr(text)


def test_derive_title_and_paragraphs_and_hash_agree_with_the_regex_forms():
    for text in samples(1500, 4):
        old_first = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", text, maxsplit=1)[0].rstrip(".")
        words = old_first.split()
        expected = " ".join(words) if len(words) <= 14 else " ".join(words[:14]) + "…"
        assert derive_title([text]) == expected, repr(text)
        old_paras = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.split("\n") if ln.strip()]
        if not any(b.strip().count("\n") >= 2 for b in re.split(r"\n\s*\n", text)):
            assert paragraphs(text) == old_paras, repr(text)
        normal = re.sub(r"[\W_]+", " ", text.lower()).strip()
        assert content_hash(text) == hashlib.sha256(normal.encode()).hexdigest(), repr(text)
        old_plain = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).strip()
        assert plain_text(text) == (old_plain or None), repr(text)


FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title><link>/news/</link>
<item><title>Rel</title><link>story-1.html</link><guid isPermaLink="false">s1</guid>
<description>&lt;p&gt;Fish &amp;amp; chips&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
<item><title>Abs</title><link>https://other.example/a</link><description>Plain text.</description></item>
<item><title>Bad</title><link>javascript:alert(1)</link><description>Plain text two.</description></item>
</channel></rss>"""


def test_links_resolved_against_the_feed_address_and_unsafe_schemes_dropped():
    feed = parse_feed(FEED, {"Content-Type": "application/rss+xml"}, "https://site.example/feeds/main.xml")
    assert feed.link == "https://site.example/news/"
    rel, absolute, bad = feed.entries
    assert rel.link == "https://site.example/feeds/story-1.html"
    assert rel.key == "https://site.example/news/#s1"  # a non-URI guid is scoped by the site link
    assert absolute.link == absolute.key == "https://other.example/a"
    assert not bad.link


def test_entry_text_from_feed_html_is_clean():
    now = dt.datetime(2026, 12, 2, tzinfo=dt.timezone.utc)
    parsed = parse_and_extract(FEED, {}, "https://site.example/feeds/main.xml",
                               FeedConfig(name="t", url="https://site.example/feeds/main.xml"), now)
    assert len(parsed.pending) == 2 and len(parsed.articles) == 1  # short entries with web links wait for pages
    more, empty = extract_with_pages([(d, None, None) for d in parsed.pending], now)  # pages unavailable
    articles = {a.title: a.text for a in parsed.articles + more}
    assert empty == 0 and articles["Rel"] == "Fish & chips" and articles["Abs"] == "Plain text."
    assert articles["Bad"] == "Plain text two."


@pytest.mark.parametrize("text", ["", " ", "\n\n", "word"])
def test_trivial_fragments(text):
    assert fragment_to_text(text) == (_tree_text(text) if text.strip() else ("", []))


HOSTILE = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Feed &lt;b&gt;bold&lt;/b&gt; &amp; co</title><link>http://h.example/</link>
<item><title>T1 &lt;script&gt;alert(1)&lt;/script&gt;x</title><link>http://h.example/a</link>
<description><![CDATA[<p onclick="x()">Hi <script>evil()</script><a href="javascript:bad()">l</a> &amp; <style>p{}</style>
<iframe src="x"></iframe>done</p>]]></description>
<content:encoded><![CDATA[<div><img src="http://h.example/x.png" onerror="alert(1)"> <section>Sec</section> end</div>]]>
</content:encoded></item>
<item><title>Plain &amp; simple</title><link>http://h.example/b</link><description>  just text  \r\n more </description></item>
<item><title>Ent &#39; &#34;</title><link>http://h.example/c</link><description>a &lt;!foo&gt; b &lt;br/&gt; c</description></item>
</channel></rss>"""


def test_sanitising_only_where_needed_matches_feedparsers_own():
    import feedparser

    ours = parse_feed(HOSTILE, {"Content-Type": "application/rss+xml"}, "http://h.example/feed")
    theirs = feedparser.parse(HOSTILE, response_headers={"content-type": "application/rss+xml"},
                              sanitize_html=True, resolve_relative_uris=False)
    assert ours.title == plain_text(theirs.feed.title) == "Feed bold & co"
    for entry, raw in zip(ours.entries, theirs.entries, strict=True):
        assert entry.title == plain_text(raw.title)
        assert entry.summary == raw.summary
        assert entry.content == (raw.content[0].value if "content" in raw else None)
    first = ours.entries[0]
    assert "<" not in first.title  # an escaped tag in a text title is text; plain_text drops the tag itself
    assert "evil" not in first.summary and "javascript" not in first.summary and "onclick" not in first.summary
    assert "onerror" not in first.content


def test_string_tests_agree_with_the_character_class_searches():
    ascii_pieces = [p for p in PIECES if p.isascii()] + ["\x00", "\x1f", "\x7f", "\x0e", "\t\t", "<b>"]
    for text in samples(3000, 5) + samples(3000, 6, ascii_pieces):
        expected = text.isascii() and not re.search(r"[&\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
        assert ascii_without_fixable(text) == bool(expected), repr(text)
        not_plain = r"[<&\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]"
        assert _markup_free(text) == (not re.search(not_plain, text)), repr(text)


def test_bounded_word_counts_agree_with_full_counts():
    for text in samples(2000, 7):
        words = len(text.split())
        for limit in (0, 1, 2, 6, 20, 25):
            assert (_words(text, limit) <= limit) == (words <= limit), (repr(text), limit)


def test_one_line_paragraphs_and_the_fragment_title():
    for text in samples(2000, 8):
        line = text.replace("\n", " ")
        blocks = [b for b in re.split(r"\n\s*\n", line) if b.strip()]
        assert paragraphs(line) == [re.sub(r"[ \t]+", " ", b).strip() for b in blocks], repr(line)
    assert clean_text("Lead sentence here. More text follows.", detect_head=False).title is None
    assert clean_text("Lead sentence here. More text follows.").title == "Lead sentence here"


def test_entity_declaration_check_agrees_with_the_pattern_searches():
    entity, doctype = re.compile(rb"<!ENTITY", re.I), re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)
    pieces = [b"<!", b"<!ENTITY", b"<!entity", b"<!DOCTYPE", b"<!doctype rss", b"[", b">", b"<![CDATA[x]]>", b"a",
              b" ", b"<", b"!", b"!!", b"ENTITY", b"DOCTYPE", "é".encode()]
    rng = random.Random(9)
    for _ in range(20000):
        head = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert _declares_entities(head) == bool(entity.search(head) or doctype.search(head)), head


def test_feed_bytes_are_never_taken_for_a_file_name(tmp_path):
    local = tmp_path / "local.xml"
    local.write_bytes(FEED)
    with pytest.raises(FeedParseError):
        parse_feed(str(local).encode(), {}, "https://site.example/feed.xml")


def test_plain_text_shortcut_for_text_that_is_already_plain():
    ascii_pieces = [p for p in PIECES if p.isascii()] + ["a b", " ", "x"]
    for text in samples(3000, 10, ascii_pieces) + samples(1000, 11):
        old_plain = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).strip()
        assert plain_text(text) == (old_plain or None), repr(text)


def test_word_count_by_spaces_agrees_with_splitting():
    pieces = [p for p in PIECES if p.isascii()] + ["a b", " ", "x", "\n\n", "\n\n\n"]
    for text in samples(3000, 12, pieces) + samples(1000, 13) + ["", " ", "a", "a\n\nb", "a \n\nb", "a\n\n\n\nb"]:
        assert word_count(text) == len(text.split()), repr(text)


def test_control_bytes_are_what_isprintable_rejects_in_ascii():
    assert all(chr(c).isprintable() == (c not in CONTROL) for c in range(128))
    assert ascii_free_of("plain words.", CONTROL) and not ascii_free_of("tab\there", CONTROL)
    assert not ascii_free_of("é", CONTROL) and not ascii_free_of("a&b", b"&")

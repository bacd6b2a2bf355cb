"""The pure parts of polling: status -> next state, Retry-After, due-ness, safety checks, charsets."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from digest.fetch.policy import Answer, after_answer, parse_retry_after, should_poll, succeeded
from digest.fetch.safety import address_refusal, decode_text, xml_refusal
from digest.model import FeedState

from feedserver import BILLION_LAUGHS

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
EVERY = dt.timedelta(minutes=30)
SAMPLE_FEEDS = Path(__file__).parent.parent / "digest" / "sample" / "feeds"


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("120", NOW) == NOW + dt.timedelta(seconds=120)
    assert parse_retry_after("Fri, 01 Mar 2024 14:30:00 GMT", NOW) == NOW + dt.timedelta(hours=2, minutes=30)
    assert parse_retry_after("Fri, 01 Mar 2024 11:00:00 GMT", NOW) is None  # already past
    assert parse_retry_after("soon", NOW) is None and parse_retry_after(None, NOW) is None
    assert parse_retry_after("99999999", NOW) == NOW + dt.timedelta(days=7)  # capped


def test_429_with_retry_after_blocks_even_forced_polls_until_it_expires() -> None:
    state, note = after_answer(FeedState("f"), Answer(429, "HTTP 429", {"Retry-After": "3600"}), NOW, EVERY)
    assert note == "told to wait" and state.retry_after == NOW + dt.timedelta(hours=1)
    assert state.next_poll is not None and state.next_poll >= NOW + dt.timedelta(hours=1)
    assert not should_poll(state, NOW + dt.timedelta(minutes=59), force=True)
    assert should_poll(state, NOW + dt.timedelta(hours=1, seconds=1), force=True)
    state, _ = after_answer(FeedState("f"), Answer(503, "HTTP 503", {"retry-after": "Fri, 01 Mar 2024 13:00:00 GMT"}),
                            NOW, EVERY)
    assert state.retry_after == NOW + dt.timedelta(hours=1) and state.status == "failing"


def test_410_retires_for_good_and_force_does_not_override() -> None:
    state, note = after_answer(FeedState("f", status="ok"), Answer(410, "HTTP 410 Gone"), NOW, EVERY)
    assert note == "retired (410)" and state.status == "retired" and "410" in (state.error or "")
    assert not should_poll(state, NOW + dt.timedelta(days=365), force=True)


def test_failures_back_off_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(4)
    state, waits = FeedState("f"), []
    for _ in range(12):
        state, note = after_answer(state, Answer(500, "HTTP 500 Internal Server Error"), NOW, EVERY, rng)
        assert note == "failed" and state.status == "failing"
        waits.append((state.next_poll - NOW).total_seconds() / 60)
    assert state.failures == 12
    assert 24 <= waits[0] <= 36 and 48 <= waits[1] <= 72 and 96 <= waits[2] <= 144  # x2 each time, ±20%
    assert max(waits) <= 24 * 60 * 1.2 and waits[-1] >= 24 * 60 * 0.8  # capped at a day
    assert len({round(w, 3) for w in waits[-4:]}) == 4  # jitter: capped waits still differ
    assert not should_poll(state, NOW) and should_poll(state, NOW, force=True)
    # timeouts and resets (no status) back off the same way; a success resets the count
    state, _ = after_answer(state, Answer(None, "timed out"), NOW, EVERY, rng)
    assert state.failures == 13 and state.error == "timed out"
    ok = succeeded(state, Answer(200, headers={"ETag": '"x"'}), NOW, EVERY, body_hash="h", entries=3)
    assert ok.failures == 0 and ok.status == "ok" and ok.etag == '"x"' and ok.next_poll == NOW + EVERY


def test_304_is_a_success_and_a_permanent_redirect_is_remembered() -> None:
    state, note = after_answer(FeedState("f", failures=2), Answer(304, moved_to="https://new.example/feed"),
                               NOW, EVERY)
    assert note == "not modified (304)" and state.failures == 0 and state.moved_to == "https://new.example/feed"
    untouched, note = after_answer(FeedState("f"), Answer(200), NOW, EVERY)
    assert note is None and untouched == FeedState("f")  # a body to parse: the caller decides


def test_billion_laughs_refused_but_ordinary_doctype_accepted() -> None:
    assert "entity" in (xml_refusal(BILLION_LAUGHS) or "")
    netscape = (b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"></rss>')
    assert xml_refusal(netscape) is None
    for path in SAMPLE_FEEDS.glob("*.xml"):
        assert xml_refusal(path.read_bytes()) is None, path.name


@pytest.mark.parametrize("address,kind", [("127.0.0.1", "loopback"), ("10.1.2.3", "private"),
                                          ("192.168.0.9", "private"), ("169.254.169.254", "link-local"),
                                          ("::1", "loopback"), ("::ffff:10.0.0.1", "private")])
def test_private_addresses_refused_unless_allowed(address: str, kind: str) -> None:
    reason = address_refusal("site.example", [address], ())
    assert reason and kind in reason and "allow_private" in reason
    assert address_refusal("site.example", [address], ("site.example",)) is None
    assert address_refusal("site.example", [address], (address.replace("::ffff:", ""),)) is None


def test_public_addresses_pass_and_networks_can_be_allowed() -> None:
    assert address_refusal("example.org", ["93.184.216.34", "2606:2800:220:1::1"], ()) is None
    assert address_refusal("intra", ["10.9.8.7"], ("10.0.0.0/8",)) is None
    assert address_refusal("mixed", ["93.184.216.34", "127.0.0.1"], ()) is not None  # any bad address refuses


def test_decoding_trusts_bytes_over_a_lying_label() -> None:
    french = ("<p>Le café au lait est servi à Zürich et à Genève depuis des années. Les élèves préfèrent le thé "
              "glacé, mais les professeurs réclament un espresso très serré après la réunion.</p>")
    assert decode_text(french.encode("latin-1"), {"Content-Type": "text/html; charset=utf-8"})[0] == french
    utf8 = "Café — Zürich".encode()
    assert decode_text(utf8, {"Content-Type": "text/html; charset=iso-8859-1"})[0] == "Café — Zürich"
    cyrillic = "<meta charset='windows-1251'><p>Новости дня</p>".encode("cp1251")
    assert "Новости дня" in decode_text(cyrillic, {})[0]  # from <meta charset>
    news = "<p>Новости дня: правительство объявило о новых мерах поддержки экономики в регионах.</p>"
    assert decode_text(news.encode("cp1251"), {"Content-Type": "text/html"}) == (news, "cp1251")  # sniffed

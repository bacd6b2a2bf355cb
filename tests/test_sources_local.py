"""Local sources: the seeds folder (with its README manifest), feed files, .eml, .html."""

from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import pytest
from conftest import SAMPLE, SAMPLE_SEEDS

from digest.config import FeedConfig
from digest.extract import extract
from digest.fetch.local import read_feed_file, read_folder, read_manifest
from digest.ingest import article_from_document
from digest.model import FeedState
from digest.sources import read_local

UTC = dt.timezone.utc
NOW = dt.datetime(2023, 9, 16, 8, tzinfo=UTC)
JUNK = ["last article you can read", "Leave a Reply", "Login to comment", "TaiwanIsNotChina", "Patreon",
        "To contact the WSWS", "No Comments Yet", "Join Our Newsletter", "Related Posts",
        "All rights reserved", "Your email address will not be published", "35 Comments"]
EXPECTED = {  # file -> outlet, published day, title start, byline
    "000_c6431a501ab3f111.txt": ("World Socialist Web Site", "2023-09-15",
                                 "North Korean leader meets Putin in Russian Far East", "Peter Symonds"),
    "001_86680ab93d7a7a9d.txt": ("Global Security Wire", "2023-09-13",
                                 "North Korea’s Kim Vows Full Support for Russia", "Kim Tong-Hyung and Dasha Litvinova"),
    "002_5482220a9810b0fe.txt": ("Countercurrents", "2023-09-13",
                                 "North Korea Will Always Stand With Russia Against Imperialism", None),
    "003_7f85905f4103dfb6.txt": ("Morning Star", "2023-09-13", "North Korean Supreme Leader Kim Jong Un vowed", None),
    "004_f1e603e65cfa6128.txt": ("Japan Today", "2023-09-12", "Joined by his top military officials", None),
}


def seed_articles(folder: Path):
    outcome = read_local(FeedConfig(name="Seeds", path=folder), FeedState(name="Seeds"), NOW, dt.timedelta(hours=1))
    return [article_from_document(d, NOW) for d in outcome.documents]


def test_bundled_seeds_are_a_byte_copy_of_shared(shared: Path) -> None:
    names = sorted(p.name for p in (shared / "seeds").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(shared / "seeds", SAMPLE_SEEDS, names, shallow=False)
    assert not mismatch and not errors and len(match) == 6


def test_seeds_ingest_as_five_articles_with_outlets_and_dates() -> None:
    articles = seed_articles(SAMPLE_SEEDS)
    assert len(articles) == 5
    for art in articles:
        outlet, day, title, byline = EXPECTED[Path(art.path).name]
        assert art.outlet == outlet
        assert art.published.date().isoformat() == day
        assert art.title.startswith(title)
        assert art.byline == byline
        assert art.key.startswith("file:Seeds/")


def test_seed_text_has_no_junk_and_keeps_the_article() -> None:
    by_name = {Path(a.path).name: a for a in seed_articles(SAMPLE_SEEDS)}
    for art in by_name.values():
        for junk in JUNK:
            assert junk.lower() not in art.text.lower(), (art.outlet, junk)
    wsws = by_name["000_c6431a501ab3f111.txt"].text
    assert wsws.startswith("In one of his rare international visits")
    assert wsws.endswith("that led to World War II.")
    assert "1950–53 Korean War" in wsws and "wsws.org/contact" not in wsws
    gsw = by_name["001_86680ab93d7a7a9d.txt"]
    assert gsw.credits == ("Associated Press",)
    assert gsw.text.endswith("create a stable environment for national development,” Kim said.")
    assert all("In this photo" not in p for p in gsw.text.split("\n\n"))
    assert any(c.startswith("In this photo provided by the North Korean government") for c in gsw.captions)
    cc = by_name["002_5482220a9810b0fe.txt"].text
    assert cc.startswith("North Korean leader Kim Jong-un has pledged")  # alt-text line under the title gone
    assert "Kim Jong un putin" not in cc and cc.endswith("supported the opposing side in the conflict.")
    ms = by_name["003_7f85905f4103dfb6.txt"].text
    assert ms.startswith("North Korean Supreme Leader Kim Jong Un vowed") and "subscribing" not in ms
    jt = by_name["004_f1e603e65cfa6128.txt"]
    assert jt.credits == ("Associated Press",) and not jt.text.startswith("date")
    assert jt.text.endswith("transported over a small rail link between the countries, they say.")
    assert "Symbolic gains" not in jt.text and "Strangerland" not in jt.text


def test_manifest_from_readme_table() -> None:
    manifest = read_manifest(SAMPLE_SEEDS)
    assert manifest["001_86680ab93d7a7a9d.txt"].outlet == "Global Security Wire"  # note in brackets dropped
    assert manifest["004_f1e603e65cfa6128.txt"].published == dt.datetime(2023, 9, 12, 12, tzinfo=UTC)


def test_manifest_yaml_wins_and_html_and_eml_are_read(tmp_path: Path) -> None:
    (tmp_path / "story.html").write_text(
        "<html><head><title>Bridge reopens after repairs</title></head><body><article><h1>Bridge reopens after "
        "repairs</h1>" + "".join(f"<p>Paragraph {i} says the bridge reopened on Monday after months of "
                                 f"repair work by the city council and contractors.</p>" for i in range(6))
        + "</article></body></html>", encoding="utf-8")
    (tmp_path / "note.eml").write_bytes(
        b"From: Jane Reporter <jane@example.org>\r\nSubject: Council votes on budget\r\n"
        b"Date: Tue, 12 Sep 2023 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"The council voted on the budget on Tuesday evening after a long debate.\r\n\r\n"
        b"Members approved the plan by nine votes to four.\r\n")
    (tmp_path / "manifest.yaml").write_text("story.html: {outlet: City Paper, published: 2023-09-11, "
                                            "url: 'https://city.example/bridge'}\n", encoding="utf-8")
    items = {Path(i.path).name: i for i in read_folder(tmp_path, "Local")}
    assert set(items) == {"story.html", "note.eml"}
    story = items["story.html"]
    assert story.outlet == "City Paper" and story.url == "https://city.example/bridge" and story.is_html
    assert story.published == dt.datetime(2023, 9, 11, 12, tzinfo=UTC)
    assert "bridge reopened on Monday" in extract(story.body, is_html=True).text
    note = items["note.eml"]
    assert note.title == "Council votes on budget" and note.byline == "Jane Reporter"
    assert note.published == dt.datetime(2023, 9, 12, 10, tzinfo=UTC)


def test_sample_feed_files_read_with_titles_links_and_dates() -> None:
    title, items = read_feed_file(SAMPLE / "feeds" / "bbc-news.xml")
    assert title == "BBC News" and len(items) == 20
    assert all(i.title and i.url and i.published and i.published.tzinfo for i in items)
    assert items[0].title == "Hunter Biden indicted on three federal gun charges"


def test_broken_feed_file_is_a_per_feed_error_value(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("this is not a feed", encoding="utf-8")
    outcome = read_local(FeedConfig(name="Bad", path=bad), FeedState(name="Bad"), NOW, dt.timedelta(hours=1))
    assert outcome.failed and outcome.documents == ()
    assert "not an RSS or Atom feed" in (outcome.state.error or "")
    assert outcome.state.failures == 1 and outcome.state.next_poll > NOW


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_seed_keeps_most_of_its_text(name: str) -> None:
    raw = (SAMPLE_SEEDS / name).read_text(encoding="utf-8")
    text = extract(raw, is_html=False).text
    assert len(text) > 1500 and len(text) < len(raw)

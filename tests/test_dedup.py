"""Canonical URLs, passage MinHash/LSH, syndication groups and near-duplicate pairs (measured)."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from conftest import SAMPLE_SEEDS, TESTS

from digest.dedup import canonical_url, normalize_url, syndicate, url_key
from digest.dedup.minhash import PassageIndex
from digest.dedup.syndication import COPY_MIN_SENTENCES, compare, shares_copy
from digest.extract import clean_text
from digest.ingest import content_hash
from digest.model import Article

UTC = dt.timezone.utc
PAIRS = TESTS / "data" / "neardup" / "pairs.jsonl"
SEED_OUTLETS = {"000": "World Socialist Web Site", "001": "Global Security Wire", "002": "Countercurrents",
                "003": "Morning Star", "004": "Japan Today"}


@pytest.mark.parametrize("url, expected", [
    ("http://www.example.com/news/story/?utm_source=rss&utm_medium=feed&id=7#comments",
     "http://example.com/news/story?id=7"),
    ("https://example.com/news/story?fbclid=abc&gclid=x", "https://example.com/news/story"),
    ("https://amp.example.com/news/story/amp/", "https://example.com/news/story"),
    ("https://www.example.com/news/story.amp", "https://example.com/news/story"),
    ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story", "https://example.com/news/story"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("mailto:someone@example.com", None),
    ("", None),
])
def test_normalize_url(url: str, expected: str | None) -> None:
    assert normalize_url(url) == expected


def test_url_key_ignores_scheme() -> None:
    assert url_key("http://www.example.com/a/") == url_key("https://example.com/a?utm_source=x") == "example.com/a"


def test_rel_canonical_wins_and_is_resolved() -> None:
    assert canonical_url("https://www.example.com/x?utm_campaign=a", "/world/story-1") == \
        "https://www.example.com/world/story-1"
    assert canonical_url("https://www.example.com/x?utm_campaign=a&id=3#top", None) == "https://www.example.com/x?id=3"
    assert url_key(canonical_url("https://amp.example.com/x/amp/", None)) == url_key("http://example.com/x")
    assert canonical_url("https://example.com/x", "javascript:void(0)") == "https://example.com/x"


def _seed_articles() -> list[Article]:
    out = []
    for path in sorted(SAMPLE_SEEDS.glob("0*.txt")):
        number = path.name[:3]
        text = clean_text(path.read_text(encoding="utf-8"))
        day = 12 if number == "004" else 13
        out.append(Article(key=number, feed="seeds", outlet=SEED_OUTLETS[number], title=text.title or "",
                           text=text.text, published=dt.datetime(2023, 9, day, 12, tzinfo=UTC),
                           fetched=dt.datetime(2023, 9, 16, tzinfo=UTC), content_hash=content_hash(text.text),
                           credits=text.credits))
    return out


def test_seeds_five_outlets_three_independent_origins() -> None:
    result = syndicate(_seed_articles())
    assert len(set(result.origin.values())) == 3
    assert {k for k, o in result.origin.items() if o == "Associated Press"} == {"001", "003", "004"}
    assert result.origin["000"] == "World Socialist Web Site"
    assert result.origin["002"] == "Countercurrents"  # quotes AP blocks, but is mostly its own
    assert result.quoted_from["002"] == ("Associated Press", "Washington Post")  # copy found; "report by" line
    [group] = result.groups
    assert group.origin == "Associated Press" and group.credited and set(group.members) == {"001", "003", "004"}


def test_exact_duplicate_and_uncredited_copy_follow_the_earliest_publisher() -> None:
    seeds = {a.key: a for a in _seed_articles()}
    base = seeds["000"]
    later = dt.datetime(2023, 9, 16, tzinfo=UTC)
    dup = Article(key="dup", feed="f", outlet="Mirror Site", title="t", text=base.text, published=later,
                  fetched=later, content_hash=base.content_hash)
    paras = base.text.split("\n\n")
    shuffled = paras[2:12]
    random.Random(1).shuffle(shuffled)
    trimmed = Article(key="trim", feed="f", outlet="Aggregator", title="Another headline",
                      text="An aggregator's own introduction to the story.\n\n" + "\n\n".join(shuffled),
                      published=later, fetched=later, content_hash="x")
    result = syndicate([dup, trimmed, base])
    assert result.origin == {"000": base.outlet, "dup": base.outlet, "trim": base.outlet}
    assert result.groups[0].members == ("000", "dup", "trim")


def test_passage_index_finds_trimmed_reordered_copies_only() -> None:
    seeds = _seed_articles()
    index = PassageIndex()
    for number, article in enumerate(seeds):
        index.add(number, index.hasher.signatures(article.text))
    paras = seeds[1].text.split("\n\n")
    copy = "\n\n".join(list(reversed(paras[5:20])))
    assert max(index.query(index.hasher.signatures(copy)).items(), key=lambda kv: kv[1])[0] == 1
    unrelated = " ".join(f"word{i} filler{i % 7} text{i % 13}" for i in range(300))
    assert index.query(index.hasher.signatures(unrelated)) == {}


def _pair_texts(shared) -> dict[str, str]:
    texts = {}
    with open(shared / "eval" / "clustering" / "allsides-2021.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts[row["id"]] = row["text"]
    for article in _seed_articles():
        texts[f"seed:{article.key}"] = article.text
    return texts


def test_near_duplicate_pairs_precision_recall(shared) -> None:
    texts = _pair_texts(shared)
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(pairs) >= 30 and {p["label"] for p in pairs} == {"copy", "partial", "independent"}
    tp = fp = fn = 0
    for pair in pairs:
        predicted = shares_copy(texts[pair["a"]], texts[pair["b"]])
        gold = pair["label"] != "independent"
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"near-duplicate pairs: P {precision:.3f} R {recall:.3f} ({tp} tp, {fp} fp, {fn} fn)")
    assert precision >= 0.95 and recall >= 0.85


def test_independent_pairs_share_at_most_one_sentence(shared) -> None:
    """The margin the copy rule relies on (see digest.dedup.syndication)."""
    texts = _pair_texts(shared)
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        if pair["label"] == "independent":
            for a, b in ((pair["a"], pair["b"]), (pair["b"], pair["a"])):
                assert compare(texts[a], texts[b]).sentences < min(2, COPY_MIN_SENTENCES), pair


def test_same_canonical_url_is_one_copy_and_feed_links_lose_tracking() -> None:
    from digest.ingest import article_from_document
    from digest.model import Document

    now = dt.datetime(2024, 1, 2, tzinfo=UTC)
    body = "\n\n".join(f"Paragraph {i} of a plain story about the harbour and its boats, told at length." for i in range(6))
    one = article_from_document(Document(feed="a", outlet="Outlet A", key="1", body=body, is_html=False,
                                         url="https://www.example.com/story?utm_source=rss&utm_medium=x#top"), now)
    other = "\n\n".join(f"Line {i}: the page was fetched again later and now reads differently, number {i}." for i in range(6))
    two = article_from_document(Document(feed="b", outlet="Outlet B", key="2", body=other,
                                         is_html=False, url="http://example.com/story/"), now)
    assert one is not None and two is not None
    assert one.url == "https://www.example.com/story"
    result = syndicate([one, two])
    assert result.origin == {"1": "Outlet A", "2": "Outlet A"}


def test_many_origins_use_lookups_and_find_the_same_copies() -> None:
    from digest.dedup import syndication as S

    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(5000)]
    now = dt.datetime(2023, 9, 1, tzinfo=UTC)
    crowd = []
    for i in range(S.EXACT_LIMIT + 10):
        text = "\n\n".join(" ".join(rng.choice(vocab) for _ in range(40)) + "." for _ in range(5))
        crowd.append(Article(key=f"c{i}", feed="f", outlet=f"Outlet {i}", title="t", text=text, published=now,
                             fetched=now, content_hash=f"h{i}"))
    result = syndicate(crowd + _seed_articles())
    assert len({o for k, o in result.origin.items() if k.startswith("c")}) == S.EXACT_LIMIT + 10
    assert {k for k, o in result.origin.items() if o == "Associated Press"} == {"001", "003", "004"}
    assert result.quoted_from["002"][0] == "Associated Press"

"""Incremental event clustering measured on labelled real news (floors from ../shared/eval/README.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import SAMPLE_SEEDS

from digest.analyze.cluster_eval import load_labelled, score
from digest.analyze.incremental import IncrementalClusterer, Incoming, Params, extract_entities, replay, resolve
from digest.config import load_config
from digest.model import Article
from digest.pipeline import poll
from digest.store import open_store

UTC = dt.timezone.utc


def eval_file(shared: Path) -> Path:
    return shared / "eval" / "clustering" / "allsides-2021.jsonl"


def seed_articles(tmp_path: Path) -> list[Article]:
    """The five seed articles as the product stores them (real extraction, real SQLite)."""
    config = tmp_path / "feeds.yaml"
    config.write_text(f"storage: sqlite:///{tmp_path}/seeds.db\n"
                      f"feeds:\n  - name: Saved articles\n    path: {SAMPLE_SEEDS}\n", encoding="utf-8")
    cfg = load_config(config)
    with open_store(cfg.storage) as store:
        poll(cfg, store, dt.datetime(2023, 9, 16, tzinfo=UTC))
        return store.articles_published_between(dt.datetime(2023, 1, 1, tzinfo=UTC),
                                                dt.datetime(2024, 1, 1, tzinfo=UTC))


def incoming(article: Article, shift: dt.timedelta = dt.timedelta()) -> Incoming:
    return Incoming(key=article.key, title=article.title, text=article.text, published=article.published + shift)


def test_scores_at_or_above_the_floors_on_allsides(shared: Path) -> None:
    labelled = load_labelled(eval_file(shared))
    items = [Incoming(a.id, a.title, a.text, a.published) for a in labelled]
    predicted = {a.key: a.event for a in replay(items)}
    scores = score({a.id: a.event_id for a in labelled}, predicted)
    assert scores.articles == 1479 and scores.gold_events == 505
    assert scores.bcubed_f1 >= 0.80, scores
    assert scores.pairwise_f1 >= 0.55, scores
    assert scores.bcubed_p >= 0.80 and scores.bcubed_r >= 0.75, scores  # neither side bought with the other


def test_replay_order_not_input_order_decides(shared: Path) -> None:
    labelled = load_labelled(eval_file(shared))[:300]
    items = [Incoming(a.id, a.title, a.text, a.published) for a in labelled]
    assert {a.key: a.event for a in replay(items)} == {a.key: a.event for a in replay(items[::-1])}


def test_seeds_form_one_event(tmp_path: Path) -> None:
    seeds = seed_articles(tmp_path)
    assert len(seeds) == 5
    assert len({a.event for a in replay([incoming(a) for a in seeds])}) == 1


def test_seeds_stay_one_event_inside_the_labelled_corpus_and_nothing_joins(tmp_path: Path, shared: Path) -> None:
    labelled = load_labelled(eval_file(shared))
    times = sorted(a.published for a in labelled)
    seeds = seed_articles(tmp_path)
    shift = times[len(times) // 2] - min(a.published for a in seeds)  # into the busiest stretch of the corpus
    items = [incoming(a, shift) for a in seeds] + [Incoming(a.id, a.title, a.text, a.published) for a in labelled]
    result = {a.key: a.event for a in replay(items)}
    seed_events = {result[a.key] for a in seeds}
    assert len(seed_events) == 1
    joined = [key for key, event in result.items() if event in seed_events]
    assert sorted(joined) == sorted(a.key for a in seeds)


def test_unrelated_articles_start_their_own_events() -> None:
    t0 = dt.datetime(2024, 5, 1, 8, tzinfo=UTC)
    clusterer = IncrementalClusterer()
    a = clusterer.add(Incoming("a", "Floods hit Porto Alegre as rivers burst banks",
                               "Heavy rain in Rio Grande do Sul flooded Porto Alegre.", t0))
    b = clusterer.add(Incoming("b", "Chip maker Nvidia reports record quarterly revenue",
                               "Nvidia said data-centre sales tripled.", t0 + dt.timedelta(hours=1)))
    c = clusterer.add(Incoming("c", "Porto Alegre floods: rivers keep rising in Rio Grande do Sul",
                               "Rescuers in Porto Alegre evacuated thousands as floods spread.",
                               t0 + dt.timedelta(hours=3)))
    assert a.event != b.event and c.event == a.event and c.score >= Params().threshold


def test_events_age_out_of_the_open_window() -> None:
    t0 = dt.datetime(2024, 5, 1, tzinfo=UTC)
    clusterer = IncrementalClusterer()
    text = "Heavy rain in Rio Grande do Sul flooded Porto Alegre."
    first = clusterer.add(Incoming("a", "Floods hit Porto Alegre", text, t0))
    later = clusterer.add(Incoming("b", "Floods hit Porto Alegre", text, t0 + dt.timedelta(hours=97)))
    assert later.event != first.event and first.event in clusterer.closed


def test_state_round_trip_gives_the_same_assignments(shared: Path) -> None:
    labelled = sorted(load_labelled(eval_file(shared)), key=lambda a: (a.published, a.id))[:400]
    items = [Incoming(a.id, a.title, a.text, a.published) for a in labelled]
    whole = IncrementalClusterer()
    expected = [whole.add(i).event for i in items]
    first = IncrementalClusterer()
    got = [first.add(i).event for i in items[:200]]
    resumed = IncrementalClusterer.from_state(first.to_state())
    got += [resumed.add(i).event for i in items[200:]]
    assert got == expected


def test_names_from_capitalisation() -> None:
    names = extract_entities("The talks at the Vostochny Cosmodrome lasted hours. Putin met Kim Jong Un. "
                             "But officials said little.")
    assert "vostochny cosmodrome" in names and "kim jong un" in names and "putin" in names
    assert "the" not in names and "but" not in names


def test_two_stories_glued_by_a_bridging_article_are_split_and_the_split_is_reported() -> None:
    t0 = dt.datetime(2024, 9, 1, 8, tzinfo=UTC)
    storm = ["Hurricane Delia makes landfall near Galveston with winds of 130 mph, flooding coastal streets.",
             "Delia came ashore near Galveston as a category three hurricane, pushing a storm surge into streets.",
             "Galveston streets flooded as Hurricane Delia made landfall overnight with 130 mph winds."]
    power = ["Millions without power across Houston as crews race to restore electricity after lines fell.",
             "Houston power outages: utility crews restore electricity to parts of the city, millions in the dark."]
    items = [Incoming(f"h{i}", f"Hurricane Delia hits Galveston {i}", t, t0 + dt.timedelta(hours=i))
             for i, t in enumerate(storm)]
    items.append(Incoming("bridge", "Delia: Galveston landfall, Houston outages", f"{storm[0]} {power[0]}",
                          t0 + dt.timedelta(hours=4)))
    items += [Incoming(f"p{i}", "Houston power outages leave millions in the dark", t, t0 + dt.timedelta(hours=5 + i))
              for i, t in enumerate(power)]
    clusterer = IncrementalClusterer(Params(threshold=0.12))
    assigned = {i.key: clusterer.add(i).event for i in items}
    assert [c.reason for c in clusterer.changes] == ["split"]
    split = clusterer.changes[0]
    assert split.old_id == assigned["h0"] and set(split.keys) <= {"bridge", "p0", "p1"} and "p0" in split.keys
    final = resolve(clusterer.changes, assigned)
    assert len({final[k] for k in ("h0", "h1", "h2")}) == 1 and final["p0"] == final["p1"] != final["h0"]
    # the default threshold never glues them in the first place
    assert len({a.event for a in replay(items)}) == 2


def test_saved_vocabulary_is_bounded() -> None:
    clusterer = IncrementalClusterer(Params(max_vocabulary=50))
    t0 = dt.datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(30):
        word = "".join(chr(97 + int(d)) for d in f"{i:03d}")  # a word of its own per article
        clusterer.add(Incoming(f"k{i}", f"Story about {word}topic", f"common words {word}unique {word}rare",
                               t0 + dt.timedelta(hours=i)))
    state = clusterer.to_state()
    assert len(clusterer.df) > 50 and len(state["df"]) == 50
    assert state["df"]["common"] == 30  # the frequent terms are the ones kept
    assert IncrementalClusterer.from_state(state).df["common"] == 30

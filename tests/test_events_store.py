"""Events across runs with real SQLite: stable ids, only new articles assigned, merges recorded, records."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import sqlalchemy as sa

from digest.analyze.cluster_eval import load_labelled
from digest.analyze.incremental import Incoming, replay
from digest.events import assign_events, event_context
from digest.model import Article
from digest.store import open_store
from digest.store import schema as t

UTC = dt.timezone.utc


def article(key: str, title: str, text: str, published: dt.datetime, outlet: str = "Outlet",
            credits: tuple[str, ...] = ()) -> Article:
    return Article(key=key, feed=outlet, outlet=outlet, title=title, text=text, published=published,
                   fetched=published, content_hash=hashlib.sha256(text.encode()).hexdigest(), credits=credits)


def assignments(url: str) -> dict[str, tuple[str, dt.datetime]]:
    with sa.create_engine(url).connect() as conn:
        rows = conn.execute(sa.select(t.articles.c.key, t.event_articles.c.event_id, t.event_articles.c.assigned)
                            .join(t.event_articles, t.event_articles.c.article_id == t.articles.c.id))
        return {r.key: (r.event_id, r.assigned) for r in rows}


def test_event_ids_are_stable_across_runs_and_match_one_uninterrupted_replay(shared: Path, tmp_path: Path) -> None:
    labelled = sorted(load_labelled(shared / "eval" / "clustering" / "allsides-2021.jsonl"),
                      key=lambda a: (a.published, a.id))[:360]
    articles = [article(a.id, a.title, a.text, a.published, a.outlet) for a in labelled]
    first, second = articles[:200], articles[200:]
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    run1, run2 = dt.datetime(2030, 1, 1, tzinfo=UTC), dt.datetime(2030, 1, 2, tzinfo=UTC)

    with open_store(url) as store:
        store.upsert_articles(first, run1)
        assign_events(store, store.articles_published_between(first[0].published, second[0].published), run1)
    before = assignments(url)
    assert len(before) == 200

    with open_store(url) as store:  # a new process: only the store carries the clusterer over
        store.upsert_articles(second, run2)
        window_start = second[0].published - dt.timedelta(hours=48)  # overlaps the first run's articles
        window = store.articles_published_between(window_start, articles[-1].published + dt.timedelta(seconds=1))
        clusters = assign_events(store, window, run2)
        history = store.event_history()
    after = assignments(url)
    assert len(after) == 360
    recorded = {(h.old_id, h.new_id) for h in history}
    for key, (event_id, assigned) in before.items():  # nothing reshuffled without a record
        now_in, now_assigned = after[key]
        if now_in == event_id:
            assert now_assigned == assigned
        else:
            reachable, frontier = set(), {event_id}
            while frontier:
                frontier = {new for old, new in recorded if old in frontier} - reachable
                reachable |= frontier
            assert now_in in reachable, (key, event_id, now_in)
    assert {k for c in clusters for k in c.article_keys} == {a.key for a in window}

    uninterrupted = {a.key: a.event for a in replay([Incoming(a.key, a.title, a.text, a.published)
                                                     for a in articles])}
    assert {k: e for k, (e, _) in after.items()} == uninterrupted

    with open_store(url) as store:  # the same window again: nothing changes
        again = assign_events(store, window, dt.datetime(2030, 1, 3, tzinfo=UTC))
    assert sorted(again, key=lambda c: c.id) == sorted(clusters, key=lambda c: c.id)
    assert assignments(url) == after


HURRICANE = "Hurricane Delia makes landfall near Galveston with winds of 130 mph, flooding coastal streets."
BLACKOUT = "Millions without power across Houston as crews race to restore electricity after Delia hit lines."


def test_a_merge_moves_articles_to_the_surviving_id_and_is_recorded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    t0 = dt.datetime(2024, 9, 1, 8, tzinfo=UTC)
    a = article("a", "Hurricane Delia slams Galveston", HURRICANE, t0, "Gulf Times")
    b = article("b", "Houston blackout leaves millions in the dark", BLACKOUT, t0 + dt.timedelta(hours=1), "Texan")
    c = article("c", "Delia: landfall at Galveston, Houston power outages", f"{HURRICANE} {BLACKOUT}",
                t0 + dt.timedelta(hours=2), "Wire Daily", credits=("Associated Press",))
    with open_store(url) as store:
        store.upsert_articles([a, b], t0)
        two = assign_events(store, store.articles_published_between(t0, t0 + dt.timedelta(days=1)), t0)
        assert len(two) == 2
        ids = {k: c.id for c in two for k in c.article_keys}
        store.upsert_articles([c], t0 + dt.timedelta(hours=3))
        one = assign_events(store, store.articles_published_between(t0, t0 + dt.timedelta(days=1)),
                            t0 + dt.timedelta(hours=3))
        history = store.event_history()
        records = store.event_records([ids["a"], ids["b"]])
    assert len(one) == 1 and set(one[0].article_keys) == {"a", "b", "c"}
    survivor = one[0].id
    assert [(h.old_id, h.new_id, h.reason) for h in history] == [
        (next(i for i in ids.values() if i != survivor), survivor, "merge")]
    assert {e for e, _ in assignments(url).values()} == {survivor}
    assert records[survivor].articles == 3 and records[survivor].outlets == 3
    assert records[survivor].independent_sources == 3 and records[survivor].open
    assert not records[history[0].old_id].open


def test_event_record_and_news_since_the_previous_edition(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    t0 = dt.datetime(2024, 9, 1, 8, tzinfo=UTC)
    day1 = [article("a1", "Hurricane Delia makes landfall near Galveston - Gulf Times", HURRICANE, t0, "Gulf Times",
                    ("Associated Press",)),
            article("a2", "WATCH: Delia makes landfall in Texas", HURRICANE, t0 + dt.timedelta(hours=1), "TV Nine",
                    ("Associated Press",))]
    day2 = [article("a3", "Delia: Galveston counts the damage after landfall",
                    f"Galveston residents returned after Hurricane Delia made landfall. {HURRICANE}",
                    t0 + dt.timedelta(hours=20), "Coast Herald")]
    with open_store(url) as store:
        store.upsert_articles(day1, t0 + dt.timedelta(hours=2))
        first = assign_events(store, store.articles_published_between(t0, t0 + dt.timedelta(hours=2)),
                              t0 + dt.timedelta(hours=2))
        edition1 = t0 + dt.timedelta(hours=3)
        store.upsert_articles(day2, t0 + dt.timedelta(hours=21))
        second = assign_events(store, store.articles_published_between(t0, t0 + dt.timedelta(days=1)),
                               t0 + dt.timedelta(hours=21))
        assert [c.id for c in second] == [first[0].id]
        record = store.event_records([first[0].id])[first[0].id]
        context = event_context(store, [first[0].id], edition1)
    assert record.title == "Hurricane Delia makes landfall near Galveston"  # central, outlet suffix dropped
    assert (record.first_seen, record.last_seen) == (t0, t0 + dt.timedelta(hours=20))
    assert (record.articles, record.outlets, record.independent_sources) == (3, 3, 2)
    assert "hurricane delia" in record.entities and "galveston" in record.entities
    assert context[first[0].id] == (t0, record.entities, 1)  # developing: 1 new article since the edition


STORM = ["Hurricane Delia makes landfall near Galveston with winds of 130 mph, flooding coastal streets.",
         "Delia came ashore near Galveston as a category three hurricane, pushing a storm surge into streets.",
         "Galveston streets flooded as Hurricane Delia made landfall overnight with 130 mph winds."]
POWER = ["Millions without power across Houston as crews race to restore electricity after transmission lines fell.",
         "Houston power outages: utility crews restore electricity to parts of the city, millions still in the dark."]


def test_a_split_moves_stored_articles_to_a_new_id_and_is_recorded(tmp_path: Path) -> None:
    from digest.analyze.incremental import Params

    loose = Params(threshold=0.12)  # loose enough that a bridging article glues two stories
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    t0 = dt.datetime(2024, 9, 1, 8, tzinfo=UTC)
    run1 = [article(f"h{i}", f"Hurricane Delia hits Galveston {i}", text, t0 + dt.timedelta(hours=i))
            for i, text in enumerate(STORM)]
    run1.append(article("bridge", "Delia: Galveston landfall, Houston power outages", f"{STORM[0]} {POWER[0]}",
                        t0 + dt.timedelta(hours=4)))
    run1.append(article("p0", "Houston power outages leave millions in the dark", POWER[0], t0 + dt.timedelta(hours=5)))
    run2 = [article("p1", "Millions in Houston still without power", POWER[1], t0 + dt.timedelta(hours=6))]
    window = (t0, t0 + dt.timedelta(days=1))
    with open_store(url) as store:
        store.upsert_articles(run1, t0 + dt.timedelta(hours=5))
        glued = assign_events(store, store.articles_published_between(*window), t0 + dt.timedelta(hours=5), loose)
        assert len(glued) == 1
        original = glued[0].id
        store.upsert_articles(run2, t0 + dt.timedelta(hours=7))
        after = assign_events(store, store.articles_published_between(*window), t0 + dt.timedelta(hours=7), loose)
        history = store.event_history()
        records = store.event_records([c.id for c in after])
    by_event = {c.id: set(c.article_keys) for c in after}
    assert by_event[original] == {"h0", "h1", "h2"}  # the larger part keeps the id
    (split_id,) = set(by_event) - {original}
    assert by_event[split_id] == {"bridge", "p0", "p1"}
    assert [(h.old_id, h.new_id, h.reason) for h in history] == [(original, split_id, "split")]
    assert {k: e for k, (e, _) in assignments(url).items()} == {k: e for e, ks in by_event.items() for k in ks}
    assert records[original].articles == 3 and records[split_id].articles == 3

"""The optional [embeddings] extra: off by default, one clear line when switched on but not installed,
and when installed the seeds still form one event and the clustering floors hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cluster_incremental import eval_file, incoming, seed_articles

from digest.analyze import embeddings
from digest.analyze.cluster_eval import load_labelled, score
from digest.analyze.incremental import Incoming, IncrementalClusterer, Params, replay
from digest.cli import main
from digest.config import ConfigError, parse_config
from digest.events import assign_events
from digest.store import open_store

MISSING = embeddings.missing_extra()
needs_extra = pytest.mark.skipif(MISSING is not None, reason=f"{MISSING}: the optional embedding model is "
                                 "not installed in this environment (CI leaves it out: torch is too big)")


def test_embeddings_are_off_by_default(tmp_path: Path) -> None:
    cfg = parse_config("feeds: []\n", tmp_path / "feeds.yaml")
    assert cfg.clustering.embeddings is False and Params().embedding_weight == 0.0
    assert embeddings.embedder_for(cfg) is None
    off = parse_config("clustering:\n  embeddings: false\n", tmp_path / "feeds.yaml")
    assert off.clustering.embeddings is False


def test_switched_on_without_the_extra_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "MODEL_PACKAGE", "digest_no_such_model_package")  # as if not installed
    with pytest.raises(ConfigError) as err:
        parse_config("feeds: []\nclustering:\n  embeddings: true\n", tmp_path / "feeds.yaml")
    message = str(err.value)
    assert "\n" not in message and message.startswith("feeds.yaml:3: clustering.embeddings:")
    assert "[embeddings] extra is not installed" in message and "torch==2.13.0" in message

    data = tmp_path / "one.jsonl"
    data.write_text(json.dumps({"id": "a", "event_id": "e", "title": "T", "text": "x",
                                "published": "2024-01-01T00:00:00Z"}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "cluster", str(data), "--embeddings"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "[embeddings] extra is not installed" in lines[0], result.output


def test_a_bad_switch_value_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config("clustering:\n  embeddings: perhaps\n", tmp_path / "feeds.yaml")
    assert str(err.value).startswith("feeds.yaml:2: clustering.embeddings:") and "\n" not in str(err.value)
    with pytest.raises(ConfigError, match="unknown key 'embedding'"):
        parse_config("clustering:\n  embedding: true\n", tmp_path / "feeds.yaml")


@needs_extra
def test_with_embeddings_the_seeds_are_one_event_and_the_floors_hold(tmp_path: Path, shared: Path) -> None:
    labelled = load_labelled(eval_file(shared))
    seeds = seed_articles(tmp_path)
    times = sorted(a.published for a in labelled)
    shift = times[len(times) // 2] - min(a.published for a in seeds)  # into the busiest stretch of the corpus
    embedder = embeddings.Embedder()
    vectors = embedder.embed_articles([(a.title, a.text) for a in labelled] + [(a.title, a.text) for a in seeds])
    assert len(vectors) == len(labelled) + 5 and abs(sum(x * x for x in vectors[0]) - 1.0) < 1e-4
    params = embeddings.clustering_params()
    items = [Incoming(a.id, a.title, a.text, a.published, v) for a, v in zip(labelled, vectors)]
    seed_items = [dataclasses.replace(incoming(a, shift), embedding=v) for a, v in zip(seeds, vectors[len(labelled):])]

    predicted = {a.key: a.event for a in replay(items, params)}
    scores = score({a.id: a.event_id for a in labelled}, predicted)
    assert scores.bcubed_f1 >= 0.87 and scores.pairwise_f1 >= 0.748, scores  # not below the default's figures
    assert scores.bcubed_p >= 0.85 and scores.bcubed_r >= 0.85, scores

    assert len({a.event for a in replay(seed_items, params)}) == 1
    mixed = {a.key: a.event for a in replay(seed_items + items, params)}
    seed_events = {mixed[a.key] for a in seeds}
    assert len(seed_events) == 1
    assert sorted(k for k, e in mixed.items() if e in seed_events) == sorted(a.key for a in seeds)


def _hashed_vector(text: str, dim: int = 16) -> tuple[float, ...]:
    """A stand-in sentence vector (hashed words, unit length): enough to exercise the bookkeeping."""
    counts = [0.0] * dim
    for word in text.lower().split():
        counts[sum(map(ord, word)) % dim] += 1.0
    norm = sum(x * x for x in counts) ** 0.5 or 1.0
    return tuple(x / norm for x in counts)


def test_sentence_vectors_survive_the_saved_state(shared: Path) -> None:
    labelled = sorted(load_labelled(eval_file(shared)), key=lambda a: (a.published, a.id))[:300]
    items = [Incoming(a.id, a.title, a.text, a.published, _hashed_vector(a.title)) for a in labelled]
    params = embeddings.clustering_params()
    whole = IncrementalClusterer(params)
    expected = [whole.add(i).event for i in items]
    first = IncrementalClusterer(params)
    got = [first.add(i).event for i in items[:150]]
    state = json.loads(json.dumps(first.to_state()))  # as the store keeps it
    assert any(len(m) == 4 for e in state["events"] for m in e["members"].values())
    resumed = IncrementalClusterer.from_state(state, params)
    got += [resumed.add(i).event for i in items[150:]]
    assert got == expected


@needs_extra
def test_assign_events_with_the_embedder_keeps_the_seeds_together_in_the_store(tmp_path: Path) -> None:
    seeds = seed_articles(tmp_path)
    with open_store(f"sqlite:///{tmp_path}/seeds.db") as store:
        clusters = assign_events(store, seeds, dt.datetime(2023, 9, 16, tzinfo=dt.timezone.utc),
                                 embedder=embeddings.Embedder())
        state = store.load_cluster_state()
    assert len(clusters) == 1 and len(clusters[0].article_keys) == 5
    [event] = state["events"]
    assert len(event["embedding"]) == 384 and all(len(m) == 4 for m in event["members"].values())

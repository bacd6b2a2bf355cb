"""``digest eval cluster FILE.jsonl``: replay labelled articles through the clusterer and score it."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path

import click

from digest.cli import fail_cleanly, json_option
from digest.cli_eval import eval_group
from digest.errors import DigestError


def _write_assignments(path: Path, assignments) -> None:  # type: ignore[no-untyped-def]
    """One ``{"id","event"}`` line per article, written atomically."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise DigestError(f"cannot write {path}: {err.strerror}; pick a writable --assignments path") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for a in assignments:
                out.write(json.dumps({"id": a.key, "event": a.event}) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@eval_group.command("cluster")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@click.option("--assignments", "assignments_path", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help='Also write one {"id","event"} JSON line per article to FILE.')
@click.option("--embeddings", is_flag=True,
              help="Add the sentence-embedding signal (needs the [embeddings] extra; off by default).")
@fail_cleanly
def eval_cluster(file: Path, as_json: bool, assignments_path: Path | None, embeddings: bool = False) -> None:
    """Replay labelled articles (JSON lines: id, event_id, outlet, title, text, published) in time
    order through the incremental clusterer; print B-cubed and pairwise scores."""
    from digest.analyze.cluster_eval import evaluate, load_labelled

    if not file.is_file():
        raise DigestError(f"{file} does not exist; give a JSON-lines file of labelled articles")
    embedder = None
    if embeddings:
        from digest.analyze.embeddings import Embedder

        embedder = Embedder()  # one clear line when the extra is not installed
    result = evaluate(load_labelled(file), embedder=embedder)
    if assignments_path is not None:
        _write_assignments(assignments_path, result.assignments)
    s = result.scores
    if as_json:
        click.echo(json.dumps({**dataclasses.asdict(s), "articles_per_second": round(result.articles_per_second, 1),
                               "seconds": round(result.seconds, 3), "file": str(file),
                               **({"embeddings": True, "embed_seconds": round(result.embed_seconds, 3)}
                                  if embeddings else {})}, indent=2))
        return
    click.echo(f"B-cubed P={s.bcubed_p:.3f} R={s.bcubed_r:.3f} F1={s.bcubed_f1:.3f}")
    click.echo(f"pairwise P={s.pairwise_p:.3f} R={s.pairwise_r:.3f} F1={s.pairwise_f1:.3f}")
    click.echo(f"events: {s.predicted_events} predicted, {s.gold_events} gold, {s.articles} articles")
    click.echo(f"speed: {result.articles_per_second:,.0f} articles/s ({result.seconds:.2f} s"
               + (f", of which {result.embed_seconds:.2f} s computing sentence embeddings)" if embeddings else ")"))

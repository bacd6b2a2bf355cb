"""``digest eval extract``: extraction quality on labelled pages (issue 5)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from digest.cli import json_option
from digest.cli_eval import eval_group, shared_eval_path
from digest.errors import DigestError

FLOOR_F1 = 0.975


@eval_group.command("extract")
@click.option("--data", "data", metavar="DIR",
              help="Folder with ground-truth.json and html/<id>.html.gz "
                   "(default: eval/extraction in ../shared next to the project, or in $DIGEST_SHARED).")
@click.option("--worst", default=5, show_default=True, help="List this many worst pages.")
@json_option
def eval_extract(data: str, worst: int, as_json: bool) -> None:
    """Precision/recall/F1 of article text on real pages (the benchmark's 4-token shingle metric)."""
    from digest.evaluate.extraction import evaluate_pages

    try:
        report = evaluate_pages(Path(data) if data else shared_eval_path("extraction"))
    except (FileNotFoundError, OSError, ValueError) as err:
        click.echo(f"digest: error: cannot read the evaluation data: {err}", err=True)
        raise SystemExit(DigestError.exit_code) from None
    result = {"pages": len(report.pages), "precision": round(report.precision, 4),
              "recall": round(report.recall, 4), "f1": round(report.f1, 4), "floor_f1": FLOOR_F1,
              "seconds": round(report.seconds, 2),
              "worst": [{"id": p.id, "precision": round(p.precision, 3), "recall": round(p.recall, 3)}
                        for p in report.worst(worst)]}
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(f"{result['pages']} pages: P {report.precision:.3f} R {report.recall:.3f} "
                   f"F1 {report.f1:.4f} (floor {FLOOR_F1}) in {report.seconds:.1f} s")
        for page in result["worst"]:
            click.echo(f"  {page['id'][:16]}  P {page['precision']:.3f}  R {page['recall']:.3f}")
    if report.f1 < FLOOR_F1:
        raise SystemExit(1)

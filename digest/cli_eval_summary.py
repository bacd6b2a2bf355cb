"""``digest eval summary`` and ``digest eval framing``: the briefing's substance measured on labelled data.

summary — ROUGE-1/2/L of event summaries (top key facts) against AllSides' reference summaries,
          with the lead-sentence baseline on the same events;
framing — BASIL: loaded-term coverage of annotated lexical bias, informational lift of the
          sentences marked "only this outlet".
Both read the files in place (default: ../shared/eval next to the project, or $DIGEST_SHARED).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from digest.cli import fail_cleanly, json_option
from digest.cli_eval import eval_group, shared_eval_path
from digest.errors import DigestError

def _eval_file(path: str | None, relative: str) -> Path:
    found = Path(path) if path else shared_eval_path(relative)
    if not found.is_file():
        raise DigestError(f"evaluation file not found: {found} (pass --file PATH or set DIGEST_SHARED to the "
                          f"folder that holds eval/{relative})")
    return found


@eval_group.command("summary")
@click.option("--file", "path", metavar="PATH", help="allsides-2021-framing.jsonl (default: in the shared eval).")
@click.option("--limit", type=int, default=None, help="Only the first N events.")
@json_option
@fail_cleanly
def eval_summary(path: str | None, limit: int | None, as_json: bool) -> None:
    """ROUGE of event summaries vs AllSides references, beside the lead-sentence baseline."""
    try:
        from digest.evaluate.summary import lead_summary, product_summary, score
        file = _eval_file(path, "framing/allsides-2021-framing.jsonl")
        ours, lead = score(file, product_summary, limit), score(file, lead_summary, limit)
    except ImportError as err:
        raise DigestError(f"{err.name} is needed for ROUGE: pip install 'digest[test]'") from err
    except (ValueError, KeyError) as err:
        raise DigestError(f"{path or 'evaluation file'}: not in the expected format ({err})") from err
    if as_json:
        click.echo(json.dumps({"product": dataclasses.asdict(ours), "lead": dataclasses.asdict(lead)}, indent=2))
        return
    click.echo(ours.line("product"))
    click.echo(lead.line("lead"))


@eval_group.command("framing")
@click.option("--file", "path", metavar="PATH", help="basil-2010-2014.jsonl (default: in the shared eval).")
@click.option("--notes", "notes_path", metavar="PATH",
              help="Also check the terms against AllSides coverage notes (allsides-2021-framing.jsonl).")
@json_option
@fail_cleanly
def eval_framing(path: str | None, notes_path: str | None, as_json: bool) -> None:
    """Loaded-term coverage and informational lift on BASIL's annotated bias spans."""
    from digest.evaluate.framing import notes_score, score
    file = _eval_file(path, "framing/basil-2010-2014.jsonl")
    notes_file = _eval_file(notes_path, "framing/allsides-2021-framing.jsonl") if notes_path else None
    current = file
    try:
        result = score(file)
        current = notes_file or file
        notes = notes_score(notes_file) if notes_file else None
    except (ValueError, KeyError, TypeError) as err:
        raise DigestError(f"{current}: not in the expected format ({err})") from err
    if as_json:
        data = dataclasses.asdict(result)
        if notes:
            data["coverage_notes"] = dataclasses.asdict(notes)
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(result.line())
    if notes:
        click.echo(notes.line())

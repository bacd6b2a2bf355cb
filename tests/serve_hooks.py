"""A delivery step for the `digest serve` tests, loaded by the serve subprocess through
$DIGEST_DELIVERY_HOOKS=serve_hooks:record (tests/ is put on PYTHONPATH).

It appends one line per call to the file named by $DIGEST_TEST_HOOK_LOG, so a test
can count how many times the delivery steps ran for each edition.
"""

from __future__ import annotations

import os
from pathlib import Path


def record(config, store, date, now) -> dict:
    edition = config.output / date.isoformat()
    line = f"{date.isoformat()} {os.getpid()} {(edition / 'briefing.pdf').is_file()}\n"
    with open(Path(os.environ["DIGEST_TEST_HOOK_LOG"]), "a", encoding="utf-8") as handle:
        handle.write(line)
    return {"pdf": str(edition / "briefing.pdf")}

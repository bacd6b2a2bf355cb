"""Evaluation files -> the product's own data types (Articles), shared by the measures."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from digest.model import Article

UTC = dt.timezone.utc


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def parse_when(value: str | None) -> dt.datetime:
    if not value:
        return dt.datetime(2000, 1, 1, tzinfo=UTC)
    when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def eval_article(event_id: str, index: int, item: dict[str, Any], published: dt.datetime) -> Article:
    """One labelled article as the pipeline would store it (its outlet is its origin)."""
    key = f"{event_id}/{index}"
    text = item.get("text") or ""
    return Article(key=key, feed="eval", outlet=item.get("outlet") or f"outlet {index}",
                   title=item.get("title") or "", text=text, published=published, fetched=published,
                   content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest())

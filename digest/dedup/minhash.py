"""MinHash signatures of word shingles and an LSH index over passages.

Each article is cut into passages (paragraphs, short ones merged) and every
passage gets a small MinHash signature over its word 5-shingles. The index
bands the signatures (``bands`` x ``rows``); two passages whose band values
agree somewhere are candidates, and a candidate counts as a match when the
signatures agree on at least ``match`` of their values (an estimate of the
passages' Jaccard similarity). Matching passages, not whole documents, is
what finds wire copy that was trimmed, re-ordered or re-headlined.

Buckets keep only their first passage (the earliest carrier of that band
value) as a plain ``int -> int`` dict entry, so inserting and querying cost
the same whatever the size of the index: no bucket grows with the corpus.
Signatures are stored in fixed-size numpy blocks, never re-allocated.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Sequence

import numpy as np

SHINGLE = 5
MIN_PASSAGE_WORDS = 20
_WORD = re.compile(r"\w+", re.UNICODE)
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_BASE = np.uint64(1099511628211)  # FNV prime: rolls word ids into shingle ids
_word_ids: dict[str, int] = {}


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _word_id(word: str) -> int:
    found = _word_ids.get(word)
    if found is None:
        if len(_word_ids) > 2_000_000:
            _word_ids.clear()
        found = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
        _word_ids[word] = found
    return found


def shingle_ids(tokens: Sequence[str], k: int = SHINGLE) -> np.ndarray:
    """uint64 ids of the word k-shingles (one id for texts shorter than k words)."""
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    ids = np.fromiter((_word_id(w) for w in tokens), dtype=np.uint64, count=len(tokens))
    if len(ids) < k:
        k = len(ids)
    span = len(ids) - k + 1
    out = np.zeros(span, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            out = out * _BASE + ids[j:j + span]
    return out


def passages(text: str, min_words: int = MIN_PASSAGE_WORDS) -> list[list[str]]:
    """Paragraphs as word lists; short paragraphs are merged with the next ones."""
    out: list[list[str]] = []
    pending: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        pending += words(para)
        if len(pending) >= min_words:
            out.append(pending)
            pending = []
    if pending:
        if out and len(pending) < min_words // 2:
            out[-1] = out[-1] + pending
        else:
            out.append(pending)
    return out


class MinHasher:
    """``num_perm`` universal hash functions h(x) = (a*x + b) >> 32 over uint64 shingle ids."""

    def __init__(self, num_perm: int = 16, seed: int = 1):
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self._a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """uint32[num_perm]: the minimum of each hash function over the shingles."""
        if len(shingles) == 0:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        with np.errstate(over="ignore"):
            hashed = (shingles[:, None] * self._a[None, :] + self._b[None, :]) >> np.uint64(32)
        return hashed.min(axis=0).astype(np.uint32)

    def signatures(self, text: str) -> np.ndarray:
        """One signature per passage of ``text``: uint32[passages, num_perm]."""
        parts = passages(text)
        if not parts:
            return np.zeros((0, self.num_perm), dtype=np.uint32)
        return np.stack([self.signature(shingle_ids(p)) for p in parts])


class PassageIndex:
    """LSH over passage signatures; documents are ints given by the caller."""

    BLOCK = 65536

    def __init__(self, num_perm: int = 16, bands: int = 4, match: float = 0.5, seed: int = 1):
        if num_perm % bands:
            raise ValueError("num_perm must be a multiple of bands")
        self.hasher = MinHasher(num_perm, seed)
        self.bands, self.rows = bands, num_perm // bands
        self.match = match
        self._buckets: list[dict[int, int]] = [{} for _ in range(bands)]
        self._blocks: list[np.ndarray] = []
        self._owner = array("q")  # passage id -> document
        self.documents = 0

    @property
    def passages(self) -> int:
        return len(self._owner)

    def _band_keys(self, sigs: np.ndarray) -> list[list[int]]:
        """Per band, one int key per passage (the band's values packed into 64 bits)."""
        keys = []
        for band in range(self.bands):
            chunk = sigs[:, band * self.rows:(band + 1) * self.rows].astype(np.uint64)
            packed = np.zeros(len(sigs), dtype=np.uint64)
            with np.errstate(over="ignore"):
                for col in range(self.rows):
                    packed = packed * np.uint64(0x9E3779B97F4A7C15) + chunk[:, col]
            keys.append(packed.tolist())
        return keys

    def _signature(self, pid: int) -> np.ndarray:
        return self._blocks[pid // self.BLOCK][pid % self.BLOCK]

    def query(self, sigs: np.ndarray) -> dict[int, int]:
        """Documents holding passages that match these signatures -> number of passages matched.

        At most ``bands`` lookups per passage; each bucket holds one passage.
        """
        found: dict[int, int] = {}
        if len(sigs) == 0:
            return found
        keys = self._band_keys(sigs)
        need = int(np.ceil(self.match * self.hasher.num_perm))
        for row in range(len(sigs)):
            seen: set[int] = set()
            for band in range(self.bands):
                pid = self._buckets[band].get(keys[band][row])
                if pid is None or pid in seen:
                    continue
                seen.add(pid)
                if int(np.count_nonzero(self._signature(pid) == sigs[row])) >= need:
                    doc = self._owner[pid]
                    found[doc] = found.get(doc, 0) + 1
        return found

    def add(self, doc: int, sigs: np.ndarray) -> None:
        """Index a document's passage signatures (a band value keeps its first passage)."""
        keys = self._band_keys(sigs)
        for row in range(len(sigs)):
            pid = len(self._owner)
            if pid % self.BLOCK == 0:
                self._blocks.append(np.empty((self.BLOCK, self.hasher.num_perm), dtype=np.uint32))
            self._blocks[-1][pid % self.BLOCK] = sigs[row]
            self._owner.append(doc)
            for band in range(self.bands):
                self._buckets[band].setdefault(keys[band][row], pid)
        self.documents += 1

"""The set of document ids already stored, kept compact: 10 bytes a document instead of ~100.

Why: every run must know which documents the store holds (a document is written once: the same
bytes under another name are a duplicate), and the ingest keeps that set for the whole run. As a
Python `set` of 20-character strings it took about 100 bytes a document — 10 MB at 100,000
documents, 1 GB at ten million — the one thing in an ingest that grew with the archive. Here an id
(`doc_id_from_sha`: the first 20 hex digits of the sha256) is held as its 10 bytes in a sorted numpy
array, searched by bisection; new ids wait in a small set and are merged in by the thousand. An id
that is not 20 hex digits (none is written today) is kept as it is, in a set of its own.

Surface: `in`, `add`, `update`, `len`, iteration (every id, as text) and the comparisons of a
`collections.abc.Set`. It stands in for the `set` that `Dataset.doc_ids()` returned.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Set

import numpy as np

from ..text.sources import DOC_ID_CHARS as ID_HEX
_PACKED = np.dtype(f"S{ID_HEX // 2}")
MERGE_AT = 4096  # recent ids held as strings before they are packed


def _packable(doc_id: str) -> bool:
    """20 lower-case hex digits, the form ids are written in ("ABC…" and "abc…" are two ids)."""
    return len(doc_id) == ID_HEX and not doc_id.strip("0123456789abcdef")


class IdSet(Set):
    """A set of document ids, packed (see the module docstring); compares with a `set` as sets do."""

    def __init__(self, ids: Iterable[str] = ()):
        self._packed = np.empty(0, dtype=_PACKED)  # sorted, unique
        self._recent: set[str] = set()  # packable ids not yet packed
        self._other: set[str] = set()  # ids that do not pack
        self.update(ids)

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str):
            return False
        if doc_id in self._recent or doc_id in self._other:
            return True
        if not self._packed.size or not _packable(doc_id):
            return False
        key = np.array(bytes.fromhex(doc_id), dtype=_PACKED)
        i = int(np.searchsorted(self._packed, key))
        return i < self._packed.size and self._packed[i] == key

    def add(self, doc_id: str) -> None:
        if _packable(doc_id):
            if doc_id not in self:
                self._recent.add(doc_id)
                if len(self._recent) >= MERGE_AT:
                    self._merge()
        else:
            self._other.add(doc_id)

    def update(self, ids: Iterable[str]) -> None:
        """Add many: a few (a batch's new documents) wait in the recent set; many (the store read at
        the start of a run) are packed as they come, 10 bytes each, and sorted once at the end."""
        chunks: list[np.ndarray] = []
        batch: list[bytes] = []
        for doc_id in ids:
            if not doc_id:
                continue
            if not _packable(doc_id):
                self._other.add(doc_id)
                continue
            batch.append(bytes.fromhex(doc_id))
            if len(batch) >= 65536:
                chunks.append(np.array(batch, dtype=_PACKED))
                batch = []
        if not chunks and len(batch) < MERGE_AT:
            for b in batch:
                self.add(b.hex())
            return
        if batch:
            chunks.append(np.array(batch, dtype=_PACKED))
        if self._recent:
            chunks.append(np.array([bytes.fromhex(x) for x in self._recent], dtype=_PACKED))
            self._recent = set()
        self._packed = np.unique(np.concatenate([self._packed, *chunks]))

    def _merge(self) -> None:
        new = np.array([bytes.fromhex(x) for x in self._recent], dtype=_PACKED)
        self._packed = np.union1d(self._packed, new)  # sorted and unique
        self._recent = set()

    def __len__(self) -> int:
        return int(self._packed.size) + len(self._recent) + len(self._other)

    def __iter__(self) -> Iterator[str]:
        for b in self._packed:
            yield bytes(b).ljust(ID_HEX // 2, b"\0").hex()
        yield from self._recent
        yield from self._other

    def __repr__(self) -> str:
        return f"IdSet({len(self)} ids)"

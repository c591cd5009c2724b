"""Index construction: features and keys per entity, optionally on several processes.

The main process reads entities and stores their compact records; workers (forked, so
they share nothing mutable) turn batches of fields into key hashes.  Batches come back in
order, so entity numbers are simply their position in the input.
"""

from __future__ import annotations

import multiprocessing
import os
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from typing import Any

import numpy as np
import numpy.typing as npt

from safepassage.screening.keys import names_keys
from safepassage.screening.person import Fields, encode_fields, entity_fields, name_variants

BATCH = 2000


@dataclass(frozen=True, slots=True)
class IndexArrays:
    """Everything a Screener holds, as arrays."""

    keys: npt.NDArray[np.uint64]
    offsets: npt.NDArray[np.int64]
    postings: npt.NDArray[np.int32]
    kinds: npt.NDArray[np.uint8]
    records: bytes
    record_offsets: npt.NDArray[np.int64]


def keys_for_batch(batch: list[Fields]) -> tuple[bytes, bytes, bytes]:
    """Key hashes, key kinds and per-entity key counts of a batch (runs in a worker)."""
    keys: array[int] = array("Q")
    kinds: array[int] = array("B")
    counts: array[int] = array("i")
    variants_of = name_variants.__wrapped__  # uncached: every entity is new, a cache only churns
    for _, names, first, father, last, _, _ in batch:
        keyed = names_keys(variants_of(names, first, father, last).variants)
        keys.extend(keyed.keys())
        kinds.extend(keyed.values())
        counts.append(len(keyed))
    return keys.tobytes(), kinds.tobytes(), counts.tobytes()


def _batches(entities: Iterable[Mapping[str, Any]], blob: bytearray, rec_offsets: array[int]) -> Iterator[list[Fields]]:
    batch: list[Fields] = []
    for entity in entities:
        fields = entity_fields(entity)
        blob += encode_fields(fields).encode()
        rec_offsets.append(len(blob))
        batch.append(fields)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def default_workers() -> int:
    """Worker processes for a build: one per CPU beyond the reader, at most 4."""
    return max(1, min(4, (os.cpu_count() or 1)))


def build_arrays(
    entities: Iterable[Mapping[str, Any]],
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> IndexArrays:
    """Compute the index arrays for an iterable of FtM entity dicts."""
    blob = bytearray()
    rec_offsets: array[int] = array("q", [0])
    key_parts: list[bytes] = []
    kind_parts: list[bytes] = []
    count_parts: list[npt.NDArray[np.int32]] = []

    def collect(result: tuple[bytes, bytes, bytes]) -> None:
        """Append one batch's results."""
        key_parts.append(result[0])
        kind_parts.append(result[1])
        counts = np.frombuffer(result[2], dtype=np.int32)
        count_parts.append(counts)
        if progress is not None:
            progress(len(counts))

    batches = _batches(entities, blob, rec_offsets)
    if workers <= 1:
        for batch in batches:
            collect(keys_for_batch(batch))
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque[AsyncResult[tuple[bytes, bytes, bytes]]] = deque()
            for batch in batches:
                pending.append(pool.apply_async(keys_for_batch, (batch,)))
                while len(pending) > 2 * workers:
                    collect(pending.popleft().get())
            while pending:
                collect(pending.popleft().get())
    all_keys = np.frombuffer(b"".join(key_parts), dtype=np.uint64)
    key_parts.clear()
    counts = np.concatenate(count_parts) if count_parts else np.zeros(0, dtype=np.int32)
    ids = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    order = np.argsort(all_keys, kind="stable")
    sorted_keys = all_keys[order]
    del all_keys
    postings = ids[order]
    del ids
    kinds = np.frombuffer(b"".join(kind_parts), dtype=np.uint8)[order]
    del order
    # Group boundaries of the sorted keys (np.unique would sort again).
    first = np.ones(len(sorted_keys), dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    starts = np.flatnonzero(first)
    offsets = np.append(starts, len(sorted_keys)).astype(np.int64)
    return IndexArrays(
        sorted_keys[starts],
        offsets,
        postings,
        kinds,
        bytes(blob),
        np.frombuffer(rec_offsets, dtype=np.int64).copy(),
    )

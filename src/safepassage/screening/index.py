"""The Screener: build an index over a watchlist once, then screen many queries against it.

Layout (all numpy arrays, so 1M persons fit in well under 3 GB and load without pickle):
``keys`` (sorted unique uint64 key hashes), ``offsets`` (int64, len(keys)+1), ``postings``
(int32 entity numbers, grouped per key), ``kinds`` (uint8 key kind per posting), and the
entities' name/date/gender fields as compact text records in one UTF-8 blob with
``record_offsets``.
Retrieval votes over key hits, keeps the best ``max_candidates`` entities, and only those
are scored exactly with :func:`score_persons`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from safepassage.screening.build import build_arrays
from safepassage.screening.keys import KIND_WEIGHT, person_keys
from safepassage.screening.match import MatchResult, quick_score, score_persons
from safepassage.screening.person import Fields, Person, build_person, decode_fields, person_from_entity

FORMAT_VERSION = 2
# A key shared by more entities than this says little and costs much; it is skipped
# unless the query has nothing better.
MAX_POSTING = 20_000
# Weak kinds of keys help only when they are rare: a lone common given name (single-token
# key) or a four-letter word end (typo key) shared by thousands adds cost, not evidence.
MAX_POSTING_BY_KIND = (MAX_POSTING, 5_000, 2_000, 500)  # pair, initial, typo, single
VOTE_FRACTION = 0.3
RARE_POSTING = 8
RARE_VOTE = 4.0


@dataclass(frozen=True, slots=True)
class Hit:
    """One screening result."""

    entity_id: str
    score: float
    result: MatchResult


class Screener:
    """Candidate index plus exact scoring over a watchlist of FtM Person entities."""

    def __init__(
        self,
        keys: npt.NDArray[np.uint64],
        offsets: npt.NDArray[np.int64],
        postings: npt.NDArray[np.int32],
        kinds: npt.NDArray[np.uint8],
        records: bytes,
        record_offsets: npt.NDArray[np.int64],
        max_candidates: int = 25,
    ) -> None:
        self.keys = keys
        self.offsets = offsets
        self.postings = postings
        self.kinds = kinds
        self.records = records
        self.record_offsets = record_offsets
        self.max_candidates = max_candidates
        self._person = lru_cache(maxsize=300_000)(self._load_person)

    def __len__(self) -> int:
        return len(self.record_offsets) - 1

    @classmethod
    def build(
        cls,
        entities: Iterable[Mapping[str, Any]],
        progress: Callable[[int], None] | None = None,
        max_candidates: int = 25,
        workers: int = 1,
    ) -> Screener:
        """Index an iterable of FtM entity dicts (build once, query many)."""
        a = build_arrays(entities, progress, workers)
        return cls(a.keys, a.offsets, a.postings, a.kinds, a.records, a.record_offsets, max_candidates)

    # -- persistence -------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index to one .npz file (numpy arrays only; no pickle)."""
        meta = json.dumps({"format": "safepassage-screening-index", "version": FORMAT_VERSION})
        with path.open("wb") as fh:
            np.savez(
                fh,
                meta=np.frombuffer(meta.encode(), dtype=np.uint8),
                keys=self.keys,
                offsets=self.offsets,
                postings=self.postings,
                kinds=self.kinds,
                records=np.frombuffer(self.records, dtype=np.uint8),
                record_offsets=self.record_offsets,
            )

    @classmethod
    def load(cls, path: Path, max_candidates: int = 25) -> Screener:
        """Read an index written by :meth:`save`; refuses files of another format or version."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("format") != "safepassage-screening-index" or meta.get("version") != FORMAT_VERSION:
                raise ValueError(f"{path}: not a screening index of version {FORMAT_VERSION}")
            return cls(
                data["keys"],
                data["offsets"],
                data["postings"],
                data["kinds"],
                bytes(data["records"]),
                data["record_offsets"],
                max_candidates,
            )

    # -- querying ----------------------------------------------------------------------

    def fields(self, number: int) -> Fields:
        """The stored fields of entity number ``number``."""
        start, end = int(self.record_offsets[number]), int(self.record_offsets[number + 1])
        return decode_fields(self.records[start:end].decode())

    def _load_person(self, number: int) -> Person:
        return build_person(*self.fields(number))

    def candidates(self, query: Person) -> list[int]:
        """Entity numbers sharing keys with the query, best-voted first (at most max_candidates)."""
        qkeys = person_keys(query)
        if not qkeys or not len(self.keys):
            return []
        hashes = np.fromiter(qkeys.keys(), dtype=np.uint64, count=len(qkeys))
        weights = np.array([KIND_WEIGHT[k] for k in qkeys.values()])
        caps = np.array([MAX_POSTING_BY_KIND[k] for k in qkeys.values()])
        pos = np.searchsorted(self.keys, hashes)
        pos[pos >= len(self.keys)] = 0
        found = self.keys[pos] == hashes
        if not found.any():
            return []
        starts = self.offsets[pos[found]]
        lengths = self.offsets[pos[found] + 1] - starts
        qweights = weights[found]
        usable = lengths <= caps[found]
        if not usable.any():
            # Only very common keys: use the strongest one, truncated.
            best = int(np.argmax(qweights))
            usable = np.zeros(len(lengths), dtype=bool)
            usable[best] = True
            lengths = np.minimum(lengths, MAX_POSTING)
        starts, lengths, qweights = starts[usable], lengths[usable], qweights[usable]
        # Concatenated ranges [start, start+length) without a Python loop.
        shift = starts - (np.cumsum(lengths) - lengths)
        index = np.arange(int(lengths.sum())) + np.repeat(shift, lengths)
        ids = self.postings[index]
        # A hit counts with the weaker of the two sides' key kinds.
        votes = np.minimum(np.repeat(qweights, lengths), KIND_WEIGHT_ARR[self.kinds[index]])
        # A key only a handful of entities share (a rare surname) is strong evidence even when
        # it is a weak kind of key, e.g. when the given name has a typo and no initial agrees.
        votes = np.where(np.repeat(lengths <= RARE_POSTING, lengths), np.maximum(votes, RARE_VOTE), votes)
        uniq, inverse = np.unique(ids, return_inverse=True)
        totals = np.bincount(inverse, weights=votes)
        # Entities with a small fraction of the best vote share only a common part (a
        # frequent given name, an initial); scoring them exactly would be wasted work.
        keep = totals >= totals.max() * VOTE_FRACTION
        uniq, totals = uniq[keep], totals[keep]
        k = self.max_candidates
        if len(uniq) > k:
            top = np.argpartition(-totals, k)[:k]
            top = top[np.argsort(-totals[top], kind="stable")]
        else:
            top = np.argsort(-totals, kind="stable")
        return [int(x) for x in uniq[top]]

    def screen(self, query: Mapping[str, Any], top: int = 5) -> list[Hit]:
        """The ``top`` best-scoring watchlist entities for an FtM query dict, best first."""
        return self.screen_person(person_from_entity(query), top)

    def screen_person(self, query: Person, top: int = 5) -> list[Hit]:
        """As :meth:`screen`, for an already normalised query."""
        ranked = []
        for number in self.candidates(query):
            person = self._person(number)
            ranked.append((-quick_score(query, person), person.id, person))
        ranked.sort(key=lambda r: (r[0], r[1]))
        hits = []
        for _, entity_id, person in ranked[:top]:
            # Only the shown results pay for an explanation.
            result = score_persons(query, person)
            hits.append(Hit(entity_id, result.score, result))
        return hits


KIND_WEIGHT_ARR = np.array(KIND_WEIGHT, dtype=np.float64)

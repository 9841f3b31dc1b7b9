"""Pure in-memory near-duplicate index, keyed on min-hash sketch bins.

Two near duplicates (:func:`~scrapy_newsclean.neardup.is_near_duplicate`)
share at least one of the :data:`~scrapy_newsclean.neardup.BINS` bin values of
their sketches, so a lookup only compares the entries that share a bin value
with the query (a few at a million entries), never the whole index; each
candidate is then checked on the full bin value and the simhash distance.

Layout (about 39 bytes per fingerprint at 1M, no per-entry Python objects):
each entry is a slot in parallel ``array`` columns (simhash, sketch, ref) and
sits on one singly linked chain per bin; ``heads[bin][bucket]`` is the first
slot of a chain, ``links[slot * BINS + bin]`` the next one (``-1`` ends it).
Buckets are the low bits of a bin value; their number doubles (and the chains
are rebuilt) whenever entries outnumber it four to one, so a small index
stays small. Removed slots are reused through a free list.
"""

from __future__ import annotations

import sys
from array import array
from typing import TYPE_CHECKING

from scrapy_newsclean.neardup._params import DEFAULT
from scrapy_newsclean.neardup._simhash import MASK64
from scrapy_newsclean.neardup._sketch import (
    BIN_BITS,
    BIN_MASK,
    BIN_SHIFTS,
    BINS,
    sketch_bins,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy_newsclean.neardup._fingerprint import Fingerprint
    from scrapy_newsclean.neardup._params import SimhashConfig

_MIN_BUCKET_BITS = 8
_LOAD = 4  # entries per bucket before the buckets double
_FREE = -(1 << 63)  # ref of a free slot (so refs.index() never finds it)


class NearIndex:
    """Near-duplicate lookup over fingerprints, each mapped to an int ``ref``.

    ``ref`` is the caller's handle (a row id: a signed 64-bit int other than
    ``-2**63``). A hit passes exactly the checks of
    :func:`~scrapy_newsclean.neardup.is_near_duplicate` (a shared sketch bin,
    simhash within ``config.distance``); exact-content copies have equal
    sketches, so they are found too. Empty fingerprints are never stored or
    matched.
    """

    __slots__ = (
        "_bits",
        "_config",
        "_free",
        "_heads",
        "_links",
        "_refs",
        "_sims",
        "_size",
        "_sketches",
    )

    def __init__(self, config: SimhashConfig = DEFAULT) -> None:
        self._config = config
        self._bits = _MIN_BUCKET_BITS
        self._heads = [array("i", [-1]) * (1 << self._bits) for _ in range(BINS)]
        self._links = array("i")
        self._sims = array("Q")
        self._sketches = array("Q")
        self._refs = array("q")
        self._free = -1
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, fp: Fingerprint, ref: int) -> None:
        """Store ``fp`` under ``ref`` (raises ValueError for an empty fingerprint)."""
        if fp.empty:
            raise ValueError("empty fingerprints are never indexed")
        if ref == _FREE:
            raise ValueError(f"ref {ref!r} is reserved")
        slot = self._free
        if slot >= 0:
            self._free = self._links[slot * BINS]
            self._sims[slot] = fp.simhash & MASK64
            self._sketches[slot] = fp.sketch & MASK64
            self._refs[slot] = ref
        else:
            slot = len(self._sims)
            self._sims.append(fp.simhash & MASK64)
            self._sketches.append(fp.sketch & MASK64)
            self._refs.append(ref)
            self._links.extend([-1] * BINS)
        self._size += 1
        if self._size > _LOAD << self._bits and self._bits < BIN_BITS:
            self._rebuild(self._bits + 1)
        else:
            self._link(slot)

    def _link(self, slot: int) -> None:
        bucket = (1 << self._bits) - 1
        base = slot * BINS
        for b, value in enumerate(sketch_bins(self._sketches[slot])):
            heads = self._heads[b]
            self._links[base + b] = heads[value & bucket]
            heads[value & bucket] = slot

    def _rebuild(self, bits: int) -> None:
        """Re-chain every live slot over ``2**bits`` buckets per bin."""
        self._bits = bits
        self._heads = [array("i", [-1]) * (1 << bits) for _ in range(BINS)]
        for slot, ref in enumerate(self._refs):
            if ref != _FREE:
                self._link(slot)

    def find(
        self, fp: Fingerprint, accept: Callable[[int, int], bool] | None = None
    ) -> tuple[int, int] | None:
        """``(ref, distance)`` of the closest near duplicate, or None.

        *accept* ``(ref, distance)``, when given, has the last word on each
        candidate that passed the checks (the stores' URL rule,
        :func:`~scrapy_newsclean.neardup._near.counts_as_duplicate`).
        """
        if fp.empty:
            return None
        query, k = fp.simhash & MASK64, self._config.distance
        sims, sketches, links = self._sims, self._sketches, self._links
        bucket = (1 << self._bits) - 1
        best: tuple[int, int] | None = None
        for b, value in enumerate(sketch_bins(fp.sketch)):
            shift = BIN_SHIFTS[b]
            slot = self._heads[b][value & bucket]
            while slot >= 0:
                distance = (sims[slot] ^ query).bit_count()
                if (
                    distance <= k
                    and (best is None or distance < best[1])
                    and (sketches[slot] >> shift) & BIN_MASK == value
                    and (accept is None or accept(self._refs[slot], distance))
                ):
                    best = (self._refs[slot], distance)
                    if distance == 0:
                        return best
                slot = links[slot * BINS + b]
        return best

    def remove(self, ref: int, sketch: int | None = None) -> bool:
        """Forget the entry ``ref``; False if absent.

        With its ``sketch`` this walks one chain; without (or with a wrong
        one) it scans the ref column (C speed, about a millisecond per million
        entries).
        """
        slot = self._slot_of(ref, sketch)
        if slot < 0:
            return False
        bucket = (1 << self._bits) - 1
        for b, value in enumerate(sketch_bins(self._sketches[slot])):
            self._unlink(b, value & bucket, slot)
        self._refs[slot] = _FREE
        self._links[slot * BINS] = self._free
        self._free = slot
        self._size -= 1
        return True

    def _slot_of(self, ref: int, sketch: int | None) -> int:
        if ref == _FREE:
            return -1
        if sketch is not None:
            bucket = (1 << self._bits) - 1
            slot = self._heads[0][sketch_bins(sketch & MASK64)[0] & bucket]
            while slot >= 0:
                if self._refs[slot] == ref:
                    return slot
                slot = self._links[slot * BINS]
        try:
            return self._refs.index(ref)
        except ValueError:
            return -1

    def _unlink(self, b: int, key: int, slot: int) -> None:
        heads, links = self._heads[b], self._links
        current = heads[key]
        if current == slot:
            heads[key] = links[slot * BINS + b]
            return
        while current >= 0:
            following = links[current * BINS + b]
            if following == slot:
                links[current * BINS + b] = links[slot * BINS + b]
                return
            current = following

    def memory_bytes(self) -> int:
        """Bytes held by the index (arrays with their spare capacity, the object)."""
        columns = (self._links, self._sims, self._sketches, self._refs, *self._heads)
        return sys.getsizeof(self) + sum(map(sys.getsizeof, columns))

"""Pure in-memory pigeonhole index of 64-bit simhashes (Manku et al., WWW 2007).

With tolerance ``k`` the 64 bits are cut into ``k + 1`` bands
(:func:`~scrapy_newsclean.simhash.band_widths`): two fingerprints within
``k`` bits agree on at least one whole band, so a lookup only compares the
entries that share a band value with the query, never the whole index.

Layout (about 41 bytes per fingerprint at 1M, no per-entry Python objects):
each entry is a slot in parallel ``array`` columns (simhash, sketch, ref) and
sits on one singly linked chain per band; ``heads[band][bucket]`` is the first
slot of a chain, ``links[slot * bands + band]`` the next one (``-1`` ends it).
Buckets use at most 16 bits of a band; wider bands share buckets, which only
adds candidates (every candidate is checked on all 64 bits). Removed slots
are reused through a free list.
"""

from __future__ import annotations

import sys
from array import array
from typing import TYPE_CHECKING

from scrapy_newsclean.simhash import DEFAULT, MASK64, band_widths

if TYPE_CHECKING:
    from scrapy_newsclean.simhash import Fingerprint, SimhashConfig

_BUCKET_BITS = 16
_FREE = -(1 << 63)  # ref of a free slot (so refs.index() never finds it)


class NearIndex:
    """Near-duplicate lookup over fingerprints, each mapped to an int ``ref``.

    ``ref`` is the caller's handle (a row id: a signed 64-bit int other than
    ``-2**63``). A hit must pass the same checks as
    :func:`~scrapy_newsclean.simhash.is_near_duplicate`: simhash within
    ``config.distance`` and sketch within ``config.sketch_distance``. Empty
    fingerprints are never stored or matched.
    """

    __slots__ = (
        "_bands",
        "_buckets",
        "_config",
        "_free",
        "_heads",
        "_links",
        "_refs",
        "_shifts",
        "_sims",
        "_size",
        "_sketches",
    )

    def __init__(self, config: SimhashConfig = DEFAULT) -> None:
        self._config = config
        widths = band_widths(config.distance)
        self._bands = len(widths)
        shifts, buckets, end = [], [], 64
        for width in widths:
            end -= width
            bits = min(width, _BUCKET_BITS)
            shifts.append(end + width - bits)  # the top ``bits`` of each band
            buckets.append((1 << bits) - 1)
        self._shifts = tuple(shifts)
        self._buckets = tuple(buckets)
        self._heads = [array("i", [-1]) * (m + 1) for m in buckets]
        self._links = array("i")
        self._sims = array("Q")
        self._sketches = array("Q")
        self._refs = array("q")
        self._free = -1
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _keys(self, simhash: int) -> list[int]:
        return [
            (simhash >> s) & m for s, m in zip(self._shifts, self._buckets, strict=True)
        ]

    def add(self, fp: Fingerprint, ref: int) -> None:
        """Store ``fp`` under ``ref`` (raises ValueError for an empty fingerprint)."""
        if fp.empty:
            raise ValueError("empty fingerprints are never indexed")
        if ref == _FREE:
            raise ValueError(f"ref {ref!r} is reserved")
        slot = self._free
        if slot >= 0:
            self._free = self._links[slot * self._bands]
            self._sims[slot] = fp.simhash & MASK64
            self._sketches[slot] = fp.sketch & MASK64
            self._refs[slot] = ref
        else:
            slot = len(self._sims)
            self._sims.append(fp.simhash & MASK64)
            self._sketches.append(fp.sketch & MASK64)
            self._refs.append(ref)
            self._links.extend([-1] * self._bands)
        base = slot * self._bands
        for band, key in enumerate(self._keys(fp.simhash)):
            heads = self._heads[band]
            self._links[base + band] = heads[key]
            heads[key] = slot
        self._size += 1

    def find(self, fp: Fingerprint) -> tuple[int, int] | None:
        """``(ref, distance)`` of the closest verified near duplicate, or None."""
        if fp.empty:
            return None
        query, sketch = fp.simhash & MASK64, fp.sketch & MASK64
        k, sk, bands = self._config.distance, self._config.sketch_distance, self._bands
        sims, sketches, links = self._sims, self._sketches, self._links
        best: tuple[int, int] | None = None
        for band, key in enumerate(self._keys(query)):
            slot = self._heads[band][key]
            while slot >= 0:
                distance = (sims[slot] ^ query).bit_count()
                if (
                    distance <= k
                    and (best is None or distance < best[1])
                    and (sketches[slot] ^ sketch).bit_count() <= sk
                ):
                    best = (self._refs[slot], distance)
                    if distance == 0:
                        return best
                slot = links[slot * bands + band]
        return best

    def remove(self, ref: int, simhash: int | None = None) -> bool:
        """Forget the entry ``ref``; False if absent.

        With its ``simhash`` this walks one chain; without, it scans the ref
        column (C speed, about a millisecond per million entries).
        """
        slot = self._slot_of(ref, simhash)
        if slot < 0:
            return False
        base = slot * self._bands
        for band, key in enumerate(self._keys(self._sims[slot])):
            self._unlink(band, key, slot)
        self._refs[slot] = _FREE
        self._links[base] = self._free
        self._free = slot
        self._size -= 1
        return True

    def _slot_of(self, ref: int, simhash: int | None) -> int:
        if ref == _FREE:
            return -1
        if simhash is None:
            try:
                return self._refs.index(ref)
            except ValueError:
                return -1
        simhash &= MASK64
        slot = self._heads[0][self._keys(simhash)[0]]
        while slot >= 0:
            if self._refs[slot] == ref and self._sims[slot] == simhash:
                return slot
            slot = self._links[slot * self._bands]
        return -1

    def _unlink(self, band: int, key: int, slot: int) -> None:
        heads, links, bands = self._heads[band], self._links, self._bands
        current = heads[key]
        if current == slot:
            heads[key] = links[slot * bands + band]
            return
        while current >= 0:
            following = links[current * bands + band]
            if following == slot:
                links[current * bands + band] = links[slot * bands + band]
                return
            current = following

    def memory_bytes(self) -> int:
        """Bytes held by the index (arrays with their spare capacity, the object)."""
        columns = (self._links, self._sims, self._sketches, self._refs, *self._heads)
        return sys.getsizeof(self) + sum(map(sys.getsizeof, columns))

"""The min-hash sketch of a text's shingle hashes, and its index keys.

A one-permutation min-hash of the shingle set: the shingles are cut into
:data:`BINS` (3) bins by their hash modulo 3 and bin ``i`` keeps
:data:`BIN_BITS` (21) bits of its smallest hash, at bits ``62 - 21 i`` down to
``42 - 21 i`` (bit 63 is always 0). Two articles share a bin value with
probability about their shingle Jaccard similarity, so a copy with a trimmed
paragraph or added boilerplate shares one of the three (the index candidates);
unrelated texts almost never (by chance: 3 in 2**21 pairs).
"""

from __future__ import annotations

import re
import sys
from array import array
from functools import lru_cache
from heapq import nsmallest

#: Min-hash bins in a sketch, of :data:`BIN_BITS` bits each.
BINS = 3
BIN_BITS = 21
BIN_MASK = (1 << BIN_BITS) - 1
# Bin minima are looked for among this many smallest shingle hashes (a bin
# missing there, probability 3 * (2/3)**24 = 0.002%, is filled as an empty one).
_LOWEST = 24
BIN_SHIFTS = tuple(BIN_BITS * (BINS - 1 - b) for b in range(BINS))


def _lowest(shingles: bytes) -> list[int]:
    """The :data:`_LOWEST` smallest big-endian 8-byte hashes, ascending.

    Equals ``nsmallest(_LOWEST, hashes)`` but only converts the hashes whose
    first byte is below a limit expected to keep twice that many (found in C
    by a regex over the first-byte column); too few kept: all of them.
    """
    count = len(shingles) // 8
    values = array("Q", shingles)
    if sys.byteorder == "little":
        values.byteswap()
    if count > 4 * _LOWEST:
        limit = -(-512 * _LOWEST // count)  # expect 2 * _LOWEST below it
        found = _first_byte_below(limit).finditer(shingles[::8])
        kept = [values[match.start()] for match in found]
        if len(kept) >= _LOWEST:
            kept.sort()
            return kept[:_LOWEST]
    return nsmallest(_LOWEST, values)


@lru_cache(maxsize=256)
def _first_byte_below(limit: int) -> re.Pattern[bytes]:
    return re.compile(b"[\\x00-\\x%02x]" % (limit - 1))


def min_hash_sketch(shingles: bytes) -> int:
    """:data:`BINS` bin minima of big-endian 8-byte hashes, packed (0 if none).

    Bin ``b`` holds the hashes ``h`` with ``h % BINS == b``; its value is the
    low :data:`BIN_BITS` bits of ``min(h) // BINS``. An empty bin borrows the
    next non-empty bin's value plus a per-step constant (rotation
    densification, Shrivastava and Li, 2014).
    """
    if not shingles:
        return 0
    found: list[int | None] = [None] * BINS
    missing = BINS
    for value in _lowest(shingles):
        rest, b = divmod(value, BINS)
        if found[b] is None:
            found[b] = rest & BIN_MASK
            missing -= 1
            if not missing:
                break
    sketch = 0
    for b, shift in enumerate(BIN_SHIFTS):
        step, bin_min = 0, found[b]
        while bin_min is None:
            step += 1
            bin_min = found[(b + step) % BINS]
        sketch |= ((bin_min + 0x9E3779 * step) & BIN_MASK) << shift
    return sketch


def shares_bin(a: int, b: int) -> bool:
    """True when two sketches hold the same value in at least one bin."""
    return any(
        (a >> shift) & BIN_MASK == (b >> shift) & BIN_MASK for shift in BIN_SHIFTS
    )


def sketch_bins(sketch: int) -> tuple[int, ...]:
    """The :data:`BINS` bin values of a sketch (each below ``2**BIN_BITS``)."""
    return tuple((sketch >> shift) & BIN_MASK for shift in BIN_SHIFTS)

"""The min-hash sketch of shingle hashes (scrapy_newsclean.neardup._sketch)."""

from __future__ import annotations

import random
from heapq import nsmallest

import pytest

from scrapy_newsclean.neardup._features import feature_blob, shingle_hashes
from scrapy_newsclean.neardup._params import DEFAULT
from scrapy_newsclean.neardup._sketch import (
    _LOWEST,
    BIN_BITS,
    BIN_MASK,
    BINS,
    _lowest,
    min_hash_sketch,
    shares_bin,
    sketch_bins,
)

STORY = (
    "The city council voted 7-2 on Tuesday to approve a new budget for the "
    "harbour, ending months of debate over the cost of dredging the channel. "
    "The mayor said the port and the fishermen could finally live with the plan, "
    "and work on the channel is expected to start in the spring."
)


def shingles_of(text: str) -> bytes:
    return shingle_hashes(feature_blob(text, DEFAULT.ngram))


def pack(values: list[int]) -> bytes:
    return b"".join(v.to_bytes(8, "big") for v in values)


def reference_sketch(values: list[int]) -> tuple[int, ...]:
    """Each bin's minimum hash // BINS, low BIN_BITS bits (no empty bin)."""
    return tuple(
        (min(v for v in values if v % BINS == b) // BINS) & BIN_MASK
        for b in range(BINS)
    )


@pytest.mark.parametrize("count", [3, 40, 97, 5000], ids=["3", "40", "97", "5000"])
def test_lowest_equals_nsmallest(count: int) -> None:
    rng = random.Random(count)
    values = [rng.getrandbits(64) for _ in range(count)]
    assert _lowest(pack(values)) == nsmallest(_LOWEST, values)


def test_lowest_with_many_equal_first_bytes_falls_back() -> None:
    values = [0xFF << 56 | n for n in range(500)]  # none below the expected limit
    assert _lowest(pack(values)) == sorted(values)[:_LOWEST]


def test_sketch_bins_hold_each_bins_minimum() -> None:
    rng = random.Random(7)
    values = [rng.getrandbits(64) for _ in range(300)]
    sketch = min_hash_sketch(pack(values))
    assert sketch_bins(sketch) == reference_sketch(values)
    assert 0 <= sketch < 1 << (BINS * BIN_BITS)


def test_empty_bins_are_densified_with_distinct_values() -> None:
    values = [3 * 10 + 1, 3 * 20 + 1]  # bin 1 only
    bins = sketch_bins(min_hash_sketch(pack(values)))
    assert bins[1] == 10
    assert bins[0] != bins[1]
    assert bins[2] != bins[1]
    assert min_hash_sketch(b"") == 0


def test_copies_share_a_bin_and_unrelated_texts_do_not() -> None:
    base = min_hash_sketch(shingles_of(STORY))
    with_footer = min_hash_sketch(shingles_of(STORY + " Subscribe to our newsletter."))
    other = min_hash_sketch(
        shingles_of("Heavy snow closed the mountain pass for a third day on Friday.")
    )
    assert shares_bin(base, base)
    assert shares_bin(base, with_footer)
    assert not shares_bin(base, other)


def test_shares_bin_compares_bin_by_bin() -> None:
    a = 5 << 42 | 6 << 21 | 7
    assert shares_bin(a, 9 << 42 | 9 << 21 | 7)
    assert not shares_bin(a, 7 << 42 | 5 << 21 | 6)  # same values, other bins
    assert sketch_bins(a) == (5, 6, 7)

from __future__ import annotations

import random

import pytest

from scrapy_newsclean.neardup import (
    DEFAULT,
    Fingerprint,
    SimhashConfig,
    fingerprint,
    hamming,
    is_near_duplicate,
    sketch_bins,
)
from scrapy_newsclean.neardup._index import NearIndex

HIGH = (1 << 63) | 0x0123_4567_89AB_CDEF
SKETCH = 0x1234 << 42 | 0x5678 << 21 | 0x1ABC


def fp(simhash: int, sketch: int = SKETCH) -> Fingerprint:
    return Fingerprint(simhash, sketch, simhash ^ sketch ^ 0x5555, 10)


def flip(value: int, *bits: int) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


def test_add_find_remove_with_bit_63() -> None:
    index = NearIndex()
    index.add(fp(HIGH), 7)
    assert len(index) == 1
    assert index.find(fp(HIGH)) == (7, 0)
    assert index.find(fp(flip(HIGH, 63, 10, 20))) == (7, 3)
    assert index.remove(7, SKETCH)
    assert index.find(fp(HIGH)) is None
    assert len(index) == 0
    assert not index.remove(7, SKETCH)


def test_no_match_beyond_distance() -> None:
    index = NearIndex()
    index.add(fp(HIGH), 1)
    far = flip(HIGH, *range(DEFAULT.distance + 1))
    assert index.find(fp(far)) is None
    assert index.find(fp(flip(HIGH, *range(DEFAULT.distance)))) == (1, 17)
    assert NearIndex(SimhashConfig(distance=4)).find(fp(HIGH)) is None


def test_candidates_need_a_shared_bin_value() -> None:
    index = NearIndex()
    index.add(fp(HIGH), 1)
    other_bins = 0x1235 << 42 | 0x5679 << 21 | 0x1ABD
    assert index.find(fp(HIGH, other_bins)) is None
    # same bucket (low bits) in a small index, different full bin value
    clash = 0x1234 | 1 << 20
    assert index.find(fp(HIGH, clash << 42 | 0x5679 << 21 | 0x1ABD)) is None
    assert index.find(fp(HIGH, other_bins ^ 0x1ABD ^ 0x1ABC)) == (1, 0)


def test_find_returns_closest() -> None:
    index = NearIndex()
    index.add(fp(flip(HIGH, 1, 2, 3)), 1)
    index.add(fp(flip(HIGH, 1)), 2)
    index.add(fp(flip(HIGH, 40, 41)), 3)
    assert index.find(fp(HIGH)) == (2, 1)


def test_remove_by_ref_only_and_slot_reuse() -> None:
    index = NearIndex()
    for ref in range(5):
        index.add(fp(flip(HIGH, ref * 12)), ref)
    assert index.remove(2)
    assert not index.remove(2)
    assert index.remove(3, sketch=0)  # wrong hint: falls back to a scan
    found = index.find(fp(flip(HIGH, 24)))
    assert found is not None
    assert found[0] not in (2, 3)
    index.add(fp(0xDEAD_BEEF, 0xBEEF), 99)
    assert index.find(fp(0xDEAD_BEEF, 0xBEEF)) == (99, 0)
    assert len(index) == 4


def test_empty_fingerprints_never_indexed() -> None:
    index = NearIndex()
    empty = fingerprint("   ")
    with pytest.raises(ValueError, match="empty"):
        index.add(empty, 1)
    assert index.find(empty) is None


def test_reserved_ref_rejected() -> None:
    with pytest.raises(ValueError, match="reserved"):
        NearIndex().add(fp(1), -(1 << 63))


@pytest.mark.parametrize("distance", [3, 10, 17], ids=str)
def test_matches_brute_force_through_growth(distance: int) -> None:
    rng = random.Random(distance)
    config = SimhashConfig(distance=distance)
    index = NearIndex(config)
    # few distinct bin values, so candidates share buckets; enough entries
    # (3,000) for the buckets to double several times
    stored = [
        Fingerprint(
            rng.getrandbits(64), sum(rng.randrange(64) << s for s in (42, 21, 0)), i, 5
        )
        for i in range(3000)
    ]
    for ref, value in enumerate(stored):
        index.add(value, ref)
    for removed in range(0, len(stored), 7):
        assert index.remove(removed, stored[removed].sketch)
    alive = {ref: v for ref, v in enumerate(stored) if ref % 7}
    assert len(index) == len(alive)
    queries = [
        Fingerprint(flip(v.simhash, *rng.sample(range(64), 3)), v.sketch, -1, 5)
        for v in rng.sample(list(stored), 100)
    ]
    queries += [
        Fingerprint(rng.getrandbits(64), rng.getrandbits(63), -1, 5) for _ in range(50)
    ]
    for query in queries:
        matches = [
            hamming(v.simhash, query.simhash)
            for v in alive.values()
            if is_near_duplicate(v, query, config)[0]
        ]
        found = index.find(query)
        if matches:
            assert found is not None
            assert found[1] == min(matches)
            assert is_near_duplicate(alive[found[0]], query, config) == (True, found[1])
        else:
            assert found is None


def test_real_texts_agree_with_is_near_duplicate() -> None:
    texts = [
        "Officials said the bridge will close for repairs on Monday. " * 5,
        "The central bank raised interest rates by a quarter point today. " * 5,
    ]
    index = NearIndex()
    for ref, text in enumerate(texts):
        index.add(fingerprint(text), ref)
    copy = fingerprint("BREAKING: " + texts[1] + " Read more at our site.")
    found = index.find(copy)
    assert found is not None
    assert found[0] == 1
    assert is_near_duplicate(fingerprint(texts[1]), copy) == (True, found[1])
    assert set(sketch_bins(copy.sketch)) & set(
        sketch_bins(fingerprint(texts[1]).sketch)
    )


def test_memory_bytes_grows_then_stays_compact() -> None:
    index = NearIndex()
    empty = index.memory_bytes()
    assert empty < 20_000  # a per-scope index starts small
    rng = random.Random(0)
    for ref in range(5000):
        index.add(fp(rng.getrandbits(64), rng.getrandbits(63)), ref)
    used = index.memory_bytes()
    assert empty + 5000 * 36 < used < 5000 * 48

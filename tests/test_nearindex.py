from __future__ import annotations

import random

import pytest

from scrapy_newsclean.nearindex import NearIndex
from scrapy_newsclean.simhash import (
    Fingerprint,
    SimhashConfig,
    fingerprint,
    hamming,
    is_near_duplicate,
)

HIGH = (1 << 63) | 0x0123_4567_89AB_CDEF


def fp(simhash: int, sketch: int = 0) -> Fingerprint:
    return Fingerprint(simhash, sketch, simhash ^ 0x5555, 10)


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
    assert index.remove(7, HIGH)
    assert index.find(fp(HIGH)) is None
    assert len(index) == 0
    assert not index.remove(7, HIGH)


def test_no_match_beyond_distance() -> None:
    index = NearIndex()
    index.add(fp(HIGH), 1)
    assert index.find(fp(flip(HIGH, 0, 17, 33, 63))) is None
    assert NearIndex(SimhashConfig(distance=4)).find(fp(HIGH)) is None


def test_sketch_verification_rejects_candidates() -> None:
    index = NearIndex()
    index.add(fp(HIGH, sketch=0), 1)
    assert index.find(fp(HIGH, sketch=(1 << 16) - 1)) is None
    assert index.find(fp(HIGH, sketch=(1 << 15) - 1)) == (1, 0)


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
    found = index.find(fp(flip(HIGH, 24)))
    assert found is not None
    assert found[0] != 2
    assert found[1] == 2
    index.add(fp(0xDEAD_BEEF), 99)
    assert index.find(fp(0xDEAD_BEEF)) == (99, 0)
    assert len(index) == 5


def test_empty_fingerprints_never_indexed() -> None:
    index = NearIndex()
    empty = fingerprint("   ")
    with pytest.raises(ValueError, match="empty"):
        index.add(empty, 1)
    assert index.find(empty) is None


def test_reserved_ref_rejected() -> None:
    with pytest.raises(ValueError, match="reserved"):
        NearIndex().add(fp(1), -(1 << 63))


@pytest.mark.parametrize("distance", [1, 2, 3, 5], ids=str)
def test_matches_brute_force(distance: int) -> None:
    rng = random.Random(distance)
    config = SimhashConfig(distance=distance, sketch_distance=64)
    index = NearIndex(config)
    base = [rng.getrandbits(64) for _ in range(50)]
    stored = [
        flip(b, *rng.sample(range(64), rng.randint(0, 6))) for b in base for _ in (0, 1)
    ]
    for ref, value in enumerate(stored):
        index.add(fp(value), ref)
    for removed in range(0, len(stored), 7):
        assert index.remove(removed, stored[removed])
    alive = {ref: v for ref, v in enumerate(stored) if ref % 7}
    for query in base + [rng.getrandbits(64) for _ in range(50)]:
        best = min((hamming(v, query) for v in alive.values()), default=99)
        found = index.find(fp(query))
        if best <= distance:
            assert found is not None
            assert found[1] == best
            assert hamming(alive[found[0]], query) == best
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


def test_memory_bytes_grows() -> None:
    index = NearIndex()
    empty = index.memory_bytes()
    for ref in range(1000):
        index.add(fp(ref * 0x9E3779B97F4A7C15 & ((1 << 64) - 1)), ref)
    assert index.memory_bytes() > empty + 1000 * 40

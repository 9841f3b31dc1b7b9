"""The compiled kernels equal the pure Python reference, bit for bit.

Every kernel of ``scrapy_newsclean._speedups`` is compared with its pure
reference in the same process (both paths run in every test run, whichever
one is active), on generated text in many scripts and on the real texts of
``tests/fixtures``; fingerprints stored by a pure process are found by the
compiled one. In CI (``CI=true``) a missing extension is a failure, never a
skip: the package's own build must have compiled it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from hashlib import blake2b
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapy_newsclean import _accel
from scrapy_newsclean.neardup import _features, _fingerprint
from scrapy_newsclean.neardup._features import SHINGLE, _digests_of, _token_blobs
from scrapy_newsclean.neardup._fingerprint import Fingerprint, fingerprint
from scrapy_newsclean.neardup._simhash import fold
from scrapy_newsclean.neardup._sketch import min_hash_sketch
from scrapy_newsclean.stores import build_store
from scrapy_newsclean.stores._base import Match
from scrapy_newsclean.testing import run_in_loop
from tests._fuzz import examples

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def _compiled() -> ModuleType:
    try:
        from scrapy_newsclean import _speedups
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("the C extension scrapy_newsclean._speedups was not built")
        pytest.skip("the C extension is not built (no C compiler at install time)")
    return _speedups


@pytest.fixture(scope="module")
def compiled() -> ModuleType:
    return _compiled()


def real_texts() -> list[str]:
    """Every text fixture: news in a dozen languages, near-duplicate pairs."""
    paths = [
        *sorted((FIXTURES / "neardup").glob("*.txt")),
        *sorted((FIXTURES / "simhash").glob("*.txt")),
        *sorted((FIXTURES / "text").glob("*.txt")),
    ]
    texts = [p.read_text("utf-8") for p in paths]
    assert len(texts) > 40
    return texts


REAL_TEXTS = real_texts()

# Scripts with and without spaces, digits of several systems, emoji, marks,
# typographic punctuation and the whitespace str.split() knows.
ALPHABET = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from(
        "éüßİıǅﬁ²½①٣७\u2014\u2013\u2026\u2019\u201c\u00a0\u3000\u2028\t\n "
    ),
    st.characters(min_codepoint=0x0E00, max_codepoint=0x0E7F),  # Thai
    st.characters(min_codepoint=0x3040, max_codepoint=0x30FF),  # kana
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),  # CJK
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1F64F),  # emoji
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),  # Arabic
    st.characters(),  # anything, lone surrogates included
)
TEXTS = st.text(ALPHABET, max_size=300)
WORDS = st.lists(st.sampled_from([*REAL_TEXTS[0].split(), "2024", "x1"]), max_size=40)


def pure_fingerprint(text: str) -> Fingerprint:
    """The fingerprint as the pure path computes it (no memo, pure hashing)."""
    tf = b"".join(_token_blobs(text.split(), 2, _digests_of))
    if not tf:
        content = blake2b(b"", digest_size=8, person=b"content").digest()
        return Fingerprint(0, 0, int.from_bytes(content, "big"), 0)
    simhash, sketch = _fingerprint.simhash_sketch(tf)
    content = blake2b(tf, digest_size=8, person=b"content").digest()
    return Fingerprint(simhash, sketch, int.from_bytes(content, "big"), len(tf) // 8)


class TestActivePath:
    def test_the_active_path_is_named(self) -> None:
        expected = {"compiled", "pure (NEWSCLEAN_PURE=1)", "pure (extension not built)"}
        assert _accel.ACTIVE in expected
        assert (_accel.speedups is None) == _accel.ACTIVE.startswith("pure")

    @pytest.mark.parametrize(
        ("pure", "expected"),
        [("1", "pure (NEWSCLEAN_PURE=1)"), ("0", None), ("", None)],
        ids=["forced", "zero", "empty"],
    )
    def test_version_says_which_path(self, pure: str, expected: str | None) -> None:
        env = {**os.environ, _accel.PURE_VARIABLE: pure}
        out = subprocess.run(
            [sys.executable, "-m", "scrapy_newsclean", "--version"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        if expected is None:  # not forced: whatever this install has
            expected = "compiled" if _has_extension() else "pure (extension not built)"
        assert out.strip().endswith(f"kernels: {expected}")

    def test_the_extension_is_used_when_built(self, compiled: ModuleType) -> None:
        if os.environ.get(_accel.PURE_VARIABLE, "") not in {"", "0"}:
            pytest.skip("this run forces the pure path")
        assert _accel.speedups is compiled
        assert _features._DIGESTS_OF is compiled.digests
        assert _fingerprint._SIMHASH_SKETCH is compiled.simhash_sketch


def _has_extension() -> bool:
    try:
        from scrapy_newsclean import _speedups  # noqa: F401
    except ImportError:
        return False
    return True


class TestKernels:
    def test_the_permutations_are_the_pure_ones(self, compiled: ModuleType) -> None:
        assert _features._SBOXES[1] == compiled.SBOX1
        assert _features._SBOXES[2] == compiled.SBOX2

    @pytest.mark.parametrize(
        "feature",
        ["", "a", "abc123", "x" * 127, "x" * 128, "x" * 129, "y" * 1000, "é1",
         "\ud800", "東京", "١٢", "Ⅻ", "²", "a\U0001f600"],
        ids=lambda f: f"{len(f)}:{f[:3]!a}",
    )  # fmt: skip
    def test_digest_edges(self, compiled: ModuleType, feature: str) -> None:
        assert compiled.digests([feature]) == _digests_of([feature])

    @pytest.mark.fuzz
    @settings(max_examples=examples(200))
    @given(features=st.lists(TEXTS, max_size=20))
    def test_digests(self, compiled: ModuleType, features: list[str]) -> None:
        assert compiled.digests(features) == _digests_of(features)

    def test_digests_reject_non_str(self, compiled: ModuleType) -> None:
        with pytest.raises(TypeError, match="must be str"):
            compiled.digests([b"bytes"])

    @pytest.mark.fuzz
    @settings(max_examples=examples(200))
    @given(blob=st.binary(max_size=200))
    def test_shingle_hashes(self, compiled: ModuleType, blob: bytes) -> None:
        assert compiled.shingle_hashes(blob) == _features.shingle_hashes(blob)

    @pytest.mark.fuzz
    @settings(max_examples=examples(200))
    @given(
        blob=st.binary(max_size=300),
        weight=st.one_of(
            st.integers(-5, 80), st.sampled_from([-(1 << 70), 1 << 63, 1 << 70])
        ),
    )
    def test_fold(self, compiled: ModuleType, blob: bytes, weight: int) -> None:
        assert compiled.fold(blob, weight) == fold(blob, weight)

    def test_fold_of_a_long_input(self, compiled: ModuleType) -> None:
        # past the pure version's chunk size (2**16 digests), with trailing bytes
        blob = b"".join(
            blake2b(b"%d" % i, digest_size=8).digest() for i in range(70_000)
        )
        blob += b"\xff\x01\x80"
        for weight in (len(blob) // 8, 69_000, 71_000):
            assert compiled.fold(blob, weight) == fold(blob, weight)

    @pytest.mark.fuzz
    @settings(max_examples=examples(200))
    @given(values=st.lists(st.integers(0, (1 << 64) - 1), max_size=200))
    def test_min_hash_sketch(self, compiled: ModuleType, values: list[int]) -> None:
        shingles = b"".join(v.to_bytes(8, "big") for v in values)
        assert compiled.min_hash_sketch(shingles) == min_hash_sketch(shingles)

    @pytest.mark.fuzz
    @settings(max_examples=examples(100))
    @given(values=st.lists(st.integers(0, 60), min_size=25, max_size=300))
    def test_min_hash_sketch_with_ties(
        self, compiled: ModuleType, values: list[int]
    ) -> None:
        # small values: many ties and bins missing among the lowest hashes
        shingles = b"".join(v.to_bytes(8, "big") for v in values)
        assert compiled.min_hash_sketch(shingles) == min_hash_sketch(shingles)

    def test_min_hash_sketch_rejects_a_partial_hash(self, compiled: ModuleType) -> None:
        with pytest.raises(ValueError, match="multiple of item size"):
            min_hash_sketch(b"\x01" * 9)
        with pytest.raises(ValueError, match="multiple of item size"):
            compiled.min_hash_sketch(b"\x01" * 9)

    @pytest.mark.fuzz
    @settings(max_examples=examples(200))
    @given(blob=st.binary(max_size=400))
    def test_simhash_sketch(self, compiled: ModuleType, blob: bytes) -> None:
        assert compiled.simhash_sketch(blob) == _fingerprint.simhash_sketch(blob)


def _numeric_blob(flags: list[bool]) -> bytes:
    """Digests whose lowest bit says numeric, as the feature hashing sets it."""
    out = []
    for i, numeric in enumerate(flags):
        digest = bytearray(blake2b(b"%d" % i, digest_size=8).digest())
        digest[7] = (digest[7] & 0xFE) | numeric
        out.append(bytes(digest))
    return b"".join(out)


class TestFingerprints:
    @pytest.mark.fuzz
    @settings(max_examples=examples(100))
    @given(flags=st.lists(st.booleans(), max_size=3 * SHINGLE + 40))
    def test_numeric_shingles_count_twice(
        self, compiled: ModuleType, flags: list[bool]
    ) -> None:
        blob = _numeric_blob(flags)
        assert compiled.simhash_sketch(blob) == _fingerprint.simhash_sketch(blob)

    @pytest.mark.fuzz
    @settings(max_examples=examples(150))
    @given(text=st.one_of(TEXTS, WORDS.map(" ".join)))
    def test_generated_texts(self, compiled: ModuleType, text: str) -> None:
        for ngram in (1, 2, 3):
            tokens = text.split()
            pure = _token_blobs(tokens, ngram, _digests_of)
            assert _token_blobs(tokens, ngram, compiled.digests) == pure
            blob = b"".join(pure)
            assert compiled.simhash_sketch(blob) == _fingerprint.simhash_sketch(blob)

    @pytest.mark.parametrize("index", range(len(REAL_TEXTS)))
    def test_real_texts(self, compiled: ModuleType, index: int) -> None:
        text = REAL_TEXTS[index]
        tokens = text.split()
        pure = _token_blobs(tokens, 2, _digests_of)
        assert _token_blobs(tokens, 2, compiled.digests) == pure
        blob = b"".join(pure)
        assert compiled.simhash_sketch(blob) == _fingerprint.simhash_sketch(blob)

    def test_active_fingerprint_equals_the_pure_one(self) -> None:
        # the public function (memo, active kernels) against the pure composition
        for text in [*REAL_TEXTS, "", "  ", "— …", "a", "a b", "1 2 3 4"]:
            assert fingerprint(text) == pure_fingerprint(text)


FILL_SCRIPT = """
import asyncio, dataclasses, json, sys, time
from scrapy_newsclean import _accel
from scrapy_newsclean.neardup import fingerprint
from scrapy_newsclean.stores import build_store
from scrapy_newsclean.stores._base import Reservation

async def fill(uri, texts):
    store = build_store(uri)
    await store.open()
    stored = []
    for n, text in enumerate(texts):
        now = time.time()
        found = await store.check_and_reserve("", fingerprint(text), f"u:{n}", now)
        if isinstance(found, Reservation):
            await store.commit(found, now)
            stored.append(n)
    await store.close()
    return stored

uri, texts = json.loads(sys.stdin.read())
stored = asyncio.run(fill(uri, texts))
prints = [dataclasses.astuple(fingerprint(text)) for text in texts]
print(json.dumps([_accel.ACTIVE, stored, prints]))
"""


def test_a_store_filled_by_the_pure_path_serves_the_compiled_one(
    tmp_path: Path,
) -> None:
    _compiled()
    if _accel.speedups is None:
        pytest.skip("this run forces the pure path")
    uri = f"sqlite:///{tmp_path / 'pure.db'}"
    filled = subprocess.run(
        [sys.executable, "-c", FILL_SCRIPT],
        input=json.dumps([uri, REAL_TEXTS]),
        env={**os.environ, _accel.PURE_VARIABLE: "1"},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    active, stored, prints = json.loads(filled.stdout)
    assert active == "pure (NEWSCLEAN_PURE=1)"
    assert [Fingerprint(*p) for p in prints] == [fingerprint(t) for t in REAL_TEXTS]
    assert len(stored) > len(REAL_TEXTS) // 2  # the fixtures hold pairs
    _find_again(uri, stored)


@run_in_loop
async def _find_again(uri: str, stored: list[int]) -> None:
    """Each stored text, fingerprinted by this process, is found at distance 0."""
    store = build_store(uri)
    await store.open()
    try:
        for n in stored:
            found = await store.check_and_reserve(
                "", fingerprint(REAL_TEXTS[n]), "again", time.time()
            )
            assert isinstance(found, Match), n
            assert found.distance == 0, n
    finally:
        await store.close()

# ruff: noqa: RUF001  (multilingual test data)
"""The compiled feature blob (tokens to digests, with its memo) equals the pure one.

``_speedups.feature_blob`` runs the whole per-token loop of
:func:`~scrapy_newsclean.neardup._features.feature_blob` in C, with its own
bounded token memo. Its bytes are compared with the pure reference (no memo,
pure hashing) on edge cases, generated text in many scripts (lone surrogates
included) and the real texts of ``tests/fixtures``, from an empty memo and
from a warm one; then whole fingerprints on both paths in this process, and
the memo's bounds (cleared when full, memory given back).
"""

from __future__ import annotations

import gc
import threading
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapy_newsclean.neardup import _features, _fingerprint
from scrapy_newsclean.neardup._features import (
    _digests_of,
    _pure_feature_blob,
    _token_blobs,
    clear_memo,
    normalize,
)
from scrapy_newsclean.neardup._fingerprint import fingerprint
from scrapy_newsclean.neardup._params import SimhashConfig
from tests._fuzz import examples
from tests.test_accel import ALPHABET, REAL_TEXTS, WORDS, _compiled, pure_fingerprint

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType


@pytest.fixture(scope="module")
def compiled() -> ModuleType:
    return _compiled()


@pytest.fixture
def empty_memo(compiled: ModuleType) -> Iterator[None]:
    compiled.clear_feature_memo()
    yield
    compiled.clear_feature_memo()


def reference(text: str, ngram: int = 2) -> bytes:
    """The pure blob: every token's features hashed in Python, no memo."""
    return b"".join(_token_blobs(text.split(), ngram, _digests_of))


def blob(compiled: ModuleType, text: str, ngram: int = 2) -> bytes:
    return bytes(compiled.feature_blob(text, ngram, normalize))


EDGES = {
    "empty": "",
    "whitespace": " \t\n\u00a0\u3000\u2028 ",
    "punctuation only": "!!! ... — … “” ‘’ © ® ™ € 「」 · ¿¡ -- ...",
    "word": "Word",
    "memo limit": "x" * 64 + " " + "Y" * 64 + "!",
    "over the memo limit": "x" * 65 + " " + "Ab1" * 40 + " " + "é" * 70,
    "huge token": "https://example.com/" + "very-long-slug-" * 500,
    "mixed scripts": "Москва Berlin 東京 القاهرة Αθήνα mixed日本語text ภาษาไทย",
    "cjk and thai runs": "東京都は本日、来年度の予算案を発表した。ภาษาไทยง่าย 한국어 日本 東",
    "kana edges": "「テスト」 『日本』 【速報】 〈a〉 《b》 ー〜",
    "digits": "2024 covid-19 ٣٤ ७ ② ½ ² 1,000.50 $5 x1 Ⅻ",
    "u+2019": "don’t it’s ’quoted’ rock’n’roll ’",
    "dashes without spaces": "word—word –tail x——y a…b …c d… 1–2 —",
    "case and nfkc": "Straße STRASSE ﬁne ① ㎡ ＡＢ ǅ İstanbul ıi ẞ",
    "nfkc expansions": "ﷺ ㍿ ¨x ´a ῾ ﹏ ㈱ ¼ …",
    "combining marks": "cafe\u0301 e \u0301x a\u0308\u0308 \u0301",
    "lone surrogates": "\ud800 lone \udfff a\ud83db \ud83d\ude00 \udc00\ud800",
    "astral": "emoji 😀 🇫🇷 𝐀𝐁 𠀀𠀁𠀂 𪛖",
    "controls": "\x00 a\x00b \x7f \x1b[0m \u200b zero\u200bwidth \ufeffbom",
    "fullwidth and halfwidth": "ＡＢＣ１２３％（テスト） ｶﾞｷﾞ ｶ ﾞ ﾊﾟ ＄１，０００ ￥５００ ﾟ ﾠ ￦",
    "latin-1": "Ça coûte 10 €, n'est-ce pas? «Oui» — ¡Olé! ñandú",
}


class TestEdges:
    @pytest.mark.parametrize("ngram", [1, 2, 3, 5])
    @pytest.mark.parametrize("text", EDGES.values(), ids=EDGES.keys())
    def test_edges(
        self, compiled: ModuleType, empty_memo: None, text: str, ngram: int
    ) -> None:
        expected = reference(text, ngram)
        assert blob(compiled, text, ngram) == expected  # cold
        assert blob(compiled, text, ngram) == expected  # warm
        assert blob(compiled, f"{text} {text}", ngram) == expected * 2
        assert _pure_feature_blob(text, ngram) == expected  # the fallback

    def test_all_edges_in_one_text(
        self, compiled: ModuleType, empty_memo: None
    ) -> None:
        text = "\n".join(EDGES.values())
        for _ in range(2):
            assert blob(compiled, text) == reference(text)

    def test_the_tables_are_the_pure_ones(self, compiled: ModuleType) -> None:
        assert compiled.STRIP == _features._STRIP
        assert compiled.NOSPACE == _features._NOSPACE
        assert compiled.FEATURE_MEMO_LIMIT == _features._CACHE_LIMIT
        assert compiled.FEATURE_MEMO_CHARS == _features._MEMO_CHARS

    def test_every_character_alone_and_between_letters(
        self, compiled: ModuleType, empty_memo: None
    ) -> None:
        # each Basic Multilingual Plane character, and a sample beyond it:
        # stripping, no-space scripts, digits, NFKC and casefolding per code point
        points = [*range(0x10000), *range(0x10000, 0x110000, 97)]
        for start in range(0, len(points), 4096):
            chars = [chr(c) for c in points[start : start + 4096]]
            text = " ".join(f"{c} a{c}b {c}{c}1" for c in chars)
            assert blob(compiled, text, 2) == reference(text, 2), chars[0]

    def test_folded_blocks_never_compose(self, compiled: ModuleType) -> None:
        # In the blocks the kernel folds itself, no character of combining
        # class 0 is the second of a canonical composition, nor is the first
        # character of any one's NFKD: NFKC maps a token of their characters
        # (whose NFKC is one character of class 0) character by character.
        blocks = _ranges(compiled.FOLDED)
        seconds = set()
        for code in range(0x110000):
            decomposition = unicodedata.decomposition(chr(code)).split()
            if len(decomposition) == 2 and not decomposition[0].startswith("<"):
                second = chr(int(decomposition[1], 16))
                if unicodedata.combining(second) == 0:
                    seconds.add(second)
        seconds.update(chr(c) for c in range(0x1100, 0x1200))  # Hangul jamo
        for lo, hi in blocks:
            for code in range(ord(lo), ord(hi) + 1):
                char = chr(code)
                assert char not in seconds, char
                assert unicodedata.normalize("NFKD", char)[0] not in seconds, char

    @pytest.mark.fuzz
    @settings(max_examples=examples(200), deadline=None)
    @given(data=st.data())
    def test_folded_tokens(self, compiled: ModuleType, data: st.DataObject) -> None:
        blocks = _ranges(compiled.FOLDED)
        alphabet = st.one_of(
            st.characters(min_codepoint=0x21, max_codepoint=0x7E),
            *(
                st.characters(min_codepoint=ord(lo), max_codepoint=ord(hi))
                for lo, hi in blocks
            ),
        )
        words = st.text(alphabet, min_size=1, max_size=12)
        text = " ".join(data.draw(st.lists(words, max_size=30)))
        assert blob(compiled, text) == reference(text)
        assert blob(compiled, text) == reference(text)

    def test_bad_arguments(self, compiled: ModuleType) -> None:
        with pytest.raises(TypeError, match="text must be str"):
            compiled.feature_blob(b"bytes", 2, normalize)
        with pytest.raises(ValueError, match="ngram"):
            compiled.feature_blob("a", 0, normalize)
        with pytest.raises(TypeError, match="3 arguments"):
            compiled.feature_blob("a", 2)
        # tokens that only normalize() folds (NFKC changes them)
        with pytest.raises(TypeError, match="must return str"):
            compiled.feature_blob("ﬁ", 2, lambda text: b"")
        with pytest.raises(ValueError, match="newlines"):
            compiled.feature_blob("ﬁ ①", 2, lambda text: text.replace("\n", ""))
        with pytest.raises(ZeroDivisionError):
            compiled.feature_blob("ﬁ", 2, lambda text: 1 / 0)


class TestGenerated:
    @pytest.mark.fuzz
    @settings(max_examples=examples(200), deadline=None)
    @given(
        text=st.one_of(st.text(ALPHABET, max_size=300), WORDS.map(" ".join)),
        ngram=st.integers(1, 4),
    )
    def test_generated_texts(self, compiled: ModuleType, text: str, ngram: int) -> None:
        expected = reference(text, ngram)
        assert blob(compiled, text, ngram) == expected
        assert blob(compiled, text, ngram) == expected  # every token memoised

    @pytest.mark.fuzz
    @settings(max_examples=examples(100), deadline=None)
    @given(
        tokens=st.lists(
            st.text(ALPHABET, min_size=60, max_size=70).map("".join), max_size=8
        )
    )
    def test_tokens_around_the_memo_limit(
        self, compiled: ModuleType, tokens: list[str]
    ) -> None:
        text = " ".join(tokens)
        assert blob(compiled, text) == reference(text)
        assert blob(compiled, text) == reference(text)

    @pytest.mark.parametrize("index", range(len(REAL_TEXTS)))
    def test_real_texts(self, compiled: ModuleType, index: int) -> None:
        text = REAL_TEXTS[index]
        for ngram in (1, 2, 3):
            compiled.clear_feature_memo()
            assert blob(compiled, text, ngram) == reference(text, ngram)
            assert blob(compiled, text, ngram) == reference(text, ngram)

    def test_a_megabyte_text(self, compiled: ModuleType, empty_memo: None) -> None:
        text = "\n".join(REAL_TEXTS)
        text = (text * (1_000_000 // len(text) + 1))[:1_000_000]
        assert blob(compiled, text) == reference(text)
        single = "ab" * 500_000 + " " + "é" * 300_000 + "日本" * 100_000
        assert blob(compiled, single) == reference(single)


@contextmanager
def pure_kernels(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The pure path in this process: Python token loop and hashing."""
    with monkeypatch.context() as patch:
        patch.setattr(_features, "_FEATURE_BLOB", None)
        patch.setattr(_features, "_DIGESTS_OF", _digests_of)
        patch.setattr(_fingerprint, "_SIMHASH_SKETCH", _fingerprint.simhash_sketch)
        patch.setattr(_features, "_DIGESTS", {})
        patch.setattr(_features, "_NGRAM_DIGESTS", {})
        yield


class TestFingerprints:
    def test_the_active_path_uses_the_kernel(self, compiled: ModuleType) -> None:
        if _features._FEATURE_BLOB is None:
            pytest.skip("this run forces the pure path")
        assert _features._FEATURE_BLOB is compiled.feature_blob

    @pytest.mark.parametrize("config", [SimhashConfig(), SimhashConfig(ngram=3)])
    def test_fingerprints_on_both_paths(
        self, monkeypatch: pytest.MonkeyPatch, config: SimhashConfig
    ) -> None:
        texts = [*REAL_TEXTS, *EDGES.values(), "\n".join(EDGES.values())]
        clear_memo()
        active = [fingerprint(text, config) for text in texts]
        assert [fingerprint(text, config) for text in texts] == active  # warm
        with pure_kernels(monkeypatch):
            assert [fingerprint(text, config) for text in texts] == active

    @pytest.mark.fuzz
    @settings(max_examples=examples(150), deadline=None)
    @given(text=st.one_of(st.text(ALPHABET, max_size=300), WORDS.map(" ".join)))
    def test_generated_fingerprints(self, text: str) -> None:
        assert fingerprint(text) == pure_fingerprint(text)

    def test_a_large_ngram_takes_the_pure_path(self, compiled: ModuleType) -> None:
        text = "東京都は本日、来年度の予算案を発表した。" * 30
        limit = _features._COMPILED_NGRAM_MAX
        assert blob(compiled, text, limit) == reference(text, limit)
        with pytest.raises(ValueError, match="ngram"):
            compiled.feature_blob(text, limit + 1, normalize)
        assert _features.feature_blob(text, limit + 1) == reference(text, limit + 1)


class TestMemo:
    def test_cleared_when_full(self, compiled: ModuleType, empty_memo: None) -> None:
        limit = compiled.FEATURE_MEMO_LIMIT
        words = [f"w{i}" if i % 2 else f"é{i}" for i in range(limit + 1000)]
        text = " ".join(words)
        assert blob(compiled, text) == reference(text)
        tokens, size = compiled.feature_memo_size()
        assert 0 < tokens <= limit
        assert tokens < 2000  # cleared once full, then refilled
        assert size > 0
        assert blob(compiled, text) == reference(text)
        compiled.clear_feature_memo()
        assert compiled.feature_memo_size() == (0, 0)

    def test_memory_stays_bounded(self, compiled: ModuleType, empty_memo: None) -> None:
        # 200k distinct tokens a round (ASCII, folded here, and normalised by
        # Python: "ﬁ" is outside the folded blocks): the memo's memory is
        # capped, is given back when it is cleared, and nothing else stays
        def distinct_tokens(round_: int) -> None:
            for base in range(0, 200_000, 2_000):
                text = " ".join(
                    (f"T{round_}_{i}", f"t{round_}x{i}é", f"{i}ﬁ{round_}")[i % 3]
                    for i in range(base, base + 2_000)
                )
                compiled.feature_blob(text, 2, normalize)
                assert compiled.feature_memo_size()[0] <= compiled.FEATURE_MEMO_LIMIT

        distinct_tokens(0)
        compiled.clear_feature_memo()
        gc.collect()
        before = _rss()
        for round_ in (1, 2, 3):
            distinct_tokens(round_)
        compiled.clear_feature_memo()
        gc.collect()
        assert _rss() - before < 8_000_000

    def test_threads_share_the_memo(self, compiled: ModuleType) -> None:
        texts = REAL_TEXTS[:12]
        expected = [reference(text) for text in texts]
        failures: list[int] = []

        def work(seed: int) -> None:
            for n in range(20):
                if (n + seed) % 7 == 0:
                    compiled.clear_feature_memo()
                for i, text in enumerate(texts):
                    if blob(compiled, text) != expected[i]:
                        failures.append(i)

        threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []


def _ranges(spec: str) -> list[tuple[str, str]]:
    """``"a-bc-d"`` as ``[("a", "b"), ("c", "d")]``."""
    return [(spec[i], spec[i + 2]) for i in range(0, len(spec), 3)]


def _rss() -> int:
    """Resident memory of this process, in bytes (Linux)."""
    statm = Path("/proc/self/statm")
    if not statm.exists():
        pytest.skip("needs /proc/self/statm")
    return int(statm.read_text().split()[1]) * 4096

# ruff: noqa: RUF001  (typographic quotes and CJK text are the data here)
"""Text to features to 8-byte hashes (scrapy_newsclean.neardup._features)."""

from __future__ import annotations

from hashlib import blake2b

import pytest

from scrapy_newsclean.neardup._features import (
    LOW_BIT,
    SHINGLE,
    feature_blob,
    feature_digest,
    features,
    is_numeric,
    normalize,
    shingle_hashes,
)
from scrapy_newsclean.neardup._params import DEFAULT, SimhashConfig


def test_features_drop_edge_punctuation_and_case() -> None:
    text = "“Hello,” said the U.S. President — don’t… 2024!"
    assert features(text) == [
        "hello",
        "said",
        "the",
        "u.s",
        "president",
        "don't",
        "2024",
    ]
    assert features("HELLO   hello\u00a0Hello!") == ["hello"] * 3
    assert features(" — … !!! ") == []


def test_scripts_without_spaces_become_character_bigrams() -> None:
    assert features("東京都は本日 test") == [
        "東京",
        "京都",
        "都は",
        "は本",
        "本日",
        "test",
    ]
    assert features("ภาษาไทย") == ["ภา", "าษ", "ษา", "าไ", "ไท", "ทย"]
    assert features("日本", SimhashConfig(ngram=3)) == ["日本"]
    assert features("東京都", SimhashConfig(ngram=3)) == ["東京都"]


def test_normalize_folds_compatibility_forms_and_separators() -> None:
    assert normalize("Ｓｔｒａßｅ’s word—word–end") == "strasse's word word end"


@pytest.mark.parametrize(
    ("feature", "numeric"),
    [("2024", True), ("covid-19", True), ("٣", True), ("hello", False), ("", False)],
)
def test_is_numeric(feature: str, numeric: bool) -> None:
    assert is_numeric(feature) is numeric


def test_feature_digest_is_blake2b_with_the_numeric_flag_in_its_low_bit() -> None:
    for feature in ("hello", "2024", "東京", "\ud800"):
        raw = blake2b(feature.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        digest = feature_digest(feature)
        assert digest[:7] == raw[:7]
        assert digest[7] >> 1 == raw[7] >> 1
        assert LOW_BIT[digest[7]] == is_numeric(feature)


@pytest.mark.parametrize(
    "text",
    [
        "The council voted 7-2 on Tuesday; the mayor said “finally”.",
        "東京都は本日、来年度の予算案を発表した。 mixed English 2024",
        "word " * 50 + "https://example.com/" + "x" * 80,
        "",
    ],
    ids=["english", "japanese", "long-token", "empty"],
)
@pytest.mark.parametrize("ngram", [DEFAULT.ngram, 3], ids=["default", "ngram3"])
def test_feature_blob_is_the_digests_of_the_features(text: str, ngram: int) -> None:
    expected = b"".join(map(feature_digest, features(text, SimhashConfig(ngram=ngram))))
    assert feature_blob(text, ngram) == expected
    assert feature_blob(text, ngram) == expected  # from the memo


def test_shingles_combine_consecutive_features_in_order() -> None:
    digests = feature_blob("the harbour budget was approved", DEFAULT.ngram)
    shingles = shingle_hashes(digests)
    assert len(shingles) == 8 * (5 - SHINGLE + 1)
    assert shingles[8:16] == shingle_hashes(digests[8:32])
    reordered = feature_blob("harbour the budget", DEFAULT.ngram)
    assert shingle_hashes(reordered) != shingles[:8]
    assert len(shingle_hashes(feature_blob("two words", DEFAULT.ngram))) == 8
    assert shingle_hashes(b"") == b""

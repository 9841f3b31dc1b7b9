from __future__ import annotations

import random
from collections import Counter
from hashlib import blake2b
from pathlib import Path

import pytest
import simhash as simhash_package
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapy_newsclean.neardup import (
    BIN_BITS,
    BINS,
    DEFAULT,
    Fingerprint,
    SimhashConfig,
    feature_digest,
    features,
    fingerprint,
    fold,
    hamming,
    is_near_duplicate,
    min_hash_sketch,
    shares_bin,
    shingle_hashes,
    sketch_bins,
    to_signed,
    to_unsigned,
)
from scrapy_newsclean.neardup._features import clear_memo
from scrapy_newsclean.neardup._near import counts_as_duplicate, host_key
from tests._fuzz import examples

FIXTURES = Path(__file__).parent / "fixtures" / "simhash"
SEED_A = (FIXTURES / "000_f0605b7f478a5237.expected.txt").read_text("utf-8")
SEED_B = (FIXTURES / "003_52c365f2d776a0bf.expected.txt").read_text("utf-8")
JAPANESE = (FIXTURES / "japanese.txt").read_text("utf-8")
CHINESE = (FIXTURES / "chinese.txt").read_text("utf-8")
OTHER_JAPANESE = (
    "東京都は本日、来年度の予算案を発表した。教育と子育て支援に重点を置き、"
    "新たに保育所の整備費を計上した。知事は記者会見で、財政の健全化と住民"
    "サービスの両立を目指すと述べた。都議会は来月から審議を始める予定だ。"
)


def package_hashfunc(raw: bytes) -> bytes:
    return feature_digest(raw.decode("utf-8"))


def weighted_simhash(weighted: dict[str, int]) -> int:
    """:func:`fold` of explicitly weighted features (as the simhash package)."""
    joined = b"".join(feature_digest(f) * w for f, w in weighted.items())
    return fold(joined, len(joined) // 8)


def reference_content(text: str) -> int:
    """blake2b-8 of the feature digests, straight from :func:`features`."""
    digests = b"".join(map(feature_digest, features(text)))
    digest = blake2b(digests, digest_size=8, person=b"content").digest()
    return int.from_bytes(digest, "big")


# Persisted by the stores: changing any of these needs a CHANGES entry.
# FINGERPRINT_VERSION 2: word 3-gram shingle simhash and min-hash sketch
# (version 1 had a word simhash and a word-set simhash).
# Version 3: a feature digest's lowest bit flags a digit in the feature, and
# shingles holding one count twice in the simhash (every value changed).
GOLDEN = [
    ("Hello world", 0xAFA6DE465D34444E, 0x45B069BB618FA393, 2),
    (
        "The quick brown fox jumps over the lazy dog.",
        0x364FDB5E7293377E,
        0x16DA56DBF9A82714,
        9,
    ),
    ("日本語のテキストです", 0xA671E4326B3C1821, 0x5126B72F1891D2B8, 9),
    (
        "Revenue rose 12% to 4.2 billion in 2024.",
        0x309703018BB27300,
        0x209F1A1ACD697FD7,
        8,
    ),
]


@pytest.mark.parametrize(
    ("text", "sim", "sketch", "size"), GOLDEN, ids=["en", "fox", "ja", "numbers"]
)
def test_golden_values(text: str, sim: int, sketch: int, size: int) -> None:
    fp = fingerprint(text)
    assert (fp.simhash, fp.sketch, fp.size) == (sim, sketch, size)


def test_digest_flags_numeric_features() -> None:
    for feature in ("2024", "4.2", "12%", "９月", "b2b", "٣"):
        assert feature_digest(feature)[-1] & 1 == 1, feature
    for feature in ("word", "u.s", "日本", "don't", ""):
        assert feature_digest(feature)[-1] & 1 == 0, feature


def test_numbers_weigh_twice() -> None:
    """Version 3: two texts from one template with other figures are further
    apart than with every shingle weighted alike."""
    a = "The company reported revenue of 412 million and profit of 38 million."
    b = "The company reported revenue of 977 million and profit of 61 million."
    plain = [reference_unweighted(t) for t in (a, b)]
    assert hamming(fingerprint(a).simhash, fingerprint(b).simhash) > hamming(*plain)


def reference_unweighted(text: str) -> int:
    shingles = shingle_hashes(digests_of(text))
    return fold(shingles, len(shingles) // 8)


def test_golden_content_hash() -> None:
    assert fingerprint("Hello world").content == 0xE5DC2B251BA15C29
    assert reference_content("Hello world") == 0xE5DC2B251BA15C29
    assert fingerprint("HELLO,  world!").content == 0xE5DC2B251BA15C29
    assert fingerprint("Hello there world").content != 0xE5DC2B251BA15C29


def unhex(raw: bytes) -> bytes:
    # the package probes its hashfunc with b"test" first
    return bytes.fromhex(raw.decode()) if raw != b"test" else raw * 2


def digests_of(text: str) -> bytes:
    return b"".join(map(feature_digest, features(text)))


def numeric_flags(text: str) -> list[bool]:
    """Per feature: whether it holds a digit (reference)."""
    return [any(c.isdecimal() for c in feature) for feature in features(text)]


@pytest.mark.parametrize(
    "text", [SEED_A, SEED_B, JAPANESE, CHINESE], ids=["a", "b", "ja", "zh"]
)
def test_simhash_equals_package_over_shingles(text: str) -> None:
    """Version 3: a shingle holding a feature from a token with a digit counts twice."""
    shingles = shingle_hashes(digests_of(text))
    flags = numeric_flags(text)
    assert len(flags) == len(features(text))
    counts: Counter[str] = Counter()
    for i in range(len(shingles) // 8):
        numeric = any(flags[i : i + 3])
        counts[shingles[8 * i : 8 * i + 8].hex()] += 2 if numeric else 1
    package = simhash_package.Simhash(counts, hashfunc=unhex)
    assert fingerprint(text).simhash == package.value
    assert (
        weighted_simhash(Counter(features(text)))
        == simhash_package.Simhash(
            Counter(features(text)), hashfunc=package_hashfunc
        ).value
    )


def test_shingles_are_ordered_word_trigrams() -> None:
    one = shingle_hashes(digests_of("a b c d"))
    assert len(one) == 16
    assert one[8:] == shingle_hashes(digests_of("b c d"))
    assert shingle_hashes(digests_of("c b a")) != shingle_hashes(digests_of("a b c"))
    assert len(shingle_hashes(digests_of("a b"))) == 8  # short text: one shingle
    assert shingle_hashes(b"") == b""


def test_sketch_bins_are_bin_minima() -> None:
    values = [(1 << 40) * 3 + 1, 7 * 3 + 1, 5 * 3 + 2, (1 << 50) * 3]
    blob = b"".join(v.to_bytes(8, "big") for v in values)
    sketch = min_hash_sketch(blob)
    assert sketch_bins(sketch) == ((1 << 50) & (2**BIN_BITS - 1), 7, 5)
    assert sketch < 1 << 63
    # bin 0 empty: densified from bin 1, never an accidental equal value
    dense = sketch_bins(min_hash_sketch(blob[8:24]))
    assert dense[1:] == (7, 5)
    assert dense[0] not in (0, 7, 5)
    assert min_hash_sketch(b"") == 0


def test_fold_large_input_is_chunked() -> None:
    # More digests than one bit-plane mask covers: the chunked path.
    weighted = {f"w{i}": 1 for i in range(70_000)}
    expected = simhash_package.Simhash(weighted, hashfunc=package_hashfunc).value
    assert weighted_simhash(weighted) == expected


def test_fold_ties_leave_bit_clear() -> None:
    one, other = b"\xff" * 8, b"\x00" * 8
    assert fold(one + other, 2) == 0
    assert fold(one * 2 + other, 3) == (1 << 64) - 1


def test_features_normalisation() -> None:
    text = "\uff34\uff48\uff45  \u201cQuick\u201d\u2014fox\u2019s 2025 \u00a9"
    assert features(text) == ["the", "quick", "fox's", "2025"]
    assert features("don't") == features("don\u2019t")
    assert features("a\u2014b \u2026c") == ["a", "b", "c"]


def test_features_cjk_bigrams() -> None:
    assert features("東京都、abc 日本") == ["東京", "京都", "abc", "日本"]
    assert features("ภาษาไทย")[:2] == ["ภา", "าษ"]


def test_punctuation_and_case_do_not_matter() -> None:
    text = SEED_A
    variant = text.upper().replace('"', "\u201c").replace(" - ", " \u2014 ")
    assert fingerprint(variant) == fingerprint(text)


def test_determinism_across_calls() -> None:
    assert fingerprint(SEED_B) == fingerprint(SEED_B)
    assert fingerprint(SEED_B, SimhashConfig()) == fingerprint(SEED_B)


@pytest.mark.fuzz
@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_total_on_any_str(text: str) -> None:
    fp = fingerprint(text)
    assert 0 <= fp.simhash < 1 << 64
    assert 0 <= fp.sketch < 1 << 64
    assert 0 <= fp.content < 1 << 64
    assert fp.empty == (not features(text))


def test_lone_surrogates_and_controls() -> None:
    fp = fingerprint("abc \ud800 def \x00\x1b xyz")
    assert not fp.empty
    assert fp == fingerprint("abc \ud800 def \x00\x1b xyz")


@pytest.mark.parametrize("text", ["", "   \n\t", "— … !!", "\u3000"], ids=repr)
def test_empty_texts_are_flagged_and_never_duplicates(text: str) -> None:
    fp = fingerprint(text)
    assert fp.empty
    assert is_near_duplicate(fp, fingerprint(""))[0] is False
    assert is_near_duplicate(fp, fp)[0] is False


@pytest.mark.parametrize(
    "edited",
    [
        JAPANESE.replace("重要な", "大きな"),
        JAPANESE + "\uff08\u5171\u540c\uff09",  # (Kyodo)
        "【ソウル共同】" + JAPANESE,
        JAPANESE.replace("\u3002", "\uff0e"),
    ],
    ids=["word", "wire-suffix", "wire-prefix", "punct"],
)
def test_japanese_edit_is_near_duplicate(edited: str) -> None:
    verdict, distance = is_near_duplicate(fingerprint(JAPANESE), fingerprint(edited))
    assert verdict
    assert distance <= DEFAULT.distance


def test_japanese_other_texts_far() -> None:
    base = fingerprint(JAPANESE)
    # Two 4-character edits in a 300-character text: closer than any other text.
    edited = fingerprint(
        JAPANESE.replace("歴史的な", "画期的な").replace("重要な", "大きな")
    )
    other = fingerprint(OTHER_JAPANESE)
    assert is_near_duplicate(base, edited)[0]
    assert hamming(base.simhash, other.simhash) > 20
    assert not is_near_duplicate(base, other)[0]
    assert not is_near_duplicate(base, fingerprint(CHINESE))[0]


def test_seeds_distinct() -> None:
    a, b = fingerprint(SEED_A), fingerprint(SEED_B)
    verdict, distance = is_near_duplicate(a, b)
    assert not verdict
    assert distance > DEFAULT.distance + 10
    assert not shares_bin(a.sketch, b.sketch)


@pytest.mark.parametrize("seed", [SEED_A, SEED_B], ids=["a", "b"])
def test_seed_with_headline_and_trimmed_paragraph_is_duplicate(seed: str) -> None:
    # Seed b's last paragraph is 35% of its text.
    paragraphs = seed.strip().split("\n")
    copy = "Kim meets Lavrov: what we know\n" + "\n".join(paragraphs[:-1])
    verdict, distance = is_near_duplicate(fingerprint(seed), fingerprint(copy))
    assert verdict
    assert distance <= DEFAULT.distance


@pytest.mark.parametrize("seed", [SEED_A, SEED_B], ids=["a", "b"])
def test_seed_with_other_boilerplate_is_duplicate(seed: str) -> None:
    copy = (
        f"{seed}\nRead more: Lavrov and Kim meet again\nSign up for our newsletter"
        " to get the latest news.\nCopyright 2025. All rights reserved."
    )
    assert is_near_duplicate(fingerprint(seed), fingerprint(copy))[0]


def test_exact_content_fast_path() -> None:
    a = Fingerprint(0, 0, 42, 3)
    b = Fingerprint((1 << 64) - 1, (1 << 64) - 1, 42, 3)
    assert is_near_duplicate(a, b) == (True, 64)


def test_rule_needs_a_shared_bin_and_close_simhash() -> None:
    a = Fingerprint(0, 0x1234 << 42 | 0x5678 << 21 | 0x9ABC, 1, 3)
    other_bins = Fingerprint(0, 0x1235 << 42 | 0x5679 << 21 | 0x9ABD, 2, 3)
    assert is_near_duplicate(a, other_bins) == (False, 0)
    one_bin = Fingerprint(0, 0x1235 << 42 | 0x5679 << 21 | 0x9ABC, 2, 3)
    assert is_near_duplicate(a, one_bin) == (True, 0)
    limit = (1 << DEFAULT.distance) - 1
    assert is_near_duplicate(a, Fingerprint(limit, a.sketch, 2, 3))[0]
    far = Fingerprint(limit << 1 | 1, a.sketch, 2, 3)
    assert is_near_duplicate(a, far) == (False, DEFAULT.distance + 1)


def test_hamming() -> None:
    assert hamming(0, (1 << 64) - 1) == 64
    assert hamming(1 << 63, 0) == 1
    assert hamming(0b1011, 0b0110) == 3


def test_sketch_bins_unpack_the_packed_values() -> None:
    sketch = 5 << 42 | 6 << 21 | 7
    assert sketch_bins(sketch) == (5, 6, 7)
    assert len(sketch_bins(fingerprint(SEED_A).sketch)) == BINS
    assert sketch_bins((1 << 63) - 1) == (2**BIN_BITS - 1,) * BINS


def test_signed_round_trip() -> None:
    for value in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1):
        signed = to_signed(value)
        assert -(1 << 63) <= signed < 1 << 63
        assert to_unsigned(signed) == value


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="distance"):
        SimhashConfig(distance=-1)
    with pytest.raises(ValueError, match="ngram"):
        SimhashConfig(ngram=0)
    with pytest.raises(ValueError, match="sketch_distance"):
        SimhashConfig(sketch_distance=65)
    with pytest.raises(ValueError, match="same_host_distance"):
        SimhashConfig(same_host_distance=32)


def reference_fingerprint(
    text: str, config: SimhashConfig = DEFAULT
) -> tuple[int, ...]:
    """Simhash, sketch, size straight from :func:`features` (no memo)."""
    digests = b"".join(map(feature_digest, features(text, config)))
    shingles = shingle_hashes(digests)
    flags = [any(c.isdecimal() for c in f) for f in features(text, config)]
    runs = len(shingles) // 8
    width = 3 if runs > 1 else len(flags)
    numeric = b"".join(
        shingles[8 * i : 8 * i + 8] for i in range(runs) if any(flags[i : i + width])
    )
    return (
        fold(shingles + numeric, runs + len(numeric) // 8),
        min_hash_sketch(shingles),
        len(digests) // 8,
    )


TRICKY = [
    "caf\u00e9 cafe\u0301 e \u0301x \u00b4a a\u00b4b \u00a8",  # combining marks, compat spaces
    "a\u00a0b\u2009c\u3000d\u202fe \x1cf\x85g",  # Unicode whitespace
    "word\u2014word \u2026tail \u2013 x\u2014\u2014y \u2014",  # separators inside tokens
    "Stra\u00dfe STRASSE \ufb01ne \u2460 \u33a1 \uff21\uff22 \u1100\u1161",  # casefold, NFKC
    "東京都、abc 日本\u3002テスト ภาษาไทย mixed日本語text",  # no-space scripts
    "https://example.com/" + "very-long-slug-" * 8 + " short " * 3,  # > 64 chars
    "\ud800 lone \udfff \x00 control \u200b zero-width",
]


@pytest.mark.parametrize("text", TRICKY)
def test_memoised_tokens_equal_whole_text_features(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scrapy_newsclean.neardup._features._DIGESTS", {})
    clear_memo()  # the compiled path's memo too
    expected = reference_fingerprint(text)
    cold, warm = fingerprint(text), fingerprint(text)
    assert (cold.simhash, cold.sketch, cold.size) == expected
    assert warm == cold
    assert cold.content == reference_content(text)
    assert fingerprint(text + " " + text).size == 2 * cold.size  # partly memoised


def test_memo_is_per_ngram(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scrapy_newsclean.neardup._features._DIGESTS", {})
    clear_memo()
    trigram = SimhashConfig(ngram=3)
    fingerprint(JAPANESE)  # fills the default-ngram memo
    fp = fingerprint(JAPANESE, trigram)
    assert (fp.simhash, fp.sketch, fp.size) == reference_fingerprint(JAPANESE, trigram)
    assert fp.size != fingerprint(JAPANESE).size


@pytest.mark.fuzz
@settings(max_examples=examples(150), deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["a", "B", " ", "\u00a0", "\u0301", "\u00b4", "\u2014", "日", "本"]
        )
        | st.characters(codec=None),
        max_size=60,
    )
)
def test_memo_matches_features_on_any_text(chars: list[str]) -> None:
    text = "".join(chars)
    fp = fingerprint(text)
    assert (fp.simhash, fp.sketch, fp.size) == reference_fingerprint(text)


def nsmallest_sketch(shingles: bytes) -> int:
    """min_hash_sketch's definition with a plain sort of every hash."""
    values = sorted(
        int.from_bytes(shingles[i : i + 8], "big") for i in range(0, len(shingles), 8)
    )
    found: dict[int, int] = {}
    for value in values[:24]:
        found.setdefault(value % BINS, (value // BINS) % 2**BIN_BITS)
    if not found:
        return 0
    sketch = 0
    for b in range(BINS):
        step = next(s for s in range(BINS) if (b + s) % BINS in found)
        bin_min = found[(b + step) % BINS] + 0x9E3779 * step
        sketch |= (bin_min % 2**BIN_BITS) << BIN_BITS * (BINS - 1 - b)
    return sketch


@pytest.mark.parametrize("count", [1, 24, 97, 820, 5000])
@pytest.mark.parametrize("first", [None, 0, 255], ids=["random", "low", "high"])
def test_min_hash_prefilter_equals_full_sort(count: int, first: int | None) -> None:
    rng = random.Random(count)
    words = [rng.getrandbits(64).to_bytes(8, "big") for _ in range(count)]
    if first is not None:  # every hash below or above the prefilter limit
        words = [bytes([first]) + w[1:] for w in words]
    words += words[: count // 3]  # repeated shingles
    blob = b"".join(words)
    assert min_hash_sketch(blob) == nsmallest_sketch(blob)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.News.Example/a?b=1", "news.example"),
        ("http://user:secret@news.example:8080/", "news.example"),
        ("https://wwwnews.example/", "wwwnews.example"),
        ("https://[::1]:8080/x", "[::1]"),
        ("news.example/a", ""),
        ("", ""),
    ],
)
def test_host_key(url: str, host: str) -> None:
    assert host_key(url) == host


SAME_HOST = SimhashConfig(distance=17, same_host_distance=8)


@pytest.mark.parametrize(
    ("distance", "url", "kept_url", "counts"),
    [
        (8, "https://a.example/1", "https://www.a.example/2", True),
        (9, "https://a.example/1", "https://www.a.example/2", False),
        (17, "https://a.example/1", "https://b.example/2", True),
        (17, "https://a.example/1", "https://a.example/1", True),  # fetched again
        (17, None, "https://a.example/2", True),
        (17, "https://a.example/1", None, True),
        (17, "a.example/1", "a.example/2", True),  # no host: the general bound
    ],
)
def test_counts_as_duplicate(
    distance: int, url: str | None, kept_url: str | None, counts: bool
) -> None:
    assert counts_as_duplicate(distance, url, kept_url, SAME_HOST) is counts

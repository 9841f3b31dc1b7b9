"""Text to features to 8-byte hashes: the input of both fingerprint halves.

Features (see :func:`features`): the text is NFKC-normalised and casefolded,
split on whitespace (and em/en dashes, ellipses), and each token loses the
punctuation and symbols at its edges (so typographic quotes, dashes, ``©`` and
the like never matter; inner marks such as ``u.s`` or ``don't`` stay, with
U+2019 folded to ``'``). Digit runs are kept: numbers tell templated stories
(scores, prices) apart. Runs of scripts written without spaces (Chinese,
Japanese kana, Thai, Lao, Khmer, Myanmar) become overlapping character bigrams.

Each feature gets a stable blake2b-8 hash whose lowest bit tells whether the
feature holds a digit (:func:`feature_digest`, memoised per raw token by
:func:`feature_blob`, which the compiled kernel runs whole: split, memo,
stripping, n-grams and hashing in one call); each run of :data:`SHINGLE`
consecutive features (a word 3-gram) gets a 64-bit shingle hash combining
them (:func:`shingle_hashes`). Shingles, not single words, because frequent
words made unrelated articles look alike (version 1's word simhash put 1.25%
of unrelated pairs in a shared index bucket).
"""

from __future__ import annotations

import re
import unicodedata
from hashlib import blake2b
from itertools import repeat
from typing import TYPE_CHECKING

from scrapy_newsclean import _accel
from scrapy_newsclean.neardup._params import DEFAULT, SimhashConfig

if TYPE_CHECKING:
    from collections.abc import Callable

#: Features per shingle (word 3-grams; shorter texts use all their features).
SHINGLE = 3
# A fixed byte permutation (derived from blake2b, so stable everywhere): the
# j-th feature of a shingle is translated j times, so "a b" != "b a".
_SBOX = bytes(
    sorted(range(256), key=lambda i: blake2b(bytes([i]), person=b"sbox").digest())
)
_SBOXES = (bytes(range(256)), _SBOX, _SBOX.translate(_SBOX))

# Scripts written without spaces between words: character n-grams.
_NOSPACE = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\U00020000-\U0002fa1f"
)
_NOSPACE_RUN = re.compile(f"([{_NOSPACE}]+)")
# Marks a line of normalised tokens that holds several features (_token_blobs).
_SEVERAL_FEATURES = re.compile(f"[ {_NOSPACE}]")
# Stripped from token edges: ASCII punctuation and symbols plus the usual
# typographic and CJK ones (str.strip cost grows with this set: keep it short).
_STRIP = (
    "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())
    + "\u00a1\u00a7\u00a9\u00ab\u00ae\u00b0\u00b6\u00b7\u00bb\u00bf"
    + "\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201a\u201c\u201d\u201e"
    + "\u2020\u2022\u2026\u2032\u2033\u2039\u203a\u2122\u20ac"
    + "\u3001\u3002\u300c\u300d\u300e\u300f\u3010\u3011\u3008\u3009\u300a\u300b"
)
_STRIP_ASCII = "".join(c for c in _STRIP if c.isascii())
# Often written between words without spaces ("word\u2014word").
_SEPARATORS = ("\u2014", "\u2013", "\u2026")
_BLAKE2B_8 = blake2b(digest_size=8)  # copied: faster than keyword arguments
_CACHE_LIMIT = 1 << 17
_MEMO_CHARS = 64
# Pure memoisation of raw token (of at most _MEMO_CHARS) -> concatenated
# digests of its features, for the default ``ngram`` (other values: their own
# dict). Deterministic, safe to share between crawlers: news vocabulary is
# Zipfian, so most tokens hit. Cleared when full.
_DIGESTS: dict[str, bytes] = {}
_NGRAM_DIGESTS: dict[int, dict[str, bytes]] = {}


def feature_digest(feature: str) -> bytes:
    """The stable 8-byte hash of one feature (blake2b, digest_size=8), its
    lowest bit replaced by whether the feature holds a digit (:func:`is_numeric`)."""
    state = _BLAKE2B_8.copy()
    state.update(feature.encode("utf-8", "surrogatepass"))
    digest = state.digest()
    table = _NUMERIC_BIT if is_numeric(feature) else _CLEAR_BIT
    return digest[:7] + table[digest[7]]


def is_numeric(feature: str) -> bool:
    """Whether a feature holds a (Unicode decimal) digit: a figure, a date, a score."""
    return not feature.isalpha() and _DIGIT.search(feature) is not None


_DIGIT = re.compile(r"\d")
# Last digest byte -> that byte with its lowest bit cleared / set (one byte).
_CLEAR_BIT = tuple(bytes([b & 0xFE]) for b in range(256))
_NUMERIC_BIT = tuple(bytes([b | 1]) for b in range(256))
# A digest's last byte -> 1 if it flags a numeric feature, else 0.
LOW_BIT = bytes(b & 1 for b in range(256))


def normalize(text: str) -> str:
    """NFKC + casefold; U+2019 -> ``'``; em/en dashes and ellipses separate words."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    for mark in _SEPARATORS:
        if mark in folded:
            folded = folded.replace(mark, " ")
    return folded


def _token_features(token: str, ngram: int) -> list[str]:
    """Features of one whitespace-delimited token of normalised text."""
    if token.isascii() or not _NOSPACE_RUN.search(token):
        feature = token.strip(_STRIP)
        return [feature] if feature else []
    out: list[str] = []
    for i, part in enumerate(_NOSPACE_RUN.split(token)):
        if i % 2 == 0:
            feature = part.strip(_STRIP)
            if feature:
                out.append(feature)
        elif len(part) <= ngram:
            out.append(part)
        else:
            out += [part[j : j + ngram] for j in range(len(part) - ngram + 1)]
    return out


def features(text: str, config: SimhashConfig = DEFAULT) -> list[str]:
    """The features of ``text`` in order, repeats included (weight = count)."""
    out: list[str] = []
    for token in normalize(text).split():
        out += _token_features(token, config.ngram)
    return out


def _token_blobs(
    tokens: list[str],
    ngram: int,
    digests_of: Callable[[list[str]], list[bytes]] | None = None,
) -> list[bytes]:
    """Concatenated feature digests of each whitespace-free token of raw text.

    ``digests_of`` hashes features (default: the active implementation,
    :data:`_DIGESTS_OF`; the tests pass each one).

    Normalising token by token gives the features of the normalised text:
    whitespace stays whitespace under NFKC and casefolding and never composes
    with a neighbour, so normalisation never crosses it. The tokens are
    normalised in one call, joined by newlines (nothing else maps to one).
    """
    if not tokens:
        return []
    if digests_of is None:
        digests_of = _DIGESTS_OF
    folded = normalize("\n".join(tokens))
    pieces = folded.split("\n")
    # Most pieces are one feature once stripped (normalisation makes no space).
    strip = _STRIP_ASCII if folded.isascii() else _STRIP
    stripped = list(map(str.strip, pieces, repeat(strip)))
    blobs = digests_of(stripped)
    if "" in stripped:
        blobs = [
            blob if feature else b""
            for feature, blob in zip(stripped, blobs, strict=True)
        ]
    index = end = 0
    while match := _SEVERAL_FEATURES.search(folded, end):
        start = folded.rfind("\n", 0, match.start()) + 1
        index += folded.count("\n", end, start)
        end = folded.find("\n", start)
        end = len(folded) if end < 0 else end
        several = _piece_features(folded[start:end], ngram)
        blobs[index] = b"".join(digests_of(several))
    return blobs


def _digests_of(features: list[str]) -> list[bytes]:
    """``list(map(feature_digest, features))``, a little faster (pure reference)."""
    copy = _BLAKE2B_8.copy
    digests = []
    for feature in features:
        state = copy()
        state.update(feature.encode("utf-8", "surrogatepass"))
        digest = state.digest()
        table = _NUMERIC_BIT if is_numeric(feature) else _CLEAR_BIT
        digests.append(digest[:7] + table[digest[7]])
    return digests


#: Feature hashing of the active path (:mod:`scrapy_newsclean._accel`).
_DIGESTS_OF: Callable[[list[str]], list[bytes]] = (
    _digests_of if _accel.speedups is None else _accel.speedups.digests
)


def _piece_features(piece: str, ngram: int) -> list[str]:
    return [
        feature for part in piece.split() for feature in _token_features(part, ngram)
    ]


def feature_blob(text: str, ngram: int) -> bytes:
    """Concatenated digests of :func:`features` of ``text`` (memoised by raw token).

    The compiled kernel when active (its own bounded token memo, see
    ``_speedups.c``), else :func:`_pure_feature_blob`: the same bytes.
    """
    if _FEATURE_BLOB is not None and 0 < ngram <= _COMPILED_NGRAM_MAX:
        return _FEATURE_BLOB(text, ngram, normalize)
    return _pure_feature_blob(text, ngram)


#: The compiled :func:`feature_blob`, or ``None`` on the pure path.
_FEATURE_BLOB: Callable[[str, int, Callable[[str], str]], bytes] | None = (
    None if _accel.speedups is None else _accel.speedups.feature_blob
)
_COMPILED_NGRAM_MAX = 255


def clear_memo() -> None:
    """Empty the token memos (pure and compiled), as a new process has them."""
    _DIGESTS.clear()
    _NGRAM_DIGESTS.clear()
    if _accel.speedups is not None:
        _accel.speedups.clear_feature_memo()


def _pure_feature_blob(text: str, ngram: int) -> bytes:
    """:func:`feature_blob` in Python (the reference): memo :data:`_DIGESTS`."""
    tokens = text.split()
    memo = _DIGESTS if ngram == DEFAULT.ngram else _NGRAM_DIGESTS.setdefault(ngram, {})
    get = memo.get
    try:  # a miss is None: join raises TypeError
        return b"".join(map(get, tokens))  # type: ignore[arg-type]
    except TypeError:  # some token not memoised yet
        pass
    missing = list(set(tokens).difference(memo))
    if len(memo) + len(missing) > _CACHE_LIMIT:
        memo.clear()
        missing = list(set(tokens))
    new = dict(zip(missing, _token_blobs(missing, ngram), strict=True))
    try:
        if max(map(len, missing)) <= _MEMO_CHARS:
            memo.update(new)
            return b"".join(map(get, tokens))  # type: ignore[arg-type]
        memo.update([item for item in new.items() if len(item[0]) <= _MEMO_CHARS])
        return b"".join(map(get, tokens, map(new.get, tokens)))  # type: ignore[arg-type]
    except TypeError:  # another thread cleared the memo meanwhile
        distinct = list(set(tokens))
        blobs = dict(zip(distinct, _token_blobs(distinct, ngram), strict=True))
        return b"".join(map(blobs.__getitem__, tokens))


def shingle_hashes(digests: bytes) -> bytes:
    """8-byte hashes of every run of :data:`SHINGLE` consecutive feature digests.

    Shingle ``i`` is ``d[i] ^ P(d[i + 1]) ^ P(P(d[i + 2]))`` with ``P`` a
    fixed byte permutation: three C-level XORs over the whole text instead of
    a hash call per shingle. Fewer features than :data:`SHINGLE`: one shingle
    of all of them.
    """
    count = len(digests) // 8
    if not count:
        return b""
    width = min(SHINGLE, count)
    runs = count - width + 1
    size = 8 * runs
    acc = int.from_bytes(digests[:size], "big")
    for j in range(1, width):
        part = digests[8 * j : 8 * j + size].translate(_SBOXES[j])
        acc ^= int.from_bytes(part, "big")
    return acc.to_bytes(size, "big")

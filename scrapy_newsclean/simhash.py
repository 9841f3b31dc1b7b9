"""Pure near-duplicate fingerprints: a shingle simhash plus a min-hash sketch.

No Scrapy imports. The values computed here are persisted by the stores:
changing :data:`FINGERPRINT_VERSION`'s algorithm changes every stored value and
needs a CHANGES entry.

Features (see :func:`features`): the text is NFKC-normalised and casefolded,
split on whitespace (and em/en dashes, ellipses), and each token loses the
punctuation and symbols at its edges (so typographic quotes, dashes, ``©`` and
the like never matter; inner marks such as ``u.s`` or ``don't`` stay, with
U+2019 folded to ``'``). Digit runs are kept: numbers tell templated stories
(scores, prices) apart. Runs of scripts written without spaces (Chinese,
Japanese kana, Thai, Lao, Khmer, Myanmar) become overlapping character bigrams.

Each feature gets a stable blake2b-8 hash; each run of :data:`SHINGLE`
consecutive features (a word 3-gram) gets a 64-bit shingle hash combining
them (:func:`shingle_hashes`). Shingles, not single words, because frequent
words made unrelated articles look alike (version 1's word simhash put 1.25%
of unrelated pairs in a shared index bucket). From the shingles:

* ``simhash``: their 64-bit Charikar simhash (term-frequency weights; a bit is
  set when more than half of the shingles have it set, as in the ``simhash``
  package). Its Hamming distance estimates how much text two articles share:
  the near-duplicate test (``distance``, default 17 bits).
* ``sketch``: a one-permutation min-hash of the shingle set: the shingles are
  cut into :data:`BINS` (3) bins by their hash modulo 3 and bin ``i`` keeps
  :data:`BIN_BITS` (21) bits of its smallest hash, at bits ``62 - 21 i`` down
  to ``42 - 21 i`` (bit 63 is always 0). Two articles share a bin value with
  probability about their shingle Jaccard similarity, so a copy with a
  trimmed paragraph or added boilerplate shares one of the three (the index
  candidates); unrelated texts almost never (by chance: 3 in 2**21 pairs).

:func:`is_near_duplicate`: same content, or a shared sketch bin and simhash
distance at most ``distance``.

Storage: all values are unsigned 64-bit ints (bit 63 may be set). SQLite
INTEGER is signed 64-bit: store :func:`to_signed` and read back with
:func:`to_unsigned`. :func:`sketch_keys` are below ``2**63``.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache
from hashlib import blake2b
from heapq import nsmallest
from itertools import repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

FINGERPRINT_VERSION = 2
MASK64 = (1 << 64) - 1
#: Features per shingle (word 3-grams; shorter texts use all their features).
SHINGLE = 3
#: Min-hash bins in :attr:`Fingerprint.sketch`, of :data:`BIN_BITS` bits each.
BINS = 3
BIN_BITS = 21
_BIN_MASK = (1 << BIN_BITS) - 1
# Bin minima are looked for among this many smallest shingle hashes (a bin
# missing there, probability 3 * (2/3)**24 = 0.002%, is filled as an empty one).
_LOWEST = 24
# A fixed byte permutation (derived from blake2b, so stable everywhere): the
# j-th feature of a shingle is translated j times, so "a b" != "b a".
_SBOX = bytes(
    sorted(range(256), key=lambda i: blake2b(bytes([i]), person=b"sbox").digest())
)
_SBOXES = (bytes(range(256)), _SBOX, _SBOX.translate(_SBOX))
_BIN_SHIFTS = tuple(BIN_BITS * (BINS - 1 - b) for b in range(BINS))

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
# ``_BIT_MASKS[b]`` has bit ``b`` set in every byte (for up to 2**16 features;
# ``&`` truncates to the shorter operand, so longer inputs are chunked).
_MAX_CHUNK = 1 << 16
# The value bit of each count of fold(): byte column j (0 = most significant), bit b.
_FOLD_BITS = tuple(1 << (8 * (7 - j) + b) for j in range(8) for b in range(8))
_BIT_MASKS = tuple(
    int.from_bytes(bytes([1 << b]) * _MAX_CHUNK, "big") for b in range(8)
)


@dataclass(frozen=True, slots=True)
class SimhashConfig:
    """Fingerprint and verification parameters.

    ``distance``: shingle-simhash Hamming distance at or below which two
    articles sharing a sketch bin are near duplicates (17 of 64 bits; two
    unrelated texts are within 17 bits with probability 1.5e-4, and share a
    bin with probability about 1.4e-6: see ``benchmarks/neardup_quality.py``).
    ``sketch_distance``: unused since fingerprint version 2 (kept so that
    existing callers construct; ignored by :func:`is_near_duplicate`).
    ``ngram``: character n-gram size for scripts without spaces.
    """

    distance: int = 17
    sketch_distance: int = 64
    ngram: int = 2

    def __post_init__(self) -> None:
        if not 0 <= self.distance <= 31:
            raise ValueError(f"distance must be in 0..31, got {self.distance!r}")
        if not 0 <= self.sketch_distance <= 64:
            raise ValueError(
                f"sketch_distance must be in 0..64, got {self.sketch_distance!r}"
            )
        if self.ngram < 1:
            raise ValueError(f"ngram must be >= 1, got {self.ngram!r}")


DEFAULT = SimhashConfig()


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Fingerprint of one article text (all ints unsigned 64-bit).

    ``simhash``: shingle simhash; ``sketch``: :data:`BINS` min-hash values of
    16 bits (see the module docstring); ``content``: exact-content hash.
    ``size`` is the number of features (repeats included); ``0`` means the
    text had none (empty, whitespace or punctuation only): such a fingerprint
    is :attr:`empty` and never a near duplicate of anything.
    """

    simhash: int
    sketch: int
    content: int
    size: int

    @property
    def empty(self) -> bool:
        return self.size == 0


def feature_digest(feature: str) -> bytes:
    """The stable 8-byte hash of one feature (blake2b, digest_size=8)."""
    state = _BLAKE2B_8.copy()
    state.update(feature.encode("utf-8", "surrogatepass"))
    return state.digest()


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


def _token_blobs(tokens: list[str], ngram: int) -> list[bytes]:
    """Concatenated feature digests of each whitespace-free token of raw text.

    Normalising token by token gives the features of the normalised text:
    whitespace stays whitespace under NFKC and casefolding and never composes
    with a neighbour, so normalisation never crosses it. The tokens are
    normalised in one call, joined by newlines (nothing else maps to one).
    """
    if not tokens:
        return []
    folded = normalize("\n".join(tokens))
    pieces = folded.split("\n")
    # Most pieces are one feature once stripped (normalisation makes no space).
    strip = _STRIP_ASCII if folded.isascii() else _STRIP
    stripped = list(map(str.strip, pieces, repeat(strip)))
    blobs = _digests_of(stripped)
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
        blobs[index] = b"".join(_digests_of(_piece_features(folded[start:end], ngram)))
    return blobs


def _digests_of(features: list[str]) -> list[bytes]:
    """``list(map(feature_digest, features))``, a little faster."""
    copy = _BLAKE2B_8.copy
    digests = []
    for feature in features:
        state = copy()
        state.update(feature.encode("utf-8", "surrogatepass"))
        digests.append(state.digest())
    return digests


def _piece_features(piece: str, ngram: int) -> list[str]:
    return [
        feature for part in piece.split() for feature in _token_features(part, ngram)
    ]


def _feature_blob(text: str, ngram: int) -> bytes:
    """Concatenated digests of :func:`features` of ``text`` (memoised by raw token)."""
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


def _column_counts(digests: bytes) -> list[int]:
    """Per-bit counts (bit 0 = least significant) over concatenated digests."""
    counts = [0] * 64
    for start in range(0, len(digests), 8 * _MAX_CHUNK):
        chunk = digests[start : start + 8 * _MAX_CHUNK]
        for j in range(8):
            column = int.from_bytes(chunk[j::8], "big")
            base = 8 * (7 - j)
            for b, mask in enumerate(_BIT_MASKS):
                counts[base + b] += (column & mask).bit_count()
    return counts


def fold(digests: bytes, weight: int) -> int:
    """Simhash of concatenated 8-byte digests, each of weight 1 (``weight``: count).

    Bit-sliced: byte column ``j`` of all digests becomes one int and each of
    its 8 bit planes is counted with ``int.bit_count``: 128 C-level operations
    instead of a Python loop over features. Bit set when count > weight / 2.
    """
    half = weight // 2
    if len(digests) > 8 * _MAX_CHUNK:
        counts = _column_counts(digests)
        return sum([1 << position for position, n in enumerate(counts) if n > half])
    counts = [
        (column & mask).bit_count()
        for column in [int.from_bytes(digests[j::8], "big") for j in range(8)]
        for mask in _BIT_MASKS
    ]
    return sum([bit for bit, n in zip(_FOLD_BITS, counts, strict=True) if n > half])


def simhash_of(weighted: Mapping[str, int] | Iterable[tuple[str, int]]) -> int:
    """Simhash of explicitly weighted features (non-negative int weights).

    Equals ``simhash.Simhash(weighted, hashfunc=feature_digest).value``.
    """
    items = weighted.items() if hasattr(weighted, "items") else weighted
    parts = [feature_digest(f) * w for f, w in items]
    joined = b"".join(parts)
    return fold(joined, len(joined) // 8)


def _content(blob: bytes) -> int:
    return int.from_bytes(
        blake2b(blob, digest_size=8, person=b"content").digest(), "big"
    )


def content_hash(text: str, config: SimhashConfig = DEFAULT) -> int:
    """Exact-content hash: blake2b-8 of the feature sequence (see :func:`features`).

    Equal to ``fingerprint(text).content``: case, whitespace and edge
    punctuation do not change it; any word does.
    """
    return _content(_feature_blob(text, config.ngram))


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
            found[b] = rest & _BIN_MASK
            missing -= 1
            if not missing:
                break
    sketch = 0
    for b, shift in enumerate(_BIN_SHIFTS):
        step, bin_min = 0, found[b]
        while bin_min is None:
            step += 1
            bin_min = found[(b + step) % BINS]
        sketch |= ((bin_min + 0x9E3779 * step) & _BIN_MASK) << shift
    return sketch


def fingerprint(text: str, config: SimhashConfig = DEFAULT) -> Fingerprint:
    """Fingerprint ``text`` (total on any str, including lone surrogates)."""
    tf = _feature_blob(text, config.ngram)
    if not tf:
        return Fingerprint(0, 0, _content(b""), 0)
    shingles = shingle_hashes(tf)
    return Fingerprint(
        simhash=fold(shingles, len(shingles) // 8),
        sketch=min_hash_sketch(shingles),
        content=_content(tf),
        size=len(tf) // 8,
    )


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints."""
    return ((a ^ b) & MASK64).bit_count()


def shares_bin(a: int, b: int) -> bool:
    """True when two sketches hold the same value in at least one bin."""
    return any(
        (a >> shift) & _BIN_MASK == (b >> shift) & _BIN_MASK for shift in _BIN_SHIFTS
    )


def is_near_duplicate(
    a: Fingerprint, b: Fingerprint, config: SimhashConfig = DEFAULT
) -> tuple[bool, int]:
    """Verdict and simhash distance: exact content, or a shared sketch bin and
    simhash distance at most ``config.distance``.

    Empty fingerprints are never duplicates (of each other either).
    """
    distance = hamming(a.simhash, b.simhash)
    if a.empty or b.empty:
        return False, distance
    if a.content == b.content:
        return True, distance
    return distance <= config.distance and shares_bin(a.sketch, b.sketch), distance


def sketch_bins(sketch: int) -> tuple[int, ...]:
    """The :data:`BINS` bin values of a sketch (each below ``2**BIN_BITS``)."""
    return tuple((sketch >> shift) & _BIN_MASK for shift in _BIN_SHIFTS)


def sketch_keys(sketch: int) -> tuple[int, ...]:
    """One index key per bin: ``bin << 58 | value`` (see :func:`sketch_bins`).

    Near duplicates (:func:`is_near_duplicate`) share at least one key, so a
    store only compares candidates sharing a key.
    """
    return tuple(b << 58 | value for b, value in enumerate(sketch_bins(sketch)))


def band_widths(distance: int) -> tuple[int, ...]:
    """Bit widths of ``distance + 1`` near-equal bands of 64 bits (MSB first)."""
    bands = distance + 1
    base, extra = divmod(64, bands)
    return tuple(base + (1 if i < extra else 0) for i in range(bands))


def to_signed(value: int) -> int:
    """Unsigned 64-bit -> signed int64 (for SQLite INTEGER columns)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    """Signed int64 (as read back from SQLite) -> unsigned 64-bit."""
    return value & MASK64

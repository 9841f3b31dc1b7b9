"""Pure near-duplicate fingerprints: a 64-bit simhash plus a verification sketch.

No Scrapy imports. The values computed here are persisted by the stores:
changing :data:`FINGERPRINT_VERSION`'s algorithm changes every stored value and
needs a CHANGES entry.

Features (see :func:`features`): the text is NFKC-normalised and casefolded,
split on whitespace (and em/en dashes, ellipses), and each token loses the punctuation and symbols at its
edges (so typographic quotes, dashes, ``©`` and the like never matter; inner
marks such as ``u.s`` or ``don't`` stay, with U+2019 folded to ``'``). Digit runs
are kept: numbers tell templated stories (scores, prices) apart. Runs of
scripts written without spaces (Chinese, Japanese kana, Thai, Lao, Khmer,
Myanmar) become overlapping character bigrams.

Two 64-bit Charikar simhashes are computed from the same blake2b-8 feature
hashes (bit ``i`` of a hash is bit ``i`` of the big-endian digest, a bit is set
when more than half of the weight has it set, exactly as the ``simhash``
package):

* ``simhash``: term-frequency weights. Frequent words dominate, so small edits
  (a headline, a dateline, a trimmed paragraph) move it very little: this is
  the value the band index is keyed on.
* ``sketch``: every distinct feature weighs 1 (set cosine). Unrelated articles
  that share only function words are far apart here: candidates found
  through ``simhash`` are verified with it (see :func:`is_near_duplicate`).

Storage: both values are unsigned 64-bit ints (bit 63 may be set). SQLite
INTEGER is signed 64-bit: store :func:`to_signed` and read back with
:func:`to_unsigned`. :func:`band_keys` are below ``2**63`` for any
``distance >= 1``, so they fit as they are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from hashlib import blake2b
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

FINGERPRINT_VERSION = 1
MASK64 = (1 << 64) - 1

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
# Stripped from token edges: ASCII punctuation and symbols plus the usual
# typographic and CJK ones (str.strip cost grows with this set: keep it short).
_STRIP = (
    "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())
    + "\u00a1\u00a7\u00a9\u00ab\u00ae\u00b0\u00b6\u00b7\u00bb\u00bf"
    + "\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201a\u201c\u201d\u201e"
    + "\u2020\u2022\u2026\u2032\u2033\u2039\u203a\u2122\u20ac"
    + "\u3001\u3002\u300c\u300d\u300e\u300f\u3010\u3011\u3008\u3009\u300a\u300b"
)
# Often written between words without spaces ("word\u2014word").
_SEPARATORS = ("\u2014", "\u2013", "\u2026")
_CACHE_LIMIT = 1 << 17
# Pure memoisation of feature -> digest (deterministic, safe to share between
# crawlers): news vocabulary is Zipfian, so most tokens hit. Cleared when full.
_DIGESTS: dict[str, bytes] = {}
# ``_BIT_MASKS[b]`` has bit ``b`` set in every byte (for up to 2**16 features;
# ``&`` truncates to the shorter operand, so longer inputs are chunked).
_MAX_CHUNK = 1 << 16
_BITS = (1, 2, 4, 8, 16, 32, 64, 128)
_BIT_MASKS = tuple(
    int.from_bytes(bytes([1 << b]) * _MAX_CHUNK, "big") for b in range(8)
)


@dataclass(frozen=True, slots=True)
class SimhashConfig:
    """Fingerprint and verification parameters.

    ``distance``: Hamming distance on ``simhash`` at or below which two
    articles are candidates (also the band index tolerance: ``distance + 1``
    bands). ``sketch_distance``: verification threshold on ``sketch``.
    ``ngram``: character n-gram size for scripts without spaces.
    """

    distance: int = 3
    sketch_distance: int = 15
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

    ``size`` is the number of distinct features; ``0`` means the text had
    none (empty, whitespace or punctuation only): such a fingerprint is
    :attr:`empty` and never a near duplicate of anything.
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
    return blake2b(feature.encode("utf-8", "surrogatepass"), digest_size=8).digest()


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


def _digests(tokens: list[str], ngram: int) -> list[bytes]:
    """Concatenated feature digests of each token (memoised by token)."""
    found = list(map(_DIGESTS.get, tokens))
    if None not in found:
        return found  # type: ignore[return-value]
    if len(_DIGESTS) >= _CACHE_LIMIT:
        _DIGESTS.clear()
    for i, cached in enumerate(found):
        if cached is None:
            token = tokens[i]
            blob = _DIGESTS.get(token)
            if blob is None:
                blob = b"".join(map(feature_digest, _token_features(token, ngram)))
                if len(token) <= 64:
                    _DIGESTS[token] = blob
            found[i] = blob
    return found  # type: ignore[return-value]


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
    value = 0
    if len(digests) > 8 * _MAX_CHUNK:
        for position, count in enumerate(_column_counts(digests)):
            if count > half:
                value |= 1 << position
        return value
    for j in range(8):
        column = int.from_bytes(digests[j::8], "big")
        counts = map(int.bit_count, map(column.__and__, _BIT_MASKS))
        byte = sum(
            [bit for bit, count in zip(_BITS, counts, strict=True) if count > half]
        )
        value |= byte << 8 * (7 - j)
    return value


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
    return _content(b"".join(map(feature_digest, features(text, config))))


def fingerprint(text: str, config: SimhashConfig = DEFAULT) -> Fingerprint:
    """Fingerprint ``text`` (total on any str, including lone surrogates)."""
    tokens = normalize(text).split()
    digests = _digests(tokens, config.ngram)
    tf = b"".join(digests)
    blobs = dict.fromkeys(digests)
    blobs.pop(b"", None)
    unique = b"".join(blobs)
    if len(unique) != 8 * len(blobs):  # n-gram tokens: several digests each
        blobs = dict.fromkeys(tf[i : i + 8] for i in range(0, len(tf), 8))
        unique = b"".join(blobs)
    if not blobs:
        return Fingerprint(0, 0, _content(b""), 0)
    return Fingerprint(
        simhash=fold(tf, len(tf) // 8),
        sketch=fold(unique, len(blobs)),
        content=_content(tf),
        size=len(blobs),
    )


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints."""
    return ((a ^ b) & MASK64).bit_count()


def is_near_duplicate(
    a: Fingerprint, b: Fingerprint, config: SimhashConfig = DEFAULT
) -> tuple[bool, int]:
    """Verdict and simhash distance: exact content, or both distances in bounds.

    Empty fingerprints are never duplicates (of each other either).
    """
    distance = hamming(a.simhash, b.simhash)
    if a.empty or b.empty:
        return False, distance
    if a.content == b.content:
        return True, distance
    return (
        distance <= config.distance
        and hamming(a.sketch, b.sketch) <= config.sketch_distance,
        distance,
    )


def band_widths(distance: int) -> tuple[int, ...]:
    """Bit widths of the ``distance + 1`` pigeonhole bands (MSB first)."""
    bands = distance + 1
    base, extra = divmod(64, bands)
    return tuple(base + (1 if i < extra else 0) for i in range(bands))


def band_keys(simhash: int, distance: int) -> tuple[int, ...]:
    """One key per band: ``band_index << 58 | band_bits`` (``simhash`` if distance 0).

    Two fingerprints within ``distance`` bits share at least one key
    (pigeonhole), so a store only compares candidates sharing a key.
    """
    if distance == 0:
        return (simhash & MASK64,)
    keys = []
    shift = 64
    for index, width in enumerate(band_widths(distance)):
        shift -= width
        keys.append(index << 58 | (simhash >> shift) & ((1 << width) - 1))
    return tuple(keys)


def to_signed(value: int) -> int:
    """Unsigned 64-bit -> signed int64 (for SQLite INTEGER columns)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    """Signed int64 (as read back from SQLite) -> unsigned 64-bit."""
    return value & MASK64

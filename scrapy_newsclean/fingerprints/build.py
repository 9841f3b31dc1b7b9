"""A text's :class:`Fingerprint`: simhash, min-hash sketch and content hash.

The values computed here are persisted by the stores: changing the algorithm
(:data:`FINGERPRINT_VERSION`) changes every stored value and needs a CHANGES
entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import blake2b

from scrapy_newsclean.fingerprints.features import feature_blob, shingle_hashes
from scrapy_newsclean.fingerprints.params import DEFAULT, SimhashConfig
from scrapy_newsclean.fingerprints.simhash64 import fold
from scrapy_newsclean.fingerprints.sketch import min_hash_sketch

FINGERPRINT_VERSION = 2


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Fingerprint of one article text (all ints unsigned 64-bit).

    ``simhash``: shingle simhash; ``sketch``: packed min-hash bin values (see
    :mod:`~scrapy_newsclean.fingerprints.sketch`); ``content``: exact-content
    hash. ``size`` is the number of features (repeats included);
    ``0`` means the text had none (empty, whitespace or punctuation only): such
    a fingerprint is :attr:`empty` and never a near duplicate of anything.
    """

    simhash: int
    sketch: int
    content: int
    size: int

    @property
    def empty(self) -> bool:
        return self.size == 0


def _content(blob: bytes) -> int:
    return int.from_bytes(
        blake2b(blob, digest_size=8, person=b"content").digest(), "big"
    )


def content_hash(text: str, config: SimhashConfig = DEFAULT) -> int:
    """Exact-content hash: blake2b-8 of the feature sequence.

    Equal to ``fingerprint(text).content``: case, whitespace and edge
    punctuation do not change it; any word does (see
    :func:`~scrapy_newsclean.fingerprints.features.features`).
    """
    return _content(feature_blob(text, config.ngram))


def fingerprint(text: str, config: SimhashConfig = DEFAULT) -> Fingerprint:
    """Fingerprint ``text`` (total on any str, including lone surrogates)."""
    tf = feature_blob(text, config.ngram)
    if not tf:
        return Fingerprint(0, 0, _content(b""), 0)
    shingles = shingle_hashes(tf)
    return Fingerprint(
        simhash=fold(shingles, len(shingles) // 8),
        sketch=min_hash_sketch(shingles),
        content=_content(tf),
        size=len(tf) // 8,
    )

"""A text's :class:`Fingerprint`: simhash, min-hash sketch and content hash.

The values computed here are persisted by the stores: changing the algorithm
(:data:`FINGERPRINT_VERSION`) changes every stored value and needs a CHANGES
entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from hashlib import blake2b
from typing import TYPE_CHECKING

from scrapy_newsclean import _accel
from scrapy_newsclean.neardup._features import (
    LOW_BIT,
    SHINGLE,
    feature_blob,
    shingle_hashes,
)
from scrapy_newsclean.neardup._params import DEFAULT, SimhashConfig
from scrapy_newsclean.neardup._simhash import fold
from scrapy_newsclean.neardup._sketch import min_hash_sketch

if TYPE_CHECKING:
    from collections.abc import Callable

FINGERPRINT_VERSION = 3
_FLAGGED_RUN = re.compile(b"\x01+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Fingerprint of one article text (all ints unsigned 64-bit).

    ``simhash``: shingle simhash; ``sketch``: packed min-hash bin values (see
    :mod:`~scrapy_newsclean.neardup._sketch`); ``content``: exact-content
    hash, blake2b-8 of the feature sequence (case, whitespace and edge
    punctuation do not change it; any word does). ``size`` is the number of features (repeats included);
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


def fingerprint(text: str, config: SimhashConfig = DEFAULT) -> Fingerprint:
    """Fingerprint ``text`` (total on any str, including lone surrogates).

    The simhash counts every shingle holding a number twice: articles written
    from one template (earnings flashes, weather, results) share their fixed
    sentences and differ in their figures, while copies of one story keep
    them (version 3).
    """
    tf = feature_blob(text, config.ngram)
    if not tf:
        return Fingerprint(0, 0, _content(b""), 0)
    simhash, sketch = _SIMHASH_SKETCH(tf)
    return Fingerprint(simhash, sketch, _content(tf), len(tf) // 8)


def simhash_sketch(tf: bytes) -> tuple[int, int]:
    """``(simhash, sketch)`` of a feature blob (pure reference).

    The simhash folds the shingle hashes plus, once more, those covering a
    numeric feature (:func:`numeric_shingles`); the sketch is the shingles'
    min-hash sketch.
    """
    shingles = shingle_hashes(tf)
    numeric = numeric_shingles(tf, shingles)
    simhash = fold(shingles + numeric, (len(shingles) + len(numeric)) // 8)
    return simhash, min_hash_sketch(shingles)


#: :func:`simhash_sketch` of the active path (:mod:`scrapy_newsclean._accel`).
_SIMHASH_SKETCH: Callable[[bytes], tuple[int, int]] = (
    simhash_sketch if _accel.speedups is None else _accel.speedups.simhash_sketch
)


def numeric_shingles(digests: bytes, shingles: bytes) -> bytes:
    """The shingle hashes (in order) covering a numeric feature.

    A feature digest flags a numeric feature in its lowest bit (see
    :func:`~scrapy_newsclean.neardup._features.feature_digest`): the flags
    are read from every 8th byte, and shingle ``i`` covers features ``i`` to
    ``i + SHINGLE - 1`` (one shingle covers all of fewer features).
    """
    flags = digests[7::8].translate(LOW_BIT)  # one byte per feature: 0 or 1
    if 1 not in flags:
        return b""
    runs = len(shingles) // 8
    if runs == 1:
        return shingles
    covered = 0
    for j in range(SHINGLE):
        covered |= int.from_bytes(flags[j : j + runs], "big")
    mask = covered.to_bytes(runs, "big")
    return b"".join(
        [shingles[8 * m.start() : 8 * m.end()] for m in _FLAGGED_RUN.finditer(mask)]
    )

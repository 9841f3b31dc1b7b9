"""Pure near-duplicate fingerprints: a shingle simhash plus a min-hash sketch.

The public face of the algorithm, one concept per private module:
``_params`` (:class:`SimhashConfig`), ``_features`` (text -> feature and
shingle hashes), ``_simhash`` (the 64-bit fold, distance, storage form),
``_sketch`` (min-hash sketch and index keys), ``_fingerprint``
(:func:`fingerprint`, :data:`FINGERPRINT_VERSION`), ``_near`` (the predicate,
and a duplicate's reason), ``_index`` (the in-memory index) and
``_item_text`` (what an item is fingerprinted by). No Scrapy imports. The
values are persisted by the stores: changing the algorithm changes
:data:`FINGERPRINT_VERSION` and every stored value, and needs a CHANGES entry.

- :func:`features` of a text (normalised, casefolded, edge punctuation
  stripped; character bigrams for scripts without spaces) get 8-byte hashes;
  each word 3-gram of them a shingle hash (:func:`shingle_hashes`);
- ``simhash``: the 64-bit Charikar simhash of the shingles (:func:`fold`),
  the shingles holding a number counted twice (version 3);
  its Hamming distance (:func:`hamming`) estimates how much text two
  articles share;
- ``sketch``: a one-permutation min-hash of the shingle set in :data:`BINS`
  bins of :data:`BIN_BITS` bits (:func:`min_hash_sketch`): near duplicates
  share a bin value (:func:`sketch_bins`, the index candidates);
- :func:`is_near_duplicate`: same content, or a shared sketch bin and simhash
  distance at most ``distance`` (default 17 bits);
- :func:`counts_as_duplicate`: whether such a match counts, given both URLs
  (a kept article on the same host under another URL must be within
  ``same_host_distance``, default 8): every store applies it to its candidates.

Storage: all values are unsigned 64-bit ints (bit 63 may be set). SQLite
INTEGER is signed 64-bit: store :func:`to_signed` and read back with
:func:`to_unsigned`.
"""

from __future__ import annotations

from scrapy_newsclean.neardup._features import (
    SHINGLE,
    feature_digest,
    features,
    normalize,
    shingle_hashes,
)
from scrapy_newsclean.neardup._fingerprint import (
    FINGERPRINT_VERSION,
    Fingerprint,
    fingerprint,
)
from scrapy_newsclean.neardup._near import counts_as_duplicate, is_near_duplicate
from scrapy_newsclean.neardup._params import DEFAULT, SimhashConfig
from scrapy_newsclean.neardup._simhash import (
    MASK64,
    fold,
    hamming,
    to_signed,
    to_unsigned,
)
from scrapy_newsclean.neardup._sketch import (
    BIN_BITS,
    BINS,
    min_hash_sketch,
    shares_bin,
    sketch_bins,
)

__all__ = [
    "BINS",
    "BIN_BITS",
    "DEFAULT",
    "FINGERPRINT_VERSION",
    "MASK64",
    "SHINGLE",
    "Fingerprint",
    "SimhashConfig",
    "counts_as_duplicate",
    "feature_digest",
    "features",
    "fingerprint",
    "fold",
    "hamming",
    "is_near_duplicate",
    "min_hash_sketch",
    "normalize",
    "shares_bin",
    "shingle_hashes",
    "sketch_bins",
    "to_signed",
    "to_unsigned",
]

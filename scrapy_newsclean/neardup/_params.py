"""Fingerprint and verification parameters: :class:`SimhashConfig`."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy_newsclean import _defaults


@dataclass(frozen=True, slots=True)
class SimhashConfig:
    """Fingerprint and verification parameters.

    ``distance``: shingle-simhash Hamming distance at or below which two
    articles sharing a sketch bin are near duplicates (17 of 64 bits; two
    unrelated texts are within 17 bits with probability 1.5e-4, and share a
    bin with probability about 1.4e-6: see ``benchmarks/neardup_quality.py``).
    ``sketch_distance``: unused since fingerprint version 2 (kept so that
    existing callers construct; ignored by
    :func:`~scrapy_newsclean.neardup._near.is_near_duplicate`).
    ``ngram``: character n-gram size for scripts without spaces.
    ``same_host_distance``: a kept article on the same host as the new one
    (another URL) is its near duplicate only within this many bits (see
    :func:`~scrapy_newsclean.neardup._near.counts_as_duplicate`).
    """

    distance: int = _defaults.NEWSCLEAN_DEDUP_DISTANCE
    sketch_distance: int = 64
    ngram: int = 2
    same_host_distance: int = _defaults.NEWSCLEAN_DEDUP_SAME_HOST_DISTANCE

    def __post_init__(self) -> None:
        if not 0 <= self.distance <= 31:
            raise ValueError(f"distance must be in 0..31, got {self.distance!r}")
        if not 0 <= self.same_host_distance <= 31:
            raise ValueError(
                f"same_host_distance must be in 0..31, got {self.same_host_distance!r}"
            )
        if not 0 <= self.sketch_distance <= 64:
            raise ValueError(
                f"sketch_distance must be in 0..64, got {self.sketch_distance!r}"
            )
        if self.ngram < 1:
            raise ValueError(f"ngram must be >= 1, got {self.ngram!r}")


DEFAULT = SimhashConfig()

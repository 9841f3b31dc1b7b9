"""The near-duplicate predicate on two fingerprints.

Same content, or a shared sketch bin and simhash distance at most
:attr:`~scrapy_newsclean.neardup._params.SimhashConfig.distance` (17 bits
by default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy_newsclean.neardup._params import DEFAULT, SimhashConfig
from scrapy_newsclean.neardup._simhash import hamming
from scrapy_newsclean.neardup._sketch import shares_bin

if TYPE_CHECKING:
    from scrapy_newsclean.neardup._fingerprint import Fingerprint


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

"""The near-duplicate predicate on two fingerprints, and a duplicate's reason.

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


def duplicate_reason(url: str | None, kept_url: str | None) -> str:
    """``already_stored`` if the kept article is this URL, else ``near_duplicate``.

    A URL fetched again (a second crawl, a re-queued request) matches its own
    earlier copy: that is not another article. Without a URL: ``near_duplicate``.
    """
    if url is not None and url == kept_url:
        return "already_stored"
    return "near_duplicate"

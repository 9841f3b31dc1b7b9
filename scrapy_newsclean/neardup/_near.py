"""The near-duplicate predicate on two fingerprints, and a duplicate's reason.

Same content, or a shared sketch bin and simhash distance at most
:attr:`~scrapy_newsclean.neardup._params.SimhashConfig.distance` (17 bits
by default). A kept article on the same host as the new one, under another
URL, counts only within
:attr:`~scrapy_newsclean.neardup._params.SimhashConfig.same_host_distance`
(8): :func:`counts_as_duplicate`, which every store applies to its candidates
(the Redis store's script mirrors it, and :func:`host_key`).
"""

from __future__ import annotations

import re
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


def counts_as_duplicate(
    distance: int, url: str | None, kept_url: str | None, config: SimhashConfig
) -> bool:
    """Whether a candidate within ``config.distance`` (sharing a sketch bin) of
    the article at *url* is its near duplicate, given the kept article's URL.

    Two pages of one site share its template (menus, teasers, footers), and
    whatever of it cleaning leaves makes distinct articles of the site look
    closer than they are: a kept article on the same host (:func:`host_key`),
    under another URL, must be within ``config.same_host_distance``. The same
    URL (fetched again) or an unknown one follows the general bound.
    """
    if distance <= config.same_host_distance or not url or not kept_url:
        return True
    if url == kept_url:
        return True
    host = host_key(url)
    return not host or host != host_key(kept_url)


_AUTHORITY = re.compile(r"[^:/?#]+://([^/?#]*)")
_PORT = re.compile(r":[0-9]*\Z")


def host_key(url: str) -> str:
    """The URL's host, ASCII-lowercased, without user info, port or ``www.``;
    ``""`` when the URL has no ``scheme://``.

    The Redis store keeps a 3-byte hash of it in each entry (computed here,
    by the client), which its script compares.
    """
    found = _AUTHORITY.match(url)
    if found is None:
        return ""
    host = found.group(1).rpartition("@")[2]
    host = _PORT.sub("", host)
    host = host.encode("utf-8").lower().decode("utf-8")  # ASCII only, as Lua's
    return host.removeprefix("www.")


def duplicate_reason(url: str | None, kept_url: str | None) -> str:
    """``already_stored`` if the kept article is this URL, else ``near_duplicate``.

    A URL fetched again (a second crawl, a re-queued request) matches its own
    earlier copy: that is not another article. Without a URL: ``near_duplicate``.
    """
    if url is not None and url == kept_url:
        return "already_stored"
    return "near_duplicate"

"""Pure: learn each site's template blocks from the articles seen so far.

A block that recurs in at least ``min_pages`` distinct documents of the same
site is boilerplate for that site even when no signature knows it. Blocks are
identified by :func:`block_key`, a stable 64-bit hash of the normalised text
(blake2b, 8 bytes, unsigned; never Python's ``hash()``, which changes between
processes), so counts can be persisted and shared between crawls.

Memory per site is bounded: at most ``max_keys`` keys, least recently seen
evicted first (template blocks are seen on every page and so stay), and at most
``max_docs`` remembered document ids (to count a re-fetched page once).
"""

from __future__ import annotations

from collections import OrderedDict
from hashlib import blake2b
from typing import TYPE_CHECKING, Protocol

from scrapy_newsclean.repeats import normalize, short_key

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

DEFAULT_MIN_PAGES = 3
DEFAULT_MAX_KEYS = 4096
DEFAULT_MAX_DOCS = 1024
DEFAULT_MAX_CHARS = 300


class TemplateLookup(Protocol):
    """Answers whether a block key is a learned template block."""

    def is_template(self, block_key: int) -> bool: ...


def block_key(block: str) -> int:
    """Stable unsigned 64-bit key of a block's normalised text (0..2**64-1)."""
    norm = normalize(block) or short_key(block)
    return int.from_bytes(blake2b(norm.encode("utf-8"), digest_size=8).digest(), "big")


class _SiteCounts:
    """One site's key counts (LRU-bounded) and recently seen document ids."""

    __slots__ = ("counts", "docs")

    def __init__(self) -> None:
        self.counts: OrderedDict[int, int] = OrderedDict()
        self.docs: OrderedDict[str, None] = OrderedDict()


class SiteTemplateView:
    """:class:`TemplateLookup` for one site (a live view of the counter)."""

    __slots__ = ("_counts", "_min_pages")

    def __init__(self, counts: Mapping[int, int], min_pages: int) -> None:
        self._counts = counts
        self._min_pages = min_pages

    def is_template(self, block_key: int) -> bool:
        """Whether the key was seen in at least ``min_pages`` documents."""
        return self._counts.get(block_key, 0) >= self._min_pages


class SiteTemplateCounter:
    """Per-site counts of short blocks over distinct documents.

    ``observe(site, doc_id, blocks)`` counts each distinct eligible block once
    per document; ``lookup(site)`` returns a :class:`TemplateLookup` for
    :func:`scrapy_newsclean.text.clean_blocks`; ``export()``/``load()`` move the
    counts to and from a persistent store.
    """

    def __init__(
        self,
        *,
        min_pages: int = DEFAULT_MIN_PAGES,
        max_keys: int = DEFAULT_MAX_KEYS,
        max_docs: int = DEFAULT_MAX_DOCS,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        for name, value in (("min_pages", min_pages), ("max_keys", max_keys)):
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value!r}")
        if min_pages < 2:
            raise ValueError(f"min_pages must be >= 2, got {min_pages!r}")
        self.min_pages = min_pages
        self.max_keys = max_keys
        self.max_docs = max_docs
        self.max_chars = max_chars
        self._sites: dict[str, _SiteCounts] = {}

    def _site(self, site: str) -> _SiteCounts:
        entry = self._sites.get(site)
        if entry is None:
            entry = self._sites[site] = _SiteCounts()
        return entry

    def eligible(self, block: str) -> bool:
        """Whether a block may be learned: short and with some text."""
        stripped = block.strip()
        return 0 < len(stripped) < self.max_chars

    def observe(self, site: str, doc_id: str, blocks: Iterable[str]) -> bool:
        """Count the document's distinct eligible blocks; False if already seen.

        A document with fewer than two blocks teaches nothing (its only block is
        its content).
        """
        entry = self._site(site)
        if doc_id in entry.docs:
            return False
        entry.docs[doc_id] = None
        if len(entry.docs) > self.max_docs:
            entry.docs.popitem(last=False)
        texts = [b for b in blocks if b.strip()]
        if len(texts) < 2:
            return True
        keys = {block_key(b) for b in texts if self.eligible(b)}
        self._count(entry.counts, keys)
        return True

    def _count(self, counts: OrderedDict[int, int], keys: Iterable[int]) -> None:
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
            counts.move_to_end(key)
        while len(counts) > self.max_keys:
            counts.popitem(last=False)

    def lookup(self, site: str) -> SiteTemplateView:
        """The template lookup for a site (empty until the site is observed)."""
        return SiteTemplateView(self._site(site).counts, self.min_pages)

    def templates(self, site: str) -> list[int]:
        """Keys currently considered template blocks of a site."""
        counts = self._sites.get(site)
        if counts is None:
            return []
        return [k for k, c in counts.counts.items() if c >= self.min_pages]

    def export(self) -> dict[str, dict[int, int]]:
        """``{site: {key: documents}}``, oldest key first, for persistence."""
        return {site: dict(entry.counts) for site, entry in self._sites.items()}

    def load(self, data: Mapping[str, Mapping[int | str, int]]) -> None:
        """Merge exported counts (keys may be int or str, as after JSON).

        Loading the same export twice does not double counts: the larger of
        the stored and loaded count is kept.
        """
        for site, keys in data.items():
            counts = self._site(site).counts
            for raw_key, raw_count in keys.items():
                key, count = int(raw_key), int(raw_count)
                if not 0 <= key < 2**64 or count < 0:
                    raise ValueError(f"bad template count {raw_key!r}: {raw_count!r}")
                counts[key] = max(counts.get(key, 0), count)
                counts.move_to_end(key)
            while len(counts) > self.max_keys:
                counts.popitem(last=False)

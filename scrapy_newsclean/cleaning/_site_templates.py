"""Pure: learn each site's template blocks from the articles seen so far.

A block that recurs in at least ``min_pages`` distinct documents of the same
site is boilerplate for that site even when no signature knows it. Blocks are
identified by :func:`block_key`, a stable 64-bit hash of the normalised text
(blake2b, 8 bytes, unsigned; never Python's ``hash()``, which changes between
processes), so counts can be persisted and shared between crawls.

Memory per site is bounded: at most ``max_keys`` candidate keys and
``max(64, max_keys // 4)`` learned keys, each least-recently-seen first out
(learned keys are kept apart so new article blocks never push them out), and
at most ``max_docs`` remembered document ids (to count a re-fetched page once).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from hashlib import blake2b
from typing import TYPE_CHECKING, Protocol

from scrapy_newsclean._bounded_memo import Memo
from scrapy_newsclean.cleaning._repeats import short_key

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_PROSE_END = re.compile(r"[.!?。！？]['\"’”)]?\Z")  # noqa: RUF001

DEFAULT_MIN_PAGES = 3
DEFAULT_MAX_KEYS = 4096
DEFAULT_MAX_DOCS = 1024
DEFAULT_MAX_CHARS = 300


class TemplateLookup(Protocol):
    """Answers whether a block key is a learned template block."""

    def is_template(self, block_key: int) -> bool: ...


def block_key(block: str) -> int:
    """Stable unsigned 64-bit key of a block's normalised text (0..2**64-1).

    Case, punctuation and spacing are ignored; digits are kept (a dateline or
    "Part 2" differs between articles and must not become a template).
    """
    return digest_key(short_key(block))


# Template candidates are short blocks that recur across a site's pages.
_DIGESTS: Memo[str, int] = Memo()


def digest_key(short: str) -> int:
    """:func:`block_key` of a block from its :func:`~.repeats.short_key`."""
    key = _DIGESTS.get(short)
    if key is None:
        digest = blake2b(short.encode("utf-8"), digest_size=8).digest()
        key = int.from_bytes(digest, "big")
        if len(short) < DEFAULT_MAX_CHARS:
            _DIGESTS.put(short, key)
    return key


def eligible(block: str, max_chars: int = DEFAULT_MAX_CHARS) -> bool:
    """Whether a block may be learned: short, and not a prose sentence.

    Updates of one story on one site share whole paragraphs; a sentence of
    15+ words ending like prose is never learned, so they stay.
    """
    stripped = block.strip()
    if not 0 < len(stripped) < max_chars:
        return False
    # The prose ending lies in the last two characters: no scan of the block.
    return not _PROSE_END.search(stripped[-2:]) or len(stripped.split()) < 15


def template_keys(
    blocks: Iterable[str], max_chars: int = DEFAULT_MAX_CHARS
) -> set[int]:
    """Keys of a document's learnable blocks (none for a one-block document)."""
    texts = [b for b in blocks if b.strip()]
    if len(texts) < 2:
        return set()
    if max_chars != DEFAULT_MAX_CHARS:
        return {block_key(b) for b in texts if eligible(b, max_chars)}
    keys = set(map(_learnable_key, texts))
    keys.discard(-1)
    return keys


# Block -> its key when learnable, else -1 (chrome recurs across pages).
_LEARNABLE: Memo[str, int] = Memo()


def _learnable_key(block: str) -> int:
    """``block_key(block)`` if :func:`eligible` (default size), else -1."""
    key = _LEARNABLE.get(block)
    if key is None:
        key = block_key(block) if eligible(block) else -1
        if len(block) < DEFAULT_MAX_CHARS:
            _LEARNABLE.put(block, key)
    return key


class _SiteCounts:
    """One site's candidate and learned keys (both LRU-bounded), recent doc ids."""

    __slots__ = ("counts", "docs", "learned")

    def __init__(self) -> None:
        self.counts: OrderedDict[int, int] = OrderedDict()
        self.learned: OrderedDict[int, int] = OrderedDict()
        self.docs: OrderedDict[str, None] = OrderedDict()


class SiteTemplateView:
    """:class:`TemplateLookup` for one site (a live view of the counter)."""

    __slots__ = ("_learned",)

    def __init__(self, learned: Mapping[int, int]) -> None:
        self._learned = learned

    def is_template(self, block_key: int) -> bool:
        """Whether the key was seen in at least ``min_pages`` documents."""
        return block_key in self._learned


class SiteTemplateCounter:
    """Per-site counts of short blocks over distinct documents.

    ``observe(site, doc_id, blocks)`` counts each distinct eligible block once
    per document; ``lookup(site)`` returns a :class:`TemplateLookup` for
    :func:`scrapy_newsclean.cleaning._blocks.clean_blocks`; ``export()``/``load()`` move the
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
        if max_keys < 1 or max_docs < 1:
            raise ValueError(
                f"max_keys/max_docs must be >= 1, got {max_keys!r}/{max_docs!r}"
            )
        if min_pages < 2:
            raise ValueError(f"min_pages must be >= 2, got {min_pages!r}")
        self.min_pages = min_pages
        self.max_keys = max_keys
        self.max_docs = max_docs
        self.max_chars = max_chars
        self.max_learned = max(64, max_keys // 4)
        self._sites: dict[str, _SiteCounts] = {}

    def _site(self, site: str) -> _SiteCounts:
        entry = self._sites.get(site)
        if entry is None:
            entry = self._sites[site] = _SiteCounts()
        return entry

    def eligible(self, block: str) -> bool:
        """Whether a block may be learned (see :func:`eligible`)."""
        return eligible(block, self.max_chars)

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
        self._count(entry, template_keys(blocks, self.max_chars))
        return True

    def _count(self, entry: _SiteCounts, keys: Iterable[int]) -> None:
        for key in keys:
            if key in entry.learned:
                entry.learned[key] += 1
                entry.learned.move_to_end(key)
                continue
            count = entry.counts.pop(key, 0) + 1
            if count >= self.min_pages:
                entry.learned[key] = count
            else:
                entry.counts[key] = count
        self._evict(entry)

    def _evict(self, entry: _SiteCounts) -> None:
        # Learned keys live apart from candidates, so a flood of new article
        # blocks cannot evict a template that pages no longer show (a cleaning
        # pipeline may observe only the blocks it kept).
        while len(entry.counts) > self.max_keys:
            entry.counts.popitem(last=False)
        while len(entry.learned) > self.max_learned:
            entry.learned.popitem(last=False)

    def lookup(self, site: str) -> SiteTemplateView:
        """The template lookup for a site (empty until the site is observed)."""
        return SiteTemplateView(self._site(site).learned)

    def templates(self, site: str) -> list[int]:
        """Keys currently considered template blocks of a site."""
        counts = self._sites.get(site)
        if counts is None:
            return []
        return list(counts.learned)

    def export(self) -> dict[str, dict[int, int]]:
        """``{site: {key: documents}}``, oldest key first, for persistence."""
        return {
            site: {**entry.counts, **entry.learned}
            for site, entry in self._sites.items()
        }

    def load(self, data: Mapping[str, Mapping[int | str, int]]) -> None:
        """Merge exported counts (keys may be int or str, as after JSON).

        Loading the same export twice does not double counts: the larger of
        the stored and loaded count is kept.
        """
        for site, keys in data.items():
            entry = self._site(site)
            for raw_key, raw_count in keys.items():
                key, count = int(raw_key), int(raw_count)
                if not 0 <= key < 2**64 or count < 0:
                    raise ValueError(f"bad template count {raw_key!r}: {raw_count!r}")
                count = max(count, entry.counts.pop(key, 0), entry.learned.pop(key, 0))
                target = entry.learned if count >= self.min_pages else entry.counts
                target[key] = count
            self._evict(entry)

"""Pure: the keys of a site's template blocks, and the lookup cleaning asks.

A block that recurs in at least ``min_pages`` distinct documents of the same
site is boilerplate for that site even when no signature knows it. Blocks are
identified by :func:`block_key`, a stable 64-bit hash of the normalised text
(blake2b, 8 bytes, unsigned; never Python's ``hash()``, which changes between
processes), so counts can be persisted and shared between crawls.

Short blocks that do not read as prose (menus, teaser headlines, a footer
line) count on every page. Any other block (a prose sentence, a long "about
us" paragraph) counts only on pages *unrelated* to the other pages it was
counted on: at least :data:`UNRELATED_BITS` bits between their near-duplicate
simhashes (see
:class:`~scrapy_newsclean.stores.TemplateSighting`). A footer recurs on pages about anything; the
background paragraph shared by the follow-up stories of one event recurs on
pages that share much of their text, and stays.

:func:`template_keys` gives the keys a document teaches; the store counts them
per site (``add_template_keys``) and :class:`SiteTemplateView` answers, for
:func:`~scrapy_newsclean.cleaning._blocks.clean_blocks`, which keys reached
``min_pages`` (see :class:`~scrapy_newsclean.itemflow.ItemProcessor`).
"""

from __future__ import annotations

import re
from hashlib import blake2b
from typing import TYPE_CHECKING, NamedTuple, Protocol

from scrapy_newsclean import _accel
from scrapy_newsclean._bounded_memo import Memo
from scrapy_newsclean.cleaning._repeats import short_forms, short_key

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

_PROSE_END = re.compile(r"[.!?。！？]['\"’”)]?\Z")  # noqa: RUF001

DEFAULT_MAX_CHARS = 300

#: Simhash bits between two pages that share little text (of 64: unrelated
#: texts are 32 +- 4 apart, less the text they share; near duplicates within
#: 17). Follow-up stories that share most of their paragraphs are about 18
#: to 24 bits apart.
UNRELATED_BITS = 24
#: Most page simhashes a store keeps per prose key (its sample).
SAMPLE_SIZE = 4


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
        # surrogatepass: a lone surrogate (from JSON input) must not crash.
        digest = blake2b(short.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        key = int.from_bytes(digest, "big")
        if len(short) < DEFAULT_MAX_CHARS:
            _DIGESTS.put(short, key)
    return key


def eligible(block: str) -> bool:
    """Whether a block counts on every page: short, and not a prose sentence.

    Updates of one story on one site share whole paragraphs; a sentence of
    15+ words ending like prose counts only on unrelated pages, so they stay.
    """
    stripped = block.strip()
    if not 0 < len(stripped) < DEFAULT_MAX_CHARS:
        return False
    # The prose ending lies in the last two characters: no scan of the block.
    return not _PROSE_END.search(stripped[-2:]) or len(stripped.split()) < 15


class TemplateKeys(NamedTuple):
    """The keys a document teaches: ``plain`` count on every page, ``spread``
    only on pages unrelated to those they were counted on."""

    plain: set[int]
    spread: set[int]


def template_keys(blocks: Iterable[str]) -> TemplateKeys:
    """Keys of a document's blocks (none for a one-block document)."""
    return block_template_keys(list(blocks))[0]


#: A block's :func:`block_key`, :func:`~.repeats.short_key` and
#: :func:`~.repeats.normalize` (what cleaning compares it by).
KeyForms = tuple[int, str, str]


def block_template_keys(
    blocks: Sequence[str],
) -> tuple[TemplateKeys, dict[str, KeyForms]]:
    """:func:`template_keys` of ``blocks``, and each non-blank block's
    :data:`KeyForms` (for :class:`SiteTemplateView`: computed once)."""
    plain: set[int] = set()
    spread: set[int] = set()
    known: dict[str, KeyForms] = {}
    found = [
        (block, learnable)
        for block, learnable in zip(blocks, _LEARNABLE_KEYS(blocks), strict=True)
        if learnable is not None
    ]
    for block, (forms, short) in found:
        known[block] = forms
        if len(found) >= 2:
            (plain if short else spread).add(forms[0])
    spread -= plain
    return TemplateKeys(plain, spread), known


def learnable_keys(blocks: Sequence[str]) -> list[tuple[KeyForms, bool] | None]:
    """For each block, ``None`` when blank, else its :data:`KeyForms` and
    whether it is :func:`eligible` (pure reference of the compiled kernel)."""
    out: list[tuple[KeyForms, bool] | None] = []
    for block in blocks:
        if not block.strip():
            out.append(None)
            continue
        key, short = _learnable_key(block)
        out.append(((key, *short_forms(block)), short))
    return out


# Block -> (its key, whether it is eligible): chrome recurs across pages.
_LEARNABLE: Memo[str, tuple[int, bool]] = Memo()


def _learnable_key(block: str) -> tuple[int, bool]:
    """``block_key(block)`` and whether the block is :func:`eligible`."""
    found = _LEARNABLE.get(block)
    if found is None:
        found = (block_key(block), eligible(block))
        if len(block) < DEFAULT_MAX_CHARS:
            _LEARNABLE.put(block, found)
    return found


#: :func:`learnable_keys` of the active path (:mod:`scrapy_newsclean._accel`).
_LEARNABLE_KEYS: Callable[[Sequence[str]], list[tuple[KeyForms, bool] | None]] = (
    learnable_keys if _accel.speedups is None else _accel.speedups.learnable_keys
)


class SiteTemplateView:
    """:class:`TemplateLookup` for one site: the keys that reached ``min_pages``.

    ``block_forms`` may hold the :data:`KeyForms` of the blocks to clean,
    already computed (:func:`block_template_keys`): cleaning reuses them.
    """

    __slots__ = ("_learned", "block_forms")

    def __init__(
        self,
        learned: Mapping[int, int],
        block_forms: Mapping[str, KeyForms] | None = None,
    ) -> None:
        self._learned = learned
        self.block_forms: Mapping[str, KeyForms] = block_forms or {}

    def is_template(self, block_key: int) -> bool:
        """Whether the key was seen in at least ``min_pages`` documents."""
        return block_key in self._learned

# ruff: noqa: RUF001  (multilingual punctuation is the data here)
"""Pure text cleaning: drop boilerplate and repeated blocks from article text.

:func:`clean` splits a text into blocks (lines) and :func:`clean_blocks` removes,
in this order of precedence:

1. blocks matching the multilingual signature library
   (:mod:`scrapy_newsclean.boilerplate_signatures`): disclaimers, copyright
   lines, calls to action, advertisement labels, cookie notices, empty comment
   widgets, error banners;
2. link-list sections: a header such as "Most popular" or "関連記事" and the
   teasers that follow it (short headline-like blocks, bullet items, blocks
   followed by a "read more" line), up to the first ordinary paragraph; and a
   short keyword line just above such a header (site chrome);
3. blocks learned as the site's template (:mod:`scrapy_newsclean.templates`);
4. repeated blocks and runs (:mod:`scrapy_newsclean.repeats`), first occurrence kept.

Kept blocks are never rewritten or reordered. Cost is linear in the text size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy_newsclean.boilerplate_signatures import (
    DEFAULT_SIGNATURES,
    Rule,
    Signatures,
    compile_signatures,
)
from scrapy_newsclean.repeats import find_repeats, normalize, repeated_runs
from scrapy_newsclean.templates import block_key

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy_newsclean.templates import TemplateLookup

__all__ = [
    "DEFAULT_SIGNATURES",
    "CleanResult",
    "Removal",
    "Signatures",
    "clean",
    "clean_blocks",
    "compile_signatures",
    "normalize",
    "split_blocks",
]

_LINE = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_BULLET = re.compile(r"[-•*·►▶▸◦–—»›→]\s|\d{1,2}[.)]\s")
_SENTENCE_END = re.compile(r"[.!?。！？]['\"’”」)]?\Z")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)\s?[»›]?\Z")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_KEYWORD_SEP = re.compile(r"\s?[,、|·/]\s?")

TEASER_MAX_WORDS = 20
TEASER_MAX_CJK_CHARS = 60
TEASER_MAX_CHARS = 500
PROSE_MIN_WORDS = 30
TEMPLATE_MAX_CHARS = 300


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed block, for audit: its input index, reason token and text."""

    index: int
    reason: str
    text: str


@dataclass(frozen=True, slots=True)
class CleanResult:
    r"""Kept blocks (unchanged, in order), their ``"\\n"`` join, and removals."""

    text: str
    blocks: tuple[str, ...]
    removed: tuple[Removal, ...]


def split_blocks(text: str) -> list[str]:
    """Lines of ``text`` with surrounding whitespace stripped; blank lines dropped."""
    return [s for line in _LINE.split(text) if (s := line.strip())]


def clean(text: str, **kw: Any) -> CleanResult:
    """:func:`split_blocks` then :func:`clean_blocks` (same keyword arguments)."""
    return clean_blocks(split_blocks(text), **kw)


def clean_blocks(
    blocks: Sequence[str],
    *,
    signatures: Signatures = DEFAULT_SIGNATURES,
    template: TemplateLookup | None = None,
) -> CleanResult:
    """Remove boilerplate and repeated blocks; blank blocks are kept as they are."""
    blocks = list(blocks)
    rules = [_classify(b, signatures) for b in blocks]
    reasons: list[str | None] = [
        r.reason if r is not None and r.role != "weak" else None for r in rules
    ]
    _mark_sections(blocks, rules, reasons)
    _mark_weak(blocks, rules, reasons)
    if template is not None:
        _mark_template(blocks, reasons, template)
    active = [i for i, r in enumerate(reasons) if r is None and blocks[i].strip()]
    source = find_repeats(blocks, active)
    runs = repeated_runs(blocks, active, source)
    for i in source:
        reasons[i] = "repeated_run" if i in runs else "repeated_block"
    kept = tuple(b for b, r in zip(blocks, reasons, strict=False) if r is None)
    removed = tuple(
        Removal(i, r, blocks[i]) for i, r in enumerate(reasons) if r is not None
    )
    return CleanResult("\n".join(kept), kept, removed)


def _classify(block: str, signatures: Signatures) -> Rule | None:
    stripped = block.strip()
    return signatures.classify(stripped) if stripped else None


def _words(text: str) -> int:
    """Word count; CJK characters count one third of a word each."""
    cjk = len(_CJK_CHAR.findall(text)) if not text.isascii() else 0
    return len(text.split()) + cjk // 3


def _next_index(blocks: Sequence[str], i: int) -> int | None:
    for j in range(i + 1, min(len(blocks), i + 4)):
        if blocks[j].strip():
            return j
    return None


def _is_prose(text: str) -> bool:
    """A long ordinary paragraph (ends a link-list section)."""
    return _words(text) >= PROSE_MIN_WORDS and bool(_SENTENCE_END.search(text))


def _headline_like(text: str) -> bool:
    if _CJK_CHAR.search(text) and len(text) <= TEASER_MAX_CJK_CHARS:
        return True
    words = len(text.split())
    if words <= 6:
        return True
    return words <= TEASER_MAX_WORDS and not _SENTENCE_END.search(text)


def _is_teaser(
    blocks: Sequence[str], rules: Sequence[Rule | None], k: int, consumed: int
) -> bool:
    """Whether block ``k`` continues a link-list section."""
    text = blocks[k].strip()
    nxt = _next_index(blocks, k)
    if len(text) <= TEASER_MAX_CHARS:
        if nxt is not None and _is_read_more(rules[nxt]):
            return True
        if _BULLET.match(text) or _ELLIPSIS.search(text):
            return True
    if not _headline_like(text):
        return False
    # A subheading right above resumed prose is article text, not a teaser.
    return consumed >= 2 or nxt is None or not _is_prose(blocks[nxt])


def _is_read_more(rule: Rule | None) -> bool:
    return rule is not None and rule.reason == "link_list"


def _is_keyword_line(text: str) -> bool:
    """A short line of comma-separated keywords ("日本 最新ニュース, 日本 見出し")."""
    text = text.strip()
    if len(text) > 100 or _SENTENCE_END.search(text):
        return False
    parts = _KEYWORD_SEP.split(text)
    if len(parts) < 2 or not all(
        0 < len(p) <= 25 and len(p.split()) <= 3 for p in parts
    ):
        return False
    # Two parts must share a word ("Japan news, Japan headlines"), so that a
    # signature such as "XX, Die Redaktion" is not taken for keywords.
    words = [set(p.casefold().split()) for p in parts]
    return len(parts) >= 3 or bool(words[0] & words[1])


def _mark_sections(
    blocks: Sequence[str], rules: Sequence[Rule | None], reasons: list[str | None]
) -> None:
    """Remove each link-list section's teasers and the keyword line above it."""
    i = 0
    while i < len(blocks):
        rule = rules[i]
        if rule is None or rule.role != "section" or reasons[i] != "link_list":
            i += 1
            continue
        for j in range(i - 1, max(-1, i - 3), -1):
            if reasons[j] is None and _is_keyword_line(blocks[j]):
                reasons[j] = "site_chrome"
        k, consumed = i + 1, 0
        while k < len(blocks):
            if reasons[k] is None and blocks[k].strip():
                if not _is_teaser(blocks, rules, k, consumed):
                    break
                reasons[k] = "link_list"
                consumed += 1
            k += 1
        i = k


def _mark_weak(
    blocks: Sequence[str], rules: Sequence[Rule | None], reasons: list[str | None]
) -> None:
    """Remove weak matches ("Sorry!!", "Comments") next to a removed block."""
    weak = [i for i, r in enumerate(rules) if r is not None and r.role == "weak"]
    for order in (weak, weak[::-1]):
        for i in order:
            if reasons[i] is None and _near_removed(blocks, reasons, i):
                rule = rules[i]
                assert rule is not None
                reasons[i] = rule.reason


def _near_removed(blocks: Sequence[str], reasons: Sequence[str | None], i: int) -> bool:
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(blocks) and not blocks[j].strip():
            j += step
        if 0 <= j < len(blocks) and reasons[j] is not None:
            return True
    return False


def _mark_template(
    blocks: Sequence[str], reasons: list[str | None], template: TemplateLookup
) -> None:
    """Remove learned template blocks, unless nothing would be left."""
    hits = [
        i
        for i, b in enumerate(blocks)
        if reasons[i] is None
        and 0 < len(b.strip()) < TEMPLATE_MAX_CHARS
        and template.is_template(block_key(b))
    ]
    kept = sum(1 for i, b in enumerate(blocks) if reasons[i] is None and b.strip())
    if hits and len(hits) < kept:
        for i in hits:
            reasons[i] = "site_template"

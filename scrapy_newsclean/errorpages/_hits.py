"""Pure: the signature table's matches in each part of a page.

Every function yields ``(reason, where, matched text)`` for the rows of
:data:`~scrapy_newsclean.errorpages._signatures.SIGNATURES` of one part: the
response headers, the title and headings (only where the phrase is nearly
all of the text, and never quoted), the first visible text, and the literal
vendor markers in the head and tail of the raw markup.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from lxml import etree

from scrapy_newsclean._bounded_memo import Memo
from scrapy_newsclean._regex_literals import (
    ascii_folded,
    has_foreign,
    required_literals,
    top_alternatives,
)
from scrapy_newsclean.errorpages import _signatures as sig

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

_LITERALS = [
    lit
    for row in sig.SIGNATURES
    if row.where in {"markup", "stub"}
    for lit in row.literals
]
_LITERALS_ASCII = all(lit.isascii() for lit in _LITERALS)
_LITERAL_GROUPS = sig.anchor_groups(_LITERALS)
_LITERAL_BYTES = tuple(
    (anchor.encode(), tuple((lit, lit.encode()) for lit in members))
    for anchor, members in _LITERAL_GROUPS
    if _LITERALS_ASCII
)


def _union(where: str) -> re.Pattern[str] | None:
    """One regex matching where any row of ``where`` matches (None if unsafe)."""
    rows = [row.pattern for row in sig.SIGNATURES if row.where == where]
    if not rows or any(p.groups or p.flags != rows[0].flags for p in rows):
        return None  # numbered groups would shift; flags must agree
    return re.compile("|".join(f"(?:{p.pattern})" for p in rows), rows[0].flags)


class _Prefilter(NamedTuple):
    """A cheap test that no row of one place matches a text (never a false no).

    Every match of a row's alternative holds one of its required strings
    (:func:`required_literals`), so the longest ASCII part of one: once the
    text is :func:`ascii_folded`, one of the ``anchors`` covering those parts.
    A required string whose ASCII part is short sends its alternative to
    ``rest`` (searched in every text) or, when it holds characters no ASCII
    letter matches, to ``scripts``: searched only in a text holding one of
    those characters (``script_chars``, matched case-insensitively).
    """

    anchors: tuple[str, ...]
    rest: re.Pattern[str] | None
    script_chars: re.Pattern[str] | None
    scripts: re.Pattern[str] | None

    def may_match(self, text: str) -> bool:
        folded = ascii_folded(text)
        for anchor in self.anchors:
            if anchor in folded:
                return True
        if self.rest is not None and self.rest.search(text) is not None:
            return True
        return (
            self.script_chars is not None
            and self.scripts is not None
            and self.script_chars.search(text) is not None
            and self.scripts.search(text) is not None
        )


@cache
def _prefilter(where: str) -> _Prefilter | None:
    """The rows of ``where`` as a :class:`_Prefilter` (None as for :func:`_union`;
    built on first use: reading the rows takes tens of milliseconds)."""
    union = _UNIONS.get(where)
    if union is None:
        return None
    parts: set[str] = set()
    rest: list[str] = []
    scripts: list[str] = []
    chars: set[str] = set()
    for row in sig.SIGNATURES:
        if row.where != where:
            continue
        for alternative in top_alternatives(row.pattern.pattern):
            required = {
                s: _ascii_part(s) for s in required_literals(alternative) or {""}
            }
            short = [s for s, part in required.items() if len(part) < _MIN_PART]
            if not all(has_foreign(s) for s in short):
                rest.append(alternative)
                continue
            parts.update(p for p in required.values() if len(p) >= _MIN_PART)
            if short:
                scripts.append(alternative)
                chars.update(c for s in short for c in s if has_foreign(c))
    return _Prefilter(
        _anchors(parts, _ANCHOR_CHARS),
        _joined(rest, union.flags),
        _joined([re.escape(c) for c in sorted(chars)], union.flags),
        _joined(scripts, union.flags),
    )


def _ascii_part(literal: str) -> str:
    """The longest ASCII run of a literal, lowercased (what a folded text holds)."""
    runs = re.findall(r"[\x00-\x7f]+", literal)
    return max(runs, key=len, default="").lower()


def _anchors(parts: Collection[str], size: int) -> tuple[str, ...]:
    """Substrings of ``size`` characters (a shorter part: itself), one in every
    part: greedily, the one in most parts left first."""
    grams = {
        part: {part[i : i + size] for i in range(len(part) - size + 1)} or {part}
        for part in parts
    }
    anchors: list[str] = []
    left = sorted(parts)
    while left:
        count = Counter(gram for part in left for gram in grams[part])
        best = max(sorted(count), key=count.__getitem__)
        anchors.append(best)
        left = [part for part in left if best not in grams[part]]
    return tuple(anchors)


def _joined(alternatives: list[str], flags: int) -> re.Pattern[str] | None:
    if not alternatives:
        return None
    return re.compile("|".join(f"(?:{a})" for a in alternatives), flags)


_UNIONS = {where: _union(where) for where in ("title", "h1")}
# Shorter ASCII parts would let most texts through; anchors of six characters
# keep a few dozen substring tests per text and few false maybes.
_MIN_PART = 3
_ANCHOR_CHARS = 6
_SHORT_HITS: Memo[tuple[str, str], tuple[tuple[str, str, str], ...]] = Memo(4096)
_Markup = TypeVar("_Markup", bytes, str)
_WORDS = re.compile(r"\w+")


def header_hits(headers: Mapping[str, str] | None) -> Iterable[tuple[str, str, str]]:
    if not headers:
        return
    lines = [f"{str(k).lower()}: {v!s}" for k, v in headers.items()]
    for row in sig.SIGNATURES:
        if row.where == "header":
            for line in lines:
                if row.pattern.search(line):
                    yield row.reason, "header", line[:80]


def short_hits(where: str, texts: Iterable[str]) -> Iterable[tuple[str, str, str]]:
    """Hits where the matched phrase is (nearly) all the text: no headlines.

    Results are memoised per text: a site's name segment recurs in its titles.
    """
    for text in texts:
        if not text or len(text) > 300 or sig.QUOTED_START.match(text):
            continue
        found = _SHORT_HITS.get((where, text))
        if found is None:
            found = tuple(_text_short_hits(where, text))
            _SHORT_HITS.put((where, text), found)
        yield from found


def _text_short_hits(where: str, text: str) -> Iterable[tuple[str, str, str]]:
    prefilter = _prefilter(where)
    if prefilter is not None and not prefilter.may_match(text):
        return  # no row matches: a few substring tests instead of the union
    union = _UNIONS.get(where)
    if union is not None and union.search(text) is None:
        return  # no row matches: one scan instead of one per row
    for row in sig.SIGNATURES:
        if row.where == where and is_short_hit(row, text):
            yield row.reason, where, text


def is_short_hit(row: sig.Signature, text: str) -> bool:
    """Whether the row's phrase is (nearly) all of a title part or heading.

    Not when the phrase is quoted; the words left once every match is removed,
    fillers aside, must be at most the row's slack.
    """
    match = row.pattern.search(text)
    if match is None or sig.QUOTE_BEFORE.search(text, 0, match.start()):
        return False
    rest = sig.FILLER.sub(" ", row.pattern.sub(" ", text))
    return len(_WORDS.findall(rest)) <= row.slack


def search_hits(where: str, text: str) -> Iterable[tuple[str, str, str]]:
    if not text:
        return
    for row in sig.SIGNATURES:
        if row.where == where:
            match = row.pattern.search(text)
            if match is not None:
                yield row.reason, where, match.group(0)


def literal_hits(
    where: str, present: Collection[str]
) -> Iterable[tuple[str, str, str]]:
    """Hits of the rows of ``where``: each row's first literal in ``present``."""
    for row in sig.SIGNATURES:
        if row.where == where:
            found = next((lit for lit in row.literals if lit in present), None)
            if found is not None:
                yield row.reason, where, found


def present_literals(markup: bytes | str) -> set[str]:
    """The markup/stub literals that occur in the (lowercased) markup."""
    present: set[str] = set()
    if isinstance(markup, bytes):
        for anchor, members in _LITERAL_BYTES:
            if anchor in markup:
                present.update(lit for lit, data in members if data in markup)
        return present
    for text_anchor, text_members in _LITERAL_GROUPS:
        if text_anchor in markup:
            present.update(lit for lit in text_members if lit in markup)
    return present


def title_segments(title: str) -> list[str]:
    """The title and its parts split on site-name separators."""
    if not title:
        return []
    parts = [p.strip() for p in sig.TITLE_SEPARATORS.split(title)]
    return [title, *(p for p in parts if p and p != title)]


def markup_window(body: bytes | str, tree: etree._Element | None) -> bytes | str:
    """The head and tail of the raw markup, lowercased (serialized when no body).

    Bytes stay bytes: the literals are ASCII, and lowering Latin-1 text never
    makes an ASCII character, so ``bytes.lower`` finds the same literals as
    lowering the Latin-1 decoded text, several times faster.
    """
    if not body and tree is not None:
        body = str(etree.tostring(tree, encoding="unicode", method="html"))
    if isinstance(body, bytes):
        if not _LITERALS_ASCII:
            return _window(body.decode("latin-1")).lower()
        return _window(body).lower()
    return _window(body).lower()


def _window(markup: _Markup) -> _Markup:
    """The first and last bytes of the markup (all of it when short)."""
    head, tail = sig.MARKUP_HEAD_BYTES, sig.MARKUP_TAIL_BYTES
    if len(markup) > head + tail:
        return markup[:head] + markup[-tail:]
    return markup

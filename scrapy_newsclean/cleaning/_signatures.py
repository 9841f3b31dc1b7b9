# ruff: noqa: RUF001  (multilingual punctuation in the match-form rules)
"""Multilingual boilerplate signatures: the data files, compiled once.

The signatures themselves are data, one file per language under
``cleaning/signatures/`` (read by :mod:`~scrapy_newsclean.cleaning._signature_files`).

Patterns are matched against a block's *match form* (see :func:`match_form`):
NFKC, casefolded, curly quotes made straight, whitespace collapsed. Each
signature has a ``mode``:

- ``full``: the whole block must match (the usual, safest mode);
- ``start``: the block must start with the pattern;
- ``end``: the block must end with the pattern (trailing punctuation allowed);
- ``search``: the phrase may occur anywhere (use only for long, specific phrases).

and a ``role``: ``block`` removes the block; ``weak`` removes it only next to
another removed block (``Sorry!!`` above an error banner, a bare ``Comments``
header above an empty comment widget); ``section`` removes it and starts a
link-list section (the teasers that follow are removed too).

Every signature also has ``max_chars``: longer blocks are never tested against
it, which keeps matching cheap and stops a pattern from eating article prose.
Patterns must not nest unbounded quantifiers (checked by
:func:`compile_signatures`), so matching stays linear.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from scrapy_newsclean import _accel
from scrapy_newsclean._bounded_memo import Memo
from scrapy_newsclean._regex_safety import first_chars, first_key, prefixes
from scrapy_newsclean._regex_safety import nested_unbounded as _nested_unbounded
from scrapy_newsclean.cleaning._signature_files import (
    Group,
    SignatureRow,
    read_signature_rows,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from os import PathLike

REASONS = frozenset(
    {
        "disclaimer",
        "copyright",
        "call_to_action",
        "advertisement",
        "cookie_notice",
        "comment_widget",
        "error_banner",
        "link_list",
        "site_chrome",
        "photo_credit",
        "dateline",
        "paywall",
        "donation",
        "app_download",
        "author_bio",
        "technical_notice",
    }
)
MODES = frozenset({"full", "start", "end", "search"})
ROLES = frozenset({"block", "weak", "section"})


@dataclass(frozen=True, slots=True)
class Signature:
    """One boilerplate pattern (see the module docstring for modes and roles).

    ``hints``: optional lowercase words; the pattern is only tried on blocks
    containing one of them (a cheap prefilter for ``search`` patterns).
    """

    reason: str
    pattern: str
    mode: str = "full"
    role: str = "block"
    max_chars: int = 200
    hints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """Signatures of one (reason, role, mode, max_chars, hints) group, one regex."""

    reason: str
    role: str
    mode: str
    max_chars: int
    hints: tuple[str, ...]
    regex: re.Pattern[str]
    #: The group's patterns, one per alternative of ``regex``.
    patterns: tuple[str, ...] = field(default=(), compare=False)

    def matches(self, form: str) -> bool:
        """Whether the match form of a block matches this rule."""
        if len(form) > self.max_chars:
            return False
        if self.mode == "search":
            return self.regex.search(form) is not None
        if self.mode == "end":
            # End patterns are short: only the tail needs scanning.
            return self.regex.search(form[-120:]) is not None
        return self.regex.match(form) is not None


#: Longest block whose classification is memoised (chrome is short).
MEMO_MAX_CHARS = 500


@dataclass(frozen=True, slots=True)
class Signatures:
    """Compiled signature rules; build with :func:`compile_signatures`.

    :meth:`classify` returns the first matching rule, strong rules first. It
    first runs a cheap prefilter (one union regex per mode for the rules a
    block's length allows, one regex of all hint words) and only walks the
    rules one by one when the prefilter may have matched: the result is the
    same as trying every rule in order.
    """

    rules: tuple[Rule, ...]
    max_chars: int
    _tiers: tuple[_Tier, ...] = field(init=False, repr=False, compare=False)
    _limits: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _memo: Memo[str, tuple[Rule | None]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        limits = tuple(sorted({r.max_chars for r in self.rules}))
        # Every tier shares one anchored prefilter, which also holds the rules
        # of shorter tiers (never a false no): compiling its parts once, not
        # once per tier, halves the start-up; classification is as fast.
        anchored = _PrefixUnion(_anchored(list(self.rules)))
        tiers = [
            _tier([r for r in self.rules if r.max_chars >= limit], anchored)
            for limit in limits
        ]
        object.__setattr__(self, "_limits", limits)
        object.__setattr__(self, "_tiers", tuple(tiers))
        object.__setattr__(self, "_memo", Memo())

    def classify(self, block: str) -> Rule | None:
        """The first rule matching a (stripped) block, strong rules first.

        Results for blocks up to :data:`MEMO_MAX_CHARS` are memoised (a site's
        chrome recurs on every page).
        """
        if len(block) > MEMO_MAX_CHARS:
            return self._classify(block)
        hit = self._memo.get(block)
        if hit is None:
            hit = (self._classify(block),)
            self._memo.put(block, hit)
        return hit[0]

    def _classify(self, block: str) -> Rule | None:
        size = len(block)
        if size > self.max_chars * 2:
            return None
        limits = self._limits
        # A rule applies when size <= 2 * max_chars and len(form) <= max_chars.
        index = bisect_left(limits, (size + 1) // 2)
        if index == len(limits):
            return None
        tier = self._tiers[index]
        folded = block.casefold()
        # Plain substring tests beat one regex of all words (no scan per word start).
        words = tier.ascii_hints if folded.isascii() else tier.hints
        hinted = _any_in(folded, words)
        if not (hinted or tier.plain):
            return None
        form = _folded_match_form(block, folded)
        index = bisect_left(limits, max(len(form), (size + 1) // 2))
        if index == len(limits):
            return None
        tier = self._tiers[index]
        if tier.may_match(form):
            return _first_match(tier.rules, block, form)
        return _first_match(tier.hinted, block, form) if hinted else None


@dataclass(frozen=True, slots=True)
class _Tier:
    """The rules allowed up to one length, with their union prefilters."""

    rules: tuple[Rule, ...]  # in priority order
    hinted: tuple[Rule, ...]  # the rules with hint words
    plain: bool  # some rule has no hint words
    hints: tuple[str, ...]  # the hint words of all rules
    ascii_hints: tuple[str, ...]  # those an ASCII text may hold
    anchored: _PrefixUnion  # union of the full/start rules, by first characters
    # (shared by all tiers: it also holds rules for shorter blocks)
    ends: re.Pattern[str] | None  # union of the end rules
    searches: re.Pattern[str] | None  # union of the search rules without hints
    exact: bool  # a rule could not join a union: always try every rule

    def may_match(self, form: str) -> bool:
        """Whether some rule without hint words may match (never a false no)."""
        return (
            self.exact
            or self.anchored.match(form)
            or (self.ends is not None and self.ends.search(form[-120:]) is not None)
            or (self.searches is not None and self.searches.search(form) is not None)
        )


class _PrefixUnion:
    """A union of anchored patterns, split by the characters a match starts with.

    A block is tried against the patterns whose matches can start with its
    first two characters (:func:`prefixes`; any digit counts as ``0``), those
    known only by a first character, and those of unknown start: the same
    answer as the whole union, without trying hundreds of alternatives on
    every block. Each part is compiled when first needed.
    """

    __slots__ = ("_compiled", "_sources")

    def __init__(self, alternatives: Iterable[str]) -> None:
        parts: dict[str, list[str]] = {}
        for alternative in alternatives:
            for key in _prefilter_keys(alternative):
                parts.setdefault(key, []).append(alternative)
        self._sources = {key: "|".join(alts) for key, alts in parts.items()}
        self._compiled: dict[str, re.Pattern[str] | None] = {}

    def match(self, form: str) -> bool:
        """Whether one of the patterns matches at the start of ``form``."""
        pair = first_key(form, 2)
        for key in (pair, pair[:1], ""):
            regex = self._compiled.get(key, _UNSEEN)
            if regex is _UNSEEN:
                regex = self._compile(key)
            if regex is _ALWAYS or (regex is not None and regex.match(form)):
                return True
        return False

    def _compile(self, key: str) -> Any:
        source = self._sources.get(key)
        regex = _compiled_part(source) if source else None
        self._compiled[key] = regex
        return regex


@lru_cache(maxsize=4096)
def _compiled_part(source: str) -> Any:
    """One part of a union, compiled once per process (libraries built with
    extra signatures mostly share the default parts; compiling is costly)."""
    try:
        return re.compile(source)
    except re.error:  # cannot join one union: let every rule be tried
        return _ALWAYS


@cache
def _prefilter_keys(alternative: str) -> frozenset[str]:
    """The keys a pattern is filed under (computed once: every tier shares it)."""
    return prefixes(alternative, 2) or first_chars(alternative) or frozenset({""})


_UNSEEN: Any = object()
_ALWAYS: Any = object()


def _anchored(rules: list[Rule]) -> list[str]:
    """The alternatives of the full/start rules without hint words."""
    return [
        rf"(?:{p})\Z" if r.mode == "full" else f"(?:{p})"
        for r in rules
        if not r.hints and r.mode in {"full", "start"}
        for p in r.patterns
    ]


def _tier(rules: list[Rule], anchored: _PrefixUnion) -> _Tier:
    hinted = tuple(r for r in rules if r.hints)
    plain = [r for r in rules if not r.hints]
    # A word holding another hint word adds nothing to "any word occurs".
    words = {h for r in hinted for h in r.hints}
    hints = tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))
    exact = any(r.regex.groups or r.regex.flags != re.UNICODE for r in plain)
    unions: list[re.Pattern[str] | None] = []
    for modes in (("end",), ("search",)):
        members = [r.regex.pattern for r in plain if r.mode in modes]
        try:
            union = re.compile("|".join(f"(?:{p})" for p in members))
        except re.error:
            exact, union = True, None
        unions.append(union if members else None)
    ends, searches = unions
    ascii_hints = tuple(w for w in hints if w.isascii())
    return _Tier(
        tuple(rules),
        hinted,
        bool(plain),
        hints,
        ascii_hints,
        anchored,
        ends,
        searches,
        exact,
    )


def _first_match(rules: Iterable[Rule], block: str, form: str) -> Rule | None:
    """The first of ``rules`` matching the block (hint words checked), in order."""
    folded = None
    for rule in rules:
        if len(block) > rule.max_chars * 2:  # raw text may hold extra spaces
            continue
        if rule.hints:
            if folded is None:
                folded = block.casefold()
            if not _any_in(folded, rule.hints):
                continue
        if rule.matches(form):
            return rule
    return None


def _any_word_in(text: str, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` occurs in ``text`` (pure reference)."""
    return any(word in text for word in words)


#: :func:`_any_word_in` of the active path (:mod:`scrapy_newsclean._accel`).
_any_in: Callable[[str, tuple[str, ...]], bool] = (
    _any_word_in if _accel.speedups is None else _accel.speedups.any_in
)


_QUOTES = (("’", "'"), ("‘", "'"), ("`", "'"), ("“", '"'), ("”", '"'), ("„", '"'))


def match_form(block: str) -> str:
    """The form signatures are matched against: NFKC, casefolded, spaces collapsed."""
    if not block.isascii():
        if not unicodedata.is_normalized("NFKC", block):
            block = unicodedata.normalize("NFKC", block)
        for old, new in _QUOTES:
            if old in block:
                block = block.replace(old, new)
    return " ".join(block.casefold().split())


def _folded_match_form(block: str, folded: str) -> str:
    """:func:`match_form` of ``block``, reusing ``folded = block.casefold()``.

    Casefolding never makes nor changes a quote, so the quotes may be
    straightened after it; only a block that NFKC changes is redone.
    """
    if block.isascii():
        return " ".join(folded.split())
    if not unicodedata.is_normalized("NFKC", block):
        return match_form(block)
    for old, new in _QUOTES:
        if old in folded:
            folded = folded.replace(old, new)
    return " ".join(folded.split())


def _not_casefolded(pattern: str) -> bool:
    """True when a literal of the pattern (escapes aside) changes when casefolded.

    Such a literal can never match the casefolded match form ("ß" is "ss").
    """
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i].casefold() != pattern[i]:
            return True
        i += 1
    return False


def _as_signature(item: object) -> Signature:
    """A Signature from a Signature, a dict or a (reason, pattern, ...) sequence."""
    if isinstance(item, Signature):
        return item
    try:
        if isinstance(item, Mapping):
            sig = Signature(**item)
        elif isinstance(item, (tuple, list)):
            sig = Signature(*item)
        else:
            raise TypeError(type(item).__name__)
    except TypeError as exc:
        raise ValueError(
            f"signature must be a Signature, a dict or a (reason, pattern, mode, "
            f"role, max_chars) sequence, got {item!r}"
        ) from exc
    if not isinstance(sig.pattern, str) or not isinstance(sig.max_chars, int):
        raise ValueError(f"signature pattern must be str, max_chars int: {item!r}")  # noqa: TRY004
    return sig


def _validate(sig: Signature, *, compile_pattern: bool = True) -> None:
    if sig.reason not in REASONS:
        raise ValueError(
            f"signature reason must be one of {sorted(REASONS)}, got {sig.reason!r}"
        )
    if sig.mode not in MODES or sig.role not in ROLES:
        raise ValueError(f"bad signature mode/role: {sig.mode!r}/{sig.role!r}")
    if not 0 < sig.max_chars <= 5000:
        raise ValueError(
            f"signature max_chars must be in 1..5000, got {sig.max_chars!r}"
        )
    if isinstance(sig.hints, str) or not all(
        isinstance(h, str) and h for h in sig.hints
    ):
        raise ValueError(f"signature hints must be a list of words, got {sig.hints!r}")
    if _not_casefolded(sig.pattern):
        raise ValueError(
            f"signature pattern {sig.pattern!r} must be casefolded: blocks are "
            f"matched casefolded, so write lowercase literals ('ss' for 'ß')"
        )
    if _nested_unbounded(sig.pattern):
        raise ValueError(f"nested unbounded quantifier in signature {sig.pattern!r}")
    if compile_pattern:
        _compiled(sig.pattern)


def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid signature pattern {pattern!r}: {exc}") from exc


_GroupKey = tuple[str, str, str, int, tuple[str, ...]]


def _compile_group(key: _GroupKey, patterns: list[str]) -> Rule:
    reason, role, mode, max_chars, hints = key
    alts = "|".join(f"(?:{p})" for p in patterns)
    if mode == "full":
        source = rf"(?:{alts})\Z"
    elif mode == "end":
        source = rf"(?:{alts})[\s.!。>）)\]」】]{{0,4}}\Z"
    else:
        source = f"(?:{alts})"
    return Rule(
        reason, role, mode, max_chars, hints, re.compile(source), tuple(patterns)
    )


def default_signatures(
    files: Iterable[str | PathLike[str]] = (),
) -> tuple[Signature, ...]:
    """The packaged signature library (plus the rows of extra data ``files``).

    Each data row becomes a :class:`Signature` of its group; a hinted group's
    hint words are those of all its rows. Raises :class:`ValueError` naming
    the file for a malformed file or an invalid pattern.
    """
    extra = tuple(files)
    return _library(read_signature_rows(extra)) if extra else _packaged_library()


@cache
def _packaged_library() -> tuple[Signature, ...]:
    return _library(read_signature_rows())


def _library(rows: tuple[SignatureRow, ...]) -> tuple[Signature, ...]:
    """Signatures of the rows: one per row (with its group's prefix and suffix)."""
    hints: dict[tuple[str, str, str, int], dict[str, None]] = {}
    groups: dict[Group, list[SignatureRow]] = {}
    for row in rows:
        group = row.group
        key = (group.reason, group.role, group.mode, group.max_chars)
        hints.setdefault(key, {}).update(dict.fromkeys(row.hints))
        groups.setdefault(group, []).append(row)
    sigs: list[Signature] = []
    for group, members in groups.items():
        key = (group.reason, group.role, group.mode, group.max_chars)
        patterns = [_checked(row) for row in members]
        if group.prefix or group.suffix:
            # One pattern per row, affixes included: the prefilter files each
            # row by the characters it starts with.
            patterns = [row.full_pattern for row in members]
        _compiles(group, members, patterns)
        sigs.extend(_signature(group, p, tuple(hints[key])) for p in patterns)
    return tuple(sigs)


def _checked(row: SignatureRow, *, compile_pattern: bool = False) -> str:
    """The row's pattern, checked (in a group with affixes, without them)."""
    try:
        _validate(_signature(row.group, row.pattern), compile_pattern=compile_pattern)
    except ValueError as exc:
        raise ValueError(f"{row.source}: {exc}") from exc
    return row.pattern


def _compiles(group: Group, rows: list[SignatureRow], patterns: list[str]) -> None:
    """Check a group's patterns with one compile (row by row only on an error)."""
    try:
        for pattern in patterns[:1] if group.prefix or group.suffix else ():
            _validate(_signature(group, pattern), compile_pattern=False)
        _compiled("|".join(f"(?:{p})" for p in patterns))
    except ValueError as exc:
        for row in rows:
            _checked(row, compile_pattern=True)
        raise ValueError(f"group {group.name!r}: {exc}") from exc


def _signature(group: Group, pattern: str, hints: tuple[str, ...] = ()) -> Signature:
    return Signature(
        group.reason, pattern, group.mode, group.role, group.max_chars, hints
    )


def compile_signatures(
    extra: Iterable[Signature | Mapping[str, Any] | tuple[Any, ...]] = (),
    *,
    include_defaults: bool = True,
    files: Iterable[str | PathLike[str]] = (),
) -> Signatures:
    """Compile the library plus ``extra`` signatures (Signature, dict or tuple).

    ``files``: extra data files in the packaged format (a new language's rows
    join the packaged groups). Extra patterns are matched against
    :func:`match_form` (lowercase text); raises :class:`ValueError` for an
    unknown reason/mode/role, an invalid regex or one that nests unbounded
    quantifiers.
    """
    sigs = list(default_signatures(files)) if include_defaults else []
    added = [_as_signature(item) for item in extra]
    for sig in added:
        _validate(sig)
    groups: dict[_GroupKey, list[str]] = {}
    for sig in (*sigs, *added):
        key = (
            sig.reason,
            sig.role,
            sig.mode,
            sig.max_chars,
            tuple(h.casefold() for h in sig.hints),
        )
        groups.setdefault(key, []).append(sig.pattern)
    # Strong rules before weak ones; sections last so specific reasons win.
    order = {"block": 0, "section": 1, "weak": 2}
    keys = sorted(groups, key=lambda k: (order[k[1]], k[0] == "link_list"))
    rules = tuple(_compile_group(k, groups[k]) for k in keys)
    return Signatures(rules, max((r.max_chars for r in rules), default=0))


DEFAULT_SIGNATURES = compile_signatures()

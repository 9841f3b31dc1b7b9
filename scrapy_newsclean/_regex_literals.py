"""Pure: strings every match of a pattern holds, for substring prefilters.

:func:`required_literals` reads a pattern's literal runs and groups (a
conservative reading: what it does not know gives no strings);
:func:`ascii_folded` folds a text as re.IGNORECASE folds ASCII letters, so
that a lowercase ASCII string a case-insensitive pattern finds is a substring
of the folded text.
"""

from __future__ import annotations

import re

from scrapy_newsclean._regex_safety import class_end

# The characters outside ASCII that re.IGNORECASE takes for an ASCII letter:
# capital I with a dot, dotless i, long s, the Kelvin sign
# (tests/test_regex_safety.py checks every code point).
_ASCII_LIKE = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_ASCII_FOLD = str.maketrans(
    {**{c: c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, **_ASCII_LIKE}
)
_FOREIGN = re.compile(f"[^\\x00-\\x7f{''.join(_ASCII_LIKE)}]")
#: A fragment's whole matches larger than this are not listed.
_MAX_EXACT = 64
_EMPTY: frozenset[str] = frozenset({""})
# (whole matches when few, else None; strings one of which every match holds,
# or None; end)
_Required = tuple["frozenset[str] | None", "frozenset[str] | None", int]


def ascii_folded(text: str) -> str:
    """``text`` with every character re.IGNORECASE equates with an ASCII letter
    made that lowercase letter (same length): a case-insensitive pattern
    matches a lowercase ASCII string only where the folded text holds it."""
    return text.lower() if text.isascii() else text.translate(_ASCII_FOLD)


def has_foreign(text: str) -> bool:
    """Whether ``text`` holds a character re.IGNORECASE matches with no ASCII one."""
    return _FOREIGN.search(text) is not None


def top_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (whole when it sets inline flags)."""
    if re.search(r"\(\?[aiLmsux-]", pattern):
        return [pattern]
    parts: list[str] = []
    depth = start = i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "[":
            i = class_end(pattern, i)
            continue
        if c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        depth += {"(": 1, ")": -1}.get(c, 0)
        i += 2 if c == "\\" else 1
    return [*parts, pattern[start:]]


def required_literals(pattern: str) -> frozenset[str] | None:
    r"""Strings one of which every match of ``pattern`` holds (as written: the
    caller folds case), or ``None`` when unknown.

    Literal runs and groups of alternatives are read; of the candidates the
    one with the longest shortest string is kept (then the fewest strings).
    Conservative: classes, ``.``, ``\d \w \s`` and optional parts break runs;
    inline flags, backreferences and other escapes make it ``None``.
    """
    try:
        _, found, end = _req_alternatives(pattern, 0)
    except (IndexError, ValueError):
        return None
    return found if end == len(pattern) else None


def _req_alternatives(p: str, i: int) -> _Required:
    exact: frozenset[str] | None = frozenset()
    found: frozenset[str] | None = frozenset()
    while True:
        alt_exact, alt_found, i = _req_sequence(p, i)
        exact = None if exact is None or alt_exact is None else exact | alt_exact
        found = None if found is None or alt_found is None else found | alt_found
        if i < len(p) and p[i] == "|":
            i += 1
            continue
        return _capped(exact), found, i


def _req_sequence(p: str, i: int) -> _Required:
    exact: frozenset[str] | None = _EMPTY
    run = _EMPTY  # whole matches of the atoms since the last break
    best: frozenset[str] | None = None
    while i < len(p) and p[i] not in "|)":
        atom_exact, atom_found, i = _req_quantified(p, i)
        if atom_exact is None:
            exact = None
            best = _stronger(_stronger(best, run), atom_found)
            run = _EMPTY
            continue
        exact = None if exact is None else _capped(_joined(exact, atom_exact))
        joined = _capped(_joined(run, atom_exact))
        if joined is None:  # too many: the run so far is one candidate
            best, joined = _stronger(best, run), atom_exact
        run = joined
    return exact, _stronger(best, run), i


def _req_quantified(p: str, i: int) -> _Required:
    exact, found, i = _req_atom(p, i)
    if i >= len(p) or p[i] not in "?*+{":
        return exact, found, i
    if p[i] in "?*+":
        least, most = {"?": (0, 1), "*": (0, None), "+": (1, None)}[p[i]]
        i += 1
    else:
        bound = re.match(r"\{(\d+)(?:(,)(\d*))?\}", p[i:])
        if bound is None:
            raise ValueError(p)  # a literal "{" or "{,n}": not read
        least = int(bound.group(1))
        most = least if not bound.group(2) else int(bound.group(3) or 0) or None
        i += bound.end()
    if i < len(p) and p[i] in "?+":  # lazy or possessive
        i += 1
    if least == 0:
        optional = None if exact is None or most != 1 else exact | _EMPTY
        return optional, None, i
    found = _stronger(found, exact)
    if exact is None or least != most:
        return None, found, i
    copies: frozenset[str] | None = exact
    for _ in range(least - 1):
        copies = _capped(_joined(copies, exact))
    return copies, found, i


def _req_atom(p: str, i: int) -> _Required:
    c = p[i]
    if c == "(":
        return _req_group(p, i)
    if c == "[":
        return None, None, class_end(p, i)
    if c == "\\":
        e = p[i + 1]
        if e in "bBAZ":
            return _EMPTY, None, i + 2
        if e in "dDwWsS":
            return None, None, i + 2
        if e.isalnum() or not e.isascii():  # \x41, \u..., \N{...}, \1...
            raise ValueError(p)
        return frozenset({e}), None, i + 2
    if c in "^$":
        return _EMPTY, None, i + 1
    if c in ".*+?":
        return None, None, i + 1
    return frozenset({c}), None, i + 1


def _req_group(p: str, i: int) -> _Required:
    start, zero_width = i + 1, False
    if p.startswith("?", start):
        if p.startswith("?:", start):
            start += 2
        elif p.startswith(("?=", "?!"), start):
            zero_width, start = True, start + 2
        elif p.startswith(("?<=", "?<!"), start):
            zero_width, start = True, start + 3
        elif p.startswith("?P<", start):
            start = p.index(">", start) + 1
        else:  # inline flags, backreferences, conditionals, atomic groups
            raise ValueError(p)
    exact, found, end = _req_alternatives(p, start)
    if p[end] != ")":
        raise ValueError(p)
    if zero_width:
        return _EMPTY, None, end + 1
    return exact, found, end + 1


def _joined(left: frozenset[str] | None, right: frozenset[str]) -> set[str] | None:
    if left is None or len(left) * len(right) > _MAX_EXACT:
        return None
    return {a + b for a in left for b in right}


def _capped(found: frozenset[str] | set[str] | None) -> frozenset[str] | None:
    if found is None or len(found) > _MAX_EXACT:
        return None
    return frozenset(found)


def _stronger(
    best: frozenset[str] | None, other: frozenset[str] | None
) -> frozenset[str] | None:
    """The better set of required strings: longest shortest string, then fewest."""
    if not other or "" in other:
        return best
    if best is None:
        return other
    score = (min(map(len, other)), -len(other))
    return other if score > (min(map(len, best)), -len(best)) else best

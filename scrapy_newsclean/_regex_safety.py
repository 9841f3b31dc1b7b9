"""Pure: the check that keeps signature regexes linear (no nested quantifiers),
and the characters a pattern's match can start with (its prefilter bucket)."""

from __future__ import annotations

import re


def nested_unbounded(pattern: str) -> bool:
    """True when an unbounded quantifier applies to a group that has a quantifier."""
    stack: list[bool] = []
    last_group_quantified = False
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            last_group_quantified = False
            continue
        if c == "[":
            j = pattern.find("]", i + 2)
            i = n if j < 0 else j + 1
            last_group_quantified = False
            continue
        if c == "(":
            stack.append(False)
        elif c == ")":
            last_group_quantified = stack.pop() if stack else False
            i += 1
            continue
        elif c in "*+{?":
            unbounded = c in "*+" or (c == "{" and re.match(r"\{\d*,\}", pattern[i:]))
            if unbounded and last_group_quantified:
                return True
            if c != "?" or (i > 0 and pattern[i - 1] not in "(*+?}"):
                stack[-1:] = [True] if stack else []
        last_group_quantified = False
        i += 1
    return False


#: Character classes expanded into at most this many first characters.
_MAX_CLASS_CHARS = 256


def first_chars(pattern: str) -> frozenset[str] | None:
    r"""The characters a match of ``pattern`` can start with, or ``None`` when
    unknown (an empty match is possible, or a start such as ``.``, ``\w``,
    ``[^x]``, an inline flag or an unfamiliar construct).

    Conservative: every match of ``pattern`` (without flags) starts with one of
    the returned characters; lookarounds and anchors are zero-width. Every
    decimal digit (``\d``: any Unicode digit) is listed as ``"0"``: look a
    text up by :func:`first_key`.
    """
    try:
        chars, nullable, end = _alternatives(pattern, 0)
    except (IndexError, ValueError):
        return None
    if chars is None or nullable or end != len(pattern):
        return None
    return frozenset(chars)


def first_key(text: str) -> str:
    """The :func:`first_chars` entry a text's first character falls under."""
    head = text[:1]
    return "0" if head.isdecimal() else head


_Firsts = tuple["set[str] | None", bool, int]


def _alternatives(p: str, i: int) -> _Firsts:
    """``a|b|...`` up to an unmatched ``)`` or the end."""
    chars: set[str] | None = set()
    nullable = False
    while True:
        alt, alt_nullable, i = _sequence(p, i)
        chars = None if chars is None or alt is None else chars | alt
        nullable = nullable or alt_nullable
        if i < len(p) and p[i] == "|":
            i += 1
            continue
        return chars, nullable, i


def _sequence(p: str, i: int) -> _Firsts:
    """Concatenated atoms: the first chars of the atoms up to the first that
    cannot match empty."""
    chars: set[str] | None = set()
    nullable = True
    while i < len(p) and p[i] not in "|)":
        atom, atom_nullable, i = _quantified(p, i)
        if nullable:
            chars = None if chars is None or atom is None else chars | atom
            nullable = atom_nullable
    return chars, nullable, i


def _quantified(p: str, i: int) -> _Firsts:
    chars, nullable, i = _atom(p, i)
    if i < len(p) and p[i] in "?*+{":
        if p[i] in "?*":
            nullable, i = True, i + 1
        elif p[i] == "+":
            i += 1
        else:
            bound = re.match(r"\{(\d*)(,\d*)?\}", p[i:])
            if bound is None:  # a literal "{"
                return chars, nullable, i
            nullable = nullable or not int(bound.group(1) or 0)
            i += bound.end()
        if i < len(p) and p[i] in "?+":  # lazy or possessive
            i += 1
    return chars, nullable, i


def _atom(p: str, i: int) -> _Firsts:
    c = p[i]
    if c == "(":
        return _group(p, i)
    if c == "[":
        return _class(p, i)
    if c == "\\":
        e = p[i + 1]
        if e in "bBAZ":
            return set(), True, i + 2
        if e in "nt":
            return {"\n" if e == "n" else "\t"}, False, i + 2
        if e == "d":
            return {"0"}, False, i + 2
        if e.isalnum():  # \w \s, \x.., \u...., backreferences
            return None, False, i + 2
        return {first_key(e)}, False, i + 2
    if c in "^$":
        return set(), True, i + 1
    if c == ".":
        return None, False, i + 1
    return {first_key(c)}, False, i + 1


def _group(p: str, i: int) -> _Firsts:
    start = i + 1
    zero_width = False
    unknown = False
    if p.startswith("?", start):
        if p.startswith(("?:", "?=", "?!"), start):
            zero_width = p[start + 1] in "=!"
            start += 2
        elif p.startswith(("?<=", "?<!"), start):
            zero_width, start = True, start + 3
        elif p.startswith("?P<", start):
            start = p.index(">", start) + 1
        else:  # inline flags, conditionals: unknown
            unknown = True
            start = p.index(":", start) + 1 if ":" in p[start : start + 8] else start
    chars, nullable, end = _alternatives(p, start)
    if p[end] != ")":
        raise ValueError(p)
    if zero_width:
        return set(), True, end + 1
    return (None if unknown else chars), nullable, end + 1


def _class(p: str, i: int) -> _Firsts:
    j = i + 1
    negated = p.startswith("^", j)
    j += negated
    members: list[str] = []
    first = True
    while p[j] != "]" or first:
        first = False
        c = p[j]
        if c == "\\":
            e = p[j + 1]
            if e == "d":
                members.append("0")
                c = ""
            elif e.isalnum() and e not in "nt":
                negated = True  # \w \s...: unknown
                c = ""
            else:
                c = {"n": "\n", "t": "\t"}.get(e, e)
            j += 2
        else:
            j += 1
        if p[j] == "-" and p[j + 1] != "]" and c:
            hi = p[j + 1]
            if hi == "\\":
                hi, j = p[j + 2], j + 3
            else:
                j += 2
            if ord(hi) - ord(c) > _MAX_CLASS_CHARS:
                negated = True
            else:
                members.extend(chr(o) for o in range(ord(c), ord(hi) + 1))
        elif c:
            members.append(c)
    if negated or len(members) > _MAX_CLASS_CHARS:
        return None, False, j + 1
    return {first_key(m) for m in members}, False, j + 1

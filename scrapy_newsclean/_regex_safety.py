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
#: Prefix sets larger than this are not worth a lookup table.
_MAX_PREFIXES = 512


def first_chars(pattern: str) -> frozenset[str] | None:
    r"""The characters a match of ``pattern`` can start with, or ``None`` when
    unknown (an empty match is possible, or a start such as ``.``, ``\w``,
    ``[^x]``, an inline flag or an unfamiliar construct).

    Conservative: every match of ``pattern`` (without flags) starts with one of
    the returned characters; lookarounds and anchors are zero-width. Every
    decimal digit (``\d``: any Unicode digit) is listed as ``"0"``: look a
    text up by :func:`first_key`.
    """
    return prefixes(pattern, 1)


def prefixes(pattern: str, size: int) -> frozenset[str] | None:
    """The first ``size`` characters of every match of ``pattern`` (digits as
    ``"0"``, see :func:`first_chars`), or ``None`` when unknown or when a match
    may be shorter than ``size``."""
    try:
        found, end = _alternatives(pattern, 0, size)
    except (IndexError, ValueError):
        return None
    if found is None or end != len(pattern):
        return None
    if any(len(prefix) < size for prefix in found):
        return None
    return frozenset(found)


def first_key(text: str, size: int = 1) -> str:
    """The :func:`prefixes` entry a text falls under (its first ``size``
    characters, a decimal digit as ``"0"``)."""
    head = text[:size]
    if head.isalpha() or not any(c.isdecimal() for c in head):
        return head
    return "".join("0" if c.isdecimal() else c for c in head)


# A fragment's language, cut to ``size`` characters: a string shorter than
# ``size`` is a whole match of the fragment; one of ``size`` characters, the
# start of longer matches. None: unknown.
_Parsed = tuple["set[str] | None", int]


def _concat(
    left: set[str] | None, right: set[str] | None, size: int
) -> set[str] | None:
    if left is None:
        return None
    done = {a for a in left if len(a) >= size}
    open_ = [a for a in left if len(a) < size]
    if not open_:
        return done
    if right is None:
        return None
    joined = done | {(a + b)[:size] for a in open_ for b in right}
    return None if len(joined) > _MAX_PREFIXES else joined


def _alternatives(p: str, i: int, size: int) -> _Parsed:
    """``a|b|...`` up to an unmatched ``)`` or the end."""
    found: set[str] | None = set()
    while True:
        alt, i = _sequence(p, i, size)
        found = None if found is None or alt is None else found | alt
        if i < len(p) and p[i] == "|":
            i += 1
            continue
        return found, i


def _sequence(p: str, i: int, size: int) -> _Parsed:
    found: set[str] | None = {""}
    while i < len(p) and p[i] not in "|)":
        atom, i = _quantified(p, i, size)
        found = _concat(found, atom, size)
    return found, i


def _quantified(p: str, i: int, size: int) -> _Parsed:
    atom, i = _atom(p, i, size)
    if i >= len(p) or p[i] not in "?*+{":
        return atom, i
    if p[i] in "?*+":
        least, most = {"?": (0, 1), "*": (0, None), "+": (1, None)}[p[i]]
        i += 1
    else:
        bound = re.match(r"\{(\d*)(?:(,)(\d*))?\}", p[i:])
        if bound is None:  # a literal "{"
            return atom, i
        least = int(bound.group(1) or 0)
        most = least if not bound.group(2) else int(bound.group(3) or 0) or None
        i += bound.end()
    if i < len(p) and p[i] in "?+":  # lazy or possessive
        i += 1
    found: set[str] | None = {""}
    for _ in range(min(least, size)):
        found = _concat(found, atom, size)
    if most is None or most > least:
        # Further copies are optional: each may add characters.
        optional = atom if atom is None else atom | {""}
        for _ in range(size):
            found = _concat(found, optional, size)
    return found, i


def _atom(p: str, i: int, size: int) -> _Parsed:
    c = p[i]
    if c == "(":
        return _group(p, i, size)
    if c == "[":
        return _class(p, i)
    if c == "\\":
        e = p[i + 1]
        if e in "bBAZ":
            return {""}, i + 2
        if e in "nt":
            return {"\n" if e == "n" else "\t"}, i + 2
        if e == "d":
            return {"0"}, i + 2
        if (code := _code_point(p, i)) is not None:
            return {first_key(code[0])}, code[1]
        if e.isalnum():  # \w \s, backreferences
            return None, i + 2
        return {first_key(e)}, i + 2
    if c in "^$":
        return {""}, i + 1
    if c == ".":
        return None, i + 1
    return {first_key(c)}, i + 1


_CODE_POINT = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")


def _code_point(p: str, i: int) -> tuple[str, int] | None:
    r"""The character of a ``\xhh``, ``\uhhhh`` or ``\Uhhhhhhhh`` escape at
    ``p[i]``, and the index after it."""
    escape = _CODE_POINT.match(p, i)
    if escape is None:
        return None
    return chr(int(next(g for g in escape.groups() if g), 16)), escape.end()


def _group(p: str, i: int, size: int) -> _Parsed:
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
    found, end = _alternatives(p, start, size)
    if p[end] != ")":
        raise ValueError(p)
    if zero_width:
        return {""}, end + 1
    return (None if unknown else found), end + 1


def _class(p: str, i: int) -> _Parsed:
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
            elif (code := _code_point(p, j)) is not None:
                c, j = code[0], code[1] - 2
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
            if (code := _code_point(p, j + 1)) is not None:
                hi, j = code
            elif hi == "\\":
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
        return None, j + 1
    return {first_key(m) for m in members}, j + 1


def class_end(pattern: str, i: int) -> int:
    """The index after the character class opening at ``pattern[i]``."""
    return _class(pattern, i)[1]

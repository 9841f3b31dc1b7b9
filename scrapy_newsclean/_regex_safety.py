"""Pure: the check that keeps signature regexes linear (no nested quantifiers)."""

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

"""Strings every match of a pattern holds, and ASCII folding (_regex_literals)."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from scrapy_newsclean._regex_literals import (
    ascii_folded,
    has_foreign,
    required_literals,
    top_alternatives,
)
from scrapy_newsclean.errorpages import _signatures as errorpage_signatures
from scrapy_newsclean.errorpages._signature_files import (
    read_signature_rows as read_errorpage_rows,
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("abc", {"abc"}),
        ("page (?:was )?not found", {"page not found", "page was not found"}),
        (r"\b(?:404|410)\b", {"404", "410"}),
        (r"\b40[13]\b\W*(?:forbidden|unauthorized)", {"forbidden", "unauthorized"}),
        ("ab?c", {"ac", "abc"}),
        ("x{3}y", {"xxxy"}),
        ("a(?=b)c", {"ac"}),  # zero-width parts join their neighbours
        (r"(?<!\w)[a-z]+ error", {" error"}),
        ("(?:a|)b", {"b", "ab"}),
        ("(?P<n>quick) fox", {"quick fox"}),
        (r"a\.b", {"a.b"}),
        ("(?:x|y)+z", {"z"}),  # as long, and fewer
    ],
)
def test_required_literals(pattern: str, expected: set[str]) -> None:
    assert required_literals(pattern) == frozenset(expected)


@pytest.mark.parametrize(
    "pattern",
    ["a*", "(?i)abc", r"(a)\1", r"\x41bc", "[ab]c?", ".", "(?:a|)", "a{,3}", ")"],
)
def test_required_literals_unknown(pattern: str) -> None:
    assert required_literals(pattern) is None


def test_required_literals_are_in_every_match() -> None:
    # Every alternative of every compiled error-page signature (quote guards
    # included), on every example and trap of every row.
    samples = [t for r in read_errorpage_rows() for t in (*r.examples, *r.traps)]
    checked = 0
    for signature in errorpage_signatures.SIGNATURES:
        for alternative in top_alternatives(signature.pattern.pattern):
            required = required_literals(alternative)
            if required is None:
                continue
            regex = re.compile(alternative, re.IGNORECASE)
            for sample in samples:
                match = regex.search(sample)
                if match is not None:
                    checked += 1
                    assert any(
                        re.search(re.escape(s), match.group(0), re.IGNORECASE)
                        for s in required
                    ), (alternative, sample)
    assert checked > 200


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("a|b", ["a", "b"]),
        ("(?:a|b)c|d", ["(?:a|b)c", "d"]),
        (r"[|]x|\|y", ["[|]x", r"\|y"]),
        ("(?i)a|b", ["(?i)a|b"]),  # inline flags apply to every alternative
        ("abc", ["abc"]),
    ],
)
def test_top_alternatives(pattern: str, expected: list[str]) -> None:
    assert top_alternatives(pattern) == expected


def test_ascii_folded_is_how_ignorecase_sees_ascii() -> None:
    # Every code point outside ASCII: those re.IGNORECASE matches with an ASCII
    # character fold to it; every other one is foreign, and a class of all
    # the foreign ones matches no ASCII character.
    others = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    like: set[str] = set()
    for code in range(0x80):
        for found in set(re.findall(re.escape(chr(code)), others, re.IGNORECASE)):
            assert ascii_folded(found) == chr(code).lower(), (chr(code), found)
            like.add(found)
    assert like == {c for c in others if not has_foreign(c)}
    bounds = [0x7F, *sorted(ord(c) for c in like), 0x110000]
    ranges = "".join(
        f"{chr(low + 1)}-{chr(high - 1)}"
        for low, high in pairwise(bounds)
        if high > low + 1
    )
    foreign = re.compile(f"[{ranges}]", re.IGNORECASE)
    assert foreign.search("".join(map(chr, range(0x80)))) is None
    assert ascii_folded("Seite NICHT Gefunden") == "seite nicht gefunden"
    assert len(ascii_folded("İstanbul")) == len("İstanbul")

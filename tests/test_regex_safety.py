"""Every regular expression the package ships stays linear on hostile input.

A guard against catastrophic backtracking, not a benchmark: each pattern is
checked for nested unbounded quantifiers and run over long adversarial
strings; the time bound is generous (seconds for what takes milliseconds).
"""

from __future__ import annotations

import re
import time
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any

import pytest

from scrapy_newsclean import _item_fields as fields_module
from scrapy_newsclean import neardup as simhash
from scrapy_newsclean._regex_safety import first_chars, first_key, prefixes
from scrapy_newsclean.cleaning import _blocks as text
from scrapy_newsclean.cleaning import _repeats as repeats
from scrapy_newsclean.cleaning import _signatures as boilerplate_signatures
from scrapy_newsclean.cleaning._signature_files import read_signature_rows
from scrapy_newsclean.cleaning._signatures import _nested_unbounded
from scrapy_newsclean.errorpages import _classify as errorpages
from scrapy_newsclean.errorpages import _signatures as errorpage_signatures

if TYPE_CHECKING:
    from types import ModuleType

MODULES = [
    errorpage_signatures,
    errorpages,
    boilerplate_signatures,
    text,
    repeats,
    simhash,
    fields_module,
]


def patterns_in(value: Any, depth: int = 0) -> list[re.Pattern[Any]]:
    """Compiled patterns held by a module value (in tuples and dataclasses too)."""
    if isinstance(value, re.Pattern):
        return [value]
    if depth > 3:
        return []
    if isinstance(value, tuple | list | frozenset | set):
        return [p for item in value for p in patterns_in(item, depth + 1)]
    if is_dataclass(value) and not isinstance(value, type):
        return [
            p
            for f in fields(value)
            for p in patterns_in(getattr(value, f.name), depth + 1)
        ]
    return []


def module_patterns(module: ModuleType) -> list[re.Pattern[Any]]:
    found = [p for v in vars(module).values() for p in patterns_in(v)]
    return list({(p.pattern, p.flags): p for p in found}.values())


PATTERNS = [p for module in MODULES for p in module_patterns(module)]
ADVERSARIAL = [
    "a" * 100_000,
    " " * 100_000,
    "-" * 50_000 + "!",
    "error " * 20_000,
    "404 " * 25_000,
    "page not " * 10_000,
    "<a" * 50_000,
    "<p " + "x" * 100_000,
    "/" * 50_000 + "x",
    "© " * 50_000,
    "続き" * 50_000,
]


def test_patterns_were_found() -> None:
    assert len(PATTERNS) > 20


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: str(p.pattern)[:40])
def test_no_nested_unbounded_quantifier(pattern: re.Pattern[Any]) -> None:
    source = pattern.pattern
    if isinstance(source, bytes):
        source = source.decode("latin-1")
    assert not _nested_unbounded(source)


def _scan_seconds(pattern: re.Pattern[Any], length: int) -> float:
    """CPU seconds to search and findall every adversarial subject cut to *length*."""
    start = time.process_time()
    for subject in ADVERSARIAL:
        value: str | bytes = subject[:length]
        if isinstance(pattern.pattern, bytes):
            value = value.encode()  # type: ignore[union-attr]
        pattern.search(value)  # type: ignore[arg-type]
        pattern.findall(value)  # type: ignore[arg-type]
    return time.process_time() - start


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: str(p.pattern)[:40])
def test_linear_on_adversarial_input(pattern: re.Pattern[Any]) -> None:
    # A catastrophic pattern takes minutes on these inputs; a linear one takes
    # time in proportion to the input: four times the input, about four times
    # the time (quadratic: sixteen). CPU time, not wall time, and a margin for
    # noise: a loaded machine must not fail it.
    quarter = _scan_seconds(pattern, 5_000)
    whole = _scan_seconds(pattern, 20_000)
    assert whole < 8 * quarter + 0.05, (quarter, whole)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("abc", "a"),
        ("(?:ab|cd)e", "ac"),
        ("[©c] ?2019", "c©"),
        ("(?:x)?y", "xy"),
        ("a{0,3}b", "ab"),
        ("(?:ab)*c", "ac"),
        ("(?=a)ab", "a"),
        (r"x\b", "x"),
        (r"\.\.\.", "."),
        ("(?P<n>q)r", "q"),
        ("[a-c]x|d", "abcd"),
        (r"[\-z]", "-z"),
        (r"\n?t", "\nt"),
        ("^(?:skip|zum) ", "sz"),
        # any decimal digit (Unicode's too) is listed as "0"
        (r"\d+ comments", "0"),
        (r"(?:\d{1,5}|one) c", "0o"),
        ("[0-9a]b", "0a"),
        ("4x", "0"),
    ],
)
def test_first_chars(pattern: str, expected: str) -> None:
    assert first_chars(pattern) == frozenset(expected)


@pytest.mark.parametrize(
    "pattern",
    [
        ".*x",
        "[^x]y",
        r"[\w]y",
        "(?i)ab",
        "a|",  # may match empty
        "(?:a)?",
        "x*",
        "(",  # malformed
        "[a-",
    ],
)
def test_first_chars_unknown(pattern: str) -> None:
    assert first_chars(pattern) is None


def test_first_key_of_a_digit_is_zero() -> None:
    assert first_key("٣ تعليقات") == "0"  # an Arabic-Indic digit: \d matches it
    assert re.match(r"\d", "٣")
    assert first_key("x") == "x"
    assert first_key("") == ""


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("abc", {"ab"}),
        ("(?:ab|cd)e", {"ab", "cd"}),
        ("[©c] ?2019", {"c ", "c0", "© ", "©0"}),
        (r"\d{1,5} comments", {"0 ", "00"}),
        ("(?:skip|zum) to", {"sk", "zu"}),
        (r"(?:\d{1,5}|one) (?:c|d)", {"0 ", "00", "on"}),
        ("a(?:)?b", {"ab"}),
        (r"x\bz", {"xz"}),
        ("(?:a|b)+c", {"aa", "ab", "ac", "ba", "bb", "bc"}),
        # Code-point escapes name their character, in and out of classes.
        (r"i\u0307?çe", {"iç", "i\u0307"}),
        (r"[\u0130i]x", {"İx", "ix"}),
        (r"\x41\U0001F600", {"A\U0001f600"}),
        (r"[\u0061-\u0063]z", {"az", "bz", "cz"}),
    ],
)
def test_two_character_prefixes(pattern: str, expected: set[str]) -> None:
    assert prefixes(pattern, 2) == frozenset(expected)


@pytest.mark.parametrize("pattern", ["(?:x)?y", "a{0,3}b", "ab?", "a", ".b", "[^a]b"])
def test_two_character_prefixes_unknown(pattern: str) -> None:
    # A match may be one character long, or its start is unknown.
    assert prefixes(pattern, 2) is None


@pytest.mark.parametrize(("size", "least"), [(1, 0.75), (2, 0.5)])
def test_prefixes_never_miss_a_match(size: int, least: float) -> None:
    # Every packaged anchored signature: a match starts with a listed prefix.
    patterns = [
        r.full_pattern
        for r in read_signature_rows()
        if r.group.mode in {"full", "start"}
    ]
    texts = [t for r in read_signature_rows() for t in (*r.examples, *r.traps)]
    forms = [boilerplate_signatures.match_form(t) for t in texts]
    listed = 0
    for pattern in patterns:
        found = prefixes(pattern, size)
        if found is None:
            continue
        listed += 1
        regex = re.compile(pattern)
        for form in forms:
            if regex.match(form):
                assert first_key(form, size) in found, (pattern, form)
    assert listed > least * len(patterns)  # most rows open with a literal

"""The error-page signature data: ``errorpages/signatures/*.json``, read once.

Each file holds the rows of one language (``en.json``), of vendors' markers
(``vendors.json``: headers, markup, vendor titles; ``any`` language unless a
row says otherwise), language-neutral rows (``any.json``) or rows whose one
pattern spans several languages (``multilingual.json``, language ``mul``:
each row lists its ``languages``)::

    {"language": "en", "signatures": [
        {"reason": "soft_404", "where": ["title", "h1"], "pattern": "lost in space",
         "slack": 0, "examples": ["Lost in space"],
         "traps": ["'Lost in Space' season 3 review"]}]}

``where`` is one place or a list of places (see
:mod:`scrapy_newsclean.errorpages._signatures`); ``markup`` and ``stub`` rows
give lowercase ``literals`` instead of a ``pattern``; ``slack`` (title and
``h1`` rows only) is how many words may surround the phrase. ``examples`` must
be found in every place of the row, ``traps`` in none (checked by the test
suite). A row's alternatives stay in one pattern: its slack counts the words
left once every match of the pattern is removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from scrapy_newsclean._data_files import fields, read_json_files, strings, typed

if TYPE_CHECKING:
    from collections.abc import Iterable
    from os import PathLike

WHERES = frozenset({"header", "title", "h1", "text", "lead", "markup", "stub"})
LITERAL_WHERES = frozenset({"markup", "stub"})
SLACK_WHERES = frozenset({"title", "h1"})
_LANGUAGE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True, slots=True)
class ErrorPageRow:
    """One row of a data file (``pattern`` is empty for literal rows)."""

    reason: str
    where: tuple[str, ...]
    pattern: str
    literals: tuple[str, ...]
    slack: int
    languages: tuple[str, ...]
    examples: tuple[str, ...]
    traps: tuple[str, ...]
    source: str


def read_signature_rows(
    extra_files: Iterable[str | PathLike[str]] = (),
) -> tuple[ErrorPageRow, ...]:
    """The rows of the packaged files, then of ``extra_files``, in file order.

    Raises :class:`ValueError` naming the file and row for a malformed file
    (patterns themselves are checked when compiled).
    """
    extra = tuple(extra_files)
    return _read(extra) if extra else _packaged_rows()


@cache
def _packaged_rows() -> tuple[ErrorPageRow, ...]:
    return _read(())


def _read(extra: tuple[str | PathLike[str], ...]) -> tuple[ErrorPageRow, ...]:
    loaded = read_json_files("scrapy_newsclean.errorpages", "signatures", extra)
    return tuple(row for source, data in loaded for row in _rows(source, data))


def _rows(source: str, data: object) -> list[ErrorPageRow]:
    top = fields(source, data, ("language", "signatures"), ("description",))
    language = typed(source, top["language"], str)
    if language != "mul":
        _check_languages(source, (language,))
    return [
        _row(f"{source}: signature {index}", item, language, source)
        for index, item in enumerate(typed(source, top["signatures"], list))
    ]


def _row(where: str, item: object, language: str, source: str) -> ErrorPageRow:
    spec = fields(
        where,
        item,
        ("reason", "where", "examples"),
        ("pattern", "literals", "slack", "languages", "traps"),
    )
    places = spec["where"]
    places = (places,) if isinstance(places, str) else strings(where, places)
    if not set(places) <= WHERES or len(set(places)) != len(places):
        raise ValueError(f"{where}: where must be some of {sorted(WHERES)}")
    literal = bool(set(places) & LITERAL_WHERES)
    if literal and not set(places) <= LITERAL_WHERES:
        raise ValueError(f"{where}: markup/stub rows cannot share other places")
    if ("literals" in spec) != literal or ("pattern" in spec) == literal:
        raise ValueError(f"{where}: markup/stub rows give literals, others a pattern")
    if "slack" in spec and not set(places) & SLACK_WHERES:
        raise ValueError(f"{where}: slack is for title and h1 rows only")
    literals = strings(where, spec["literals"]) if literal else ()
    if any(lit != lit.lower() for lit in literals):
        raise ValueError(f"{where}: literals must be lowercase (markup is lowercased)")
    slack = typed(where, spec.get("slack", 0), int)
    if slack < 0:
        raise ValueError(f"{where}: slack must be >= 0, got {slack}")
    if "languages" in spec:
        languages = strings(where, spec["languages"])
    elif language == "mul":
        raise ValueError(f"{where}: rows of a 'mul' file list their languages")
    else:
        languages = (language,)
    _check_languages(where, languages)
    return ErrorPageRow(
        typed(where, spec["reason"], str),
        places,
        "" if literal else typed(where, spec["pattern"], str),
        literals,
        slack,
        languages,
        strings(where, spec["examples"]),
        strings(where, spec.get("traps", []), nonempty=False),
        source,
    )


def _check_languages(where: str, languages: tuple[str, ...]) -> None:
    for language in languages:
        if language != "any" and not _LANGUAGE.fullmatch(language):
            raise ValueError(
                f"{where}: language must be a lowercase ISO 639 code or 'any', "
                f"got {language!r}"
            )

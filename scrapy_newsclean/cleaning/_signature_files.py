"""The boilerplate signature data: ``cleaning/signatures/*.json``, read once.

``_groups.json`` defines the groups, strongest first: each gives its rows a
``reason``, ``role``, ``mode`` and ``max_chars`` (see
:mod:`scrapy_newsclean.cleaning._signatures`), and says whether its rows name
``hints``. Every other file holds the rows of one language::

    {"language": "de", "signatures": [
        {"group": "advertisement", "pattern": "anzeige|werbung",
         "examples": ["Anzeige"], "traps": ["Die Anzeige wurde zurückgezogen."]}]}

A row's ``pattern`` is matched against a block's match form (casefolded);
``examples`` are real blocks it must match, ``traps`` blocks it must not
(both checked by the test suite). A row may list its own ``languages`` (the
file's otherwise); ``any`` marks language-neutral rows. A group's ``prefix`` and ``suffix`` surround
the alternation of its rows' patterns (matched once, not once per row). In a
``hinted`` group, ``hints`` are words one of which a matching block holds (a
cheap prefilter: the patterns are tried only on blocks holding a hint word of
the rows sharing their reason, role, mode and max_chars).
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

GROUPS_FILE = "_groups.json"
_LANGUAGE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True, slots=True)
class Group:
    """Signature parameters shared by the rows that name the group."""

    name: str
    reason: str
    role: str
    mode: str
    max_chars: int
    hinted: bool
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class SignatureRow:
    """One row of a data file, with its group and where it comes from."""

    group: Group
    pattern: str
    languages: tuple[str, ...]
    hints: tuple[str, ...]
    examples: tuple[str, ...]
    traps: tuple[str, ...]
    source: str

    @property
    def full_pattern(self) -> str:
        """The pattern with its group's prefix and suffix."""
        group = self.group
        if not (group.prefix or group.suffix):
            return self.pattern
        return f"{group.prefix}(?:{self.pattern}){group.suffix}"


def read_signature_rows(
    extra_files: Iterable[str | PathLike[str]] = (),
) -> tuple[SignatureRow, ...]:
    """The rows of the packaged files, then of ``extra_files``, in group order.

    Raises :class:`ValueError` naming the file and row for a malformed file
    (patterns themselves are checked when compiled).
    """
    extra = tuple(extra_files)
    return _packaged_rows() if not extra else _read(extra)


@cache
def _packaged_rows() -> tuple[SignatureRow, ...]:
    return _read(())


def _read(extra: tuple[str | PathLike[str], ...]) -> tuple[SignatureRow, ...]:
    loaded = read_json_files("scrapy_newsclean.cleaning", "signatures", extra)
    [(groups_source, groups_data)] = [
        (s, d) for s, d in loaded if s.endswith(f"/{GROUPS_FILE}")
    ]
    groups = _groups(groups_source, groups_data)
    rows = [
        row
        for source, data in loaded
        if source != groups_source
        for row in _rows(source, data, groups)
    ]
    order = {name: index for index, name in enumerate(groups)}
    # Group order decides which rule wins when several match: rows keep it.
    rows.sort(key=lambda row: order[row.group.name])
    return tuple(rows)


def _groups(source: str, data: object) -> dict[str, Group]:
    top = fields(source, data, ("groups",), ("description",))
    groups: dict[str, Group] = {}
    for index, item in enumerate(typed(source, top["groups"], list)):
        where = f"{source}: group {index}"
        spec = fields(
            where,
            item,
            ("name", "reason", "role", "mode", "max_chars", "hinted"),
            ("prefix", "suffix", "description"),
        )
        group = Group(
            typed(where, spec["name"], str),
            typed(where, spec["reason"], str),
            typed(where, spec["role"], str),
            typed(where, spec["mode"], str),
            typed(where, spec["max_chars"], int),
            typed(where, spec["hinted"], bool),
            typed(where, spec.get("prefix", ""), str),
            typed(where, spec.get("suffix", ""), str),
        )
        if group.name in groups:
            raise ValueError(f"{where}: duplicate group name {group.name!r}")
        groups[group.name] = group
    return groups


def _rows(source: str, data: object, groups: dict[str, Group]) -> list[SignatureRow]:
    top = fields(source, data, ("language", "signatures"), ("description",))
    [language] = _languages(source, [top["language"]])
    rows = []
    for index, item in enumerate(typed(source, top["signatures"], list)):
        where = f"{source}: signature {index}"
        spec = fields(
            where,
            item,
            ("group", "pattern", "examples"),
            ("hints", "traps", "languages"),
        )
        name = typed(where, spec["group"], str)
        if name not in groups:
            raise ValueError(f"{where}: unknown group {name!r}")
        group = groups[name]
        if group.hinted != ("hints" in spec):
            raise ValueError(
                f"{where}: group {name!r} "
                + ("needs hints" if group.hinted else "takes no hints")
            )
        rows.append(
            SignatureRow(
                group,
                typed(where, spec["pattern"], str),
                _languages(where, spec.get("languages", [language])),
                strings(where, spec["hints"]) if group.hinted else (),
                strings(where, spec["examples"]),
                strings(where, spec.get("traps", []), nonempty=False),
                source,
            )
        )
    return rows


def _languages(where: str, value: object) -> tuple[str, ...]:
    languages = strings(where, value)
    for language in languages:
        if language != "any" and not _LANGUAGE.fullmatch(language):
            raise ValueError(
                f"{where}: language must be a lowercase ISO 639 code or 'any', "
                f"got {language!r}"
            )
    return languages

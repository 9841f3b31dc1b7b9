"""The signature tables are data: every row's examples match it, its traps do not.

Rows live in ``cleaning/signatures/*.json`` and ``errorpages/signatures/*.json``.
Each example must match its own row (and be classified by the engine with the
row's reason); each trap must not match its row. The README's language lists
are the data's; a language is added with one file (shown with a file in a
temporary folder).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from scrapy_newsclean.cleaning._blocks import clean_blocks
from scrapy_newsclean.cleaning._signature_files import (
    SignatureRow,
    read_signature_rows,
)
from scrapy_newsclean.cleaning._signatures import (
    DEFAULT_SIGNATURES,
    Signature,
    compile_signatures,
    default_signatures,
    match_form,
)
from scrapy_newsclean.errorpages import _hits
from scrapy_newsclean.errorpages import _signatures as errorpage_signatures
from scrapy_newsclean.errorpages._classify import classify
from scrapy_newsclean.errorpages._signature_files import (
    ErrorPageRow,
)
from scrapy_newsclean.errorpages._signature_files import (
    read_signature_rows as read_errorpage_rows,
)

if TYPE_CHECKING:
    from scrapy_newsclean.cleaning._signatures import Signatures

README = Path(__file__).parents[1] / "README.md"
URL = "https://news.example/2024/05/14/some-story-slug.html"
PROSE = (
    "The council approved the new budget on Tuesday after a long debate about "
    "school funding and road repairs in the northern districts."
)
PROSE_2 = (
    "Opposition members said the plan leaves too little for public transport, "
    "and the mayor promised a review of bus routes before the summer."
)

# --- boilerplate signatures ----------------------------------------------------

CLEANING_ROWS = read_signature_rows()


def _row_id(row: SignatureRow | ErrorPageRow, index: int) -> str:
    return f"{Path(row.source).stem}-{index}"


def _row_rules(row: SignatureRow) -> Signatures:
    """The row on its own, with its own hint words."""
    group = row.group
    sig = Signature(
        group.reason,
        row.full_pattern,
        group.mode,
        group.role,
        group.max_chars,
        row.hints,
    )
    return compile_signatures([sig], include_defaults=False)


def _check_cleaning_row(row: SignatureRow, library: Signatures) -> None:
    own = _row_rules(row)
    for example in row.examples:
        assert own.classify(example) is not None, example
        hit = library.classify(example)
        assert hit is not None, example
        assert hit.reason == row.group.reason, example
    for trap in row.traps:
        assert own.classify(trap) is None, trap


@pytest.mark.parametrize(
    "row",
    CLEANING_ROWS,
    ids=[_row_id(r, i) for i, r in enumerate(CLEANING_ROWS)],
)
def test_cleaning_row_examples_and_traps(row: SignatureRow) -> None:
    _check_cleaning_row(row, DEFAULT_SIGNATURES)


def test_first_character_prefilter_answers_as_one_union() -> None:
    # The prefilter tries a block only against the full/start patterns that
    # can start with its first characters (and those of unknown start): the
    # same answer as one union of them all, on every example and trap and on
    # blocks cut from them (a later start, an added prefix).
    forms = {
        match_form(text)
        for row in CLEANING_ROWS
        for text in (*row.examples, *row.traps)
    }
    forms |= {form[k:] for form in list(forms) for k in (1, 5)}
    forms |= {f"x {form}" for form in list(forms)} | {""}
    # Every tier shares the prefilter of all the rules.
    prefilters = {id(tier.anchored) for tier in DEFAULT_SIGNATURES._tiers}
    assert len(prefilters) == 1
    prefilter = DEFAULT_SIGNATURES._tiers[0].anchored
    alternatives = [
        rf"(?:{p})\Z" if rule.mode == "full" else f"(?:{p})"
        for rule in DEFAULT_SIGNATURES.rules
        if not rule.hints and rule.mode in {"full", "start"}
        for p in rule.patterns
    ]
    union = re.compile("|".join(alternatives))
    for form in forms:
        assert prefilter.match(form) == bool(union.match(form)), form
    assert len(forms) > 9_000


def test_cleaning_rows_cover_every_group_and_file() -> None:
    files = {Path(r.source).name for r in CLEANING_ROWS}
    folder = Path(CLEANING_ROWS[0].source).parent.name
    assert folder == "signatures"
    assert {"en.json", "de.json", "any.json"} <= files
    table = Path(__file__).parents[1] / "scrapy_newsclean/cleaning/signatures"
    groups = json.loads((table / "_groups.json").read_text("utf-8"))["groups"]
    assert {r.group.name for r in CLEANING_ROWS} == {g["name"] for g in groups}
    assert len(default_signatures()) == len(CLEANING_ROWS)  # one per row


def test_cleaning_removes_examples_in_context() -> None:
    # A block-role example between two paragraphs is removed as that reason.
    for row in CLEANING_ROWS:
        if row.group.role != "block":
            continue
        for example in row.examples:
            result = clean_blocks([PROSE, example, PROSE_2])
            assert [r.reason for r in result.removed] == [row.group.reason], example


def _write(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


SWEDISH = {
    "language": "sv",
    "signatures": [
        {
            "group": "advertisement_label",
            "pattern": "annons",
            "examples": ["Annons"],
            "traps": ["Annonsen drogs tillbaka efter kritik."],
        },
        {
            "group": "cookie_notice_opening",
            "pattern": "vi använder cookies",
            "hints": ["cookie"],
            "examples": ["Vi använder cookies för att ge dig en bättre upplevelse."],
        },
        {
            "group": "link_list_header",
            "pattern": "läs också",
            "examples": ["Läs också"],
        },
    ],
}


def test_new_language_is_one_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "sv.json", SWEDISH)
    rows = read_signature_rows([path])
    added = [r for r in rows if r.source == str(path)]
    assert [r.languages for r in added] == [("sv",)] * 3
    library = compile_signatures(files=[path])
    for row in added:
        _check_cleaning_row(row, library)
        assert all(DEFAULT_SIGNATURES.classify(e) is None for e in row.examples)
    # the user setting's signatures still join the library
    with_extra = compile_signatures([("advertisement", r"reklam i dag")], files=[path])
    assert with_extra.classify("Reklam i dag") is not None
    assert with_extra.classify("Annons") is not None


BAD_CLEANING_FILES = [
    ({"language": "sv"}, "missing keys"),
    ({"language": "sv", "signatures": [{"group": "nope", "pattern": "x"}]}, "keys"),
    (
        {
            "language": "sv",
            "signatures": [{"group": "nope", "pattern": "x", "examples": ["X"]}],
        },
        "unknown group",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {"group": "advertisement", "pattern": "x", "examples": []},
            ],
        },
        "at least one",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {
                    "group": "advertisement",
                    "pattern": "x",
                    "hints": ["x"],
                    "examples": ["X"],
                }
            ],
        },
        "takes no hints",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {"group": "cookie_notice", "pattern": "x", "examples": ["X"]}
            ],
        },
        "needs hints",
    ),
    (
        {
            "language": "Swedish",
            "signatures": [
                {"group": "advertisement", "pattern": "x", "examples": ["X"]}
            ],
        },
        "ISO 639",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {"group": "advertisement", "pattern": "(a+)+", "examples": ["aa"]}
            ],
        },
        "nested unbounded",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {"group": "advertisement", "pattern": "(unclosed", "examples": ["X"]}
            ],
        },
        "invalid signature pattern",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {"group": "advertisement", "pattern": "Annons", "examples": ["X"]}
            ],
        },
        "casefolded",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), BAD_CLEANING_FILES, ids=[m for _, m in BAD_CLEANING_FILES]
)
def test_bad_cleaning_file_is_refused(
    tmp_path: Path, data: dict[str, Any], message: str
) -> None:
    path = _write(tmp_path, "sv.json", data)
    with pytest.raises(ValueError, match=message) as info:
        compile_signatures(files=[path])
    assert "sv.json" in str(info.value)


def test_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sv.json"
    path.write_text("{not json", "utf-8")
    with pytest.raises(ValueError, match=r"sv\.json: not valid JSON"):
        read_signature_rows([path])


# --- error-page signatures ------------------------------------------------------

ERRORPAGE_ROWS = read_errorpage_rows()
_FORM = '<form><input name="user"><input type="password" name="pw"></form>'


def _page(where: str, example: str) -> dict[str, Any]:
    """A small page (or response headers) holding the example where the row looks."""
    if where == "header":
        name, _, value = example.partition(":")
        return {"headers": {name: value.strip()}, "body": "<p>Hello</p>"}
    parts = {
        "title": (
            f"<title>{example}</title>",
            f"<p>Go back to the home page.</p>{_FORM}",
        ),
        "h1": (
            "<title>Example News</title>",
            f"<h1>{example}</h1><p>Go back to the home page.</p>{_FORM}",
        ),
        "text": ("<title>Example News</title>", f"<p>{example}</p>"),
        "markup": ("<title>Example</title>", f"<p>One moment, please.</p>{example}"),
        "stub": ("", example),
    }
    head, body = parts["text" if where == "lead" else where]
    return {"body": f"<html><head>{head}</head><body>{body}</body></html>"}


def _errorpage_hit(sig: errorpage_signatures.Signature, text: str) -> bool:
    """Whether the compiled row finds ``text`` as :mod:`_hits` looks at it."""
    if sig.where in {"title", "h1"}:
        if len(text) > 300 or errorpage_signatures.QUOTED_START.match(text):
            return False
        return _hits.is_short_hit(sig, text)
    if sig.where in {"markup", "stub"}:
        present = _hits.present_literals(_hits.markup_window(text, None))
        return bool(present & set(sig.literals))
    if sig.where == "lead":
        text = text[: errorpage_signatures.LEAD_CHARS]
    return sig.pattern.search(text) is not None


def _check_errorpage_row(row: ErrorPageRow) -> None:
    compiled = errorpage_signatures._compile(row)
    assert [sig.where for sig in compiled] == list(row.where)
    for sig in compiled:
        for example in row.examples:
            assert _errorpage_hit(sig, example), (sig.where, example)
            verdict = classify(status=200, url=URL, **_page(sig.where, example))
            assert verdict is not None, (sig.where, example)
            assert verdict.reason == row.reason, (sig.where, example)
        for trap in row.traps:
            assert not _errorpage_hit(sig, trap), (sig.where, trap)


@pytest.mark.parametrize(
    "row",
    ERRORPAGE_ROWS,
    ids=[_row_id(r, i) for i, r in enumerate(ERRORPAGE_ROWS)],
)
def test_errorpage_row_examples_and_traps(row: ErrorPageRow) -> None:
    _check_errorpage_row(row)


def test_errorpage_rows_are_the_compiled_signatures() -> None:
    compiled = [
        sig for row in ERRORPAGE_ROWS for sig in errorpage_signatures._compile(row)
    ]
    assert len(compiled) == len(errorpage_signatures.SIGNATURES)
    assert {(s.reason, s.where, s.pattern.pattern) for s in compiled} == {
        (s.reason, s.where, s.pattern.pattern) for s in errorpage_signatures.SIGNATURES
    }
    headers = [s.where for s in errorpage_signatures.SIGNATURES[:4]]
    assert headers == ["header"] * 4


SWEDISH_ERRORS = {
    "language": "sv",
    "signatures": [
        {
            "reason": "blocked",
            "where": ["title", "h1"],
            "pattern": "åtkomst nekad",
            "slack": 1,
            "examples": ["Åtkomst nekad"],
            "traps": ["Åtkomst nekad för tusentals patienter efter it-haveri"],
        }
    ],
}


def test_new_errorpage_language_is_one_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "sv.json", SWEDISH_ERRORS)
    rows = read_errorpage_rows([path])
    [added] = [r for r in rows if r.source == str(path)]
    assert added.languages == ("sv",)
    signatures = errorpage_signatures.load_signatures([path])
    assert len(signatures) == len(errorpage_signatures.SIGNATURES) + 2
    for sig in errorpage_signatures._compile(added):
        assert _errorpage_hit(sig, "Åtkomst nekad | Exempelbladet")
        assert not _errorpage_hit(sig, added.traps[0])


BAD_ERRORPAGE_FILES = [
    ({"language": "sv", "signatures": [{"reason": "blocked"}]}, "missing keys"),
    (
        {
            "language": "sv",
            "signatures": [
                {
                    "reason": "blocked",
                    "where": "footer",
                    "pattern": "x",
                    "examples": ["x"],
                }
            ],
        },
        "where must be",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {
                    "reason": "blocked",
                    "where": "markup",
                    "pattern": "x",
                    "examples": ["x"],
                }
            ],
        },
        "literals",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {
                    "reason": "blocked",
                    "where": "markup",
                    "literals": ["AccessDenied"],
                    "examples": ["x"],
                }
            ],
        },
        "lowercase",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {
                    "reason": "blocked",
                    "where": "text",
                    "pattern": "x",
                    "slack": 2,
                    "examples": ["x"],
                }
            ],
        },
        "slack",
    ),
    (
        {
            "language": "mul",
            "signatures": [
                {
                    "reason": "blocked",
                    "where": "text",
                    "pattern": "x",
                    "examples": ["x"],
                }
            ],
        },
        "list their languages",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {"reason": "nope", "where": "text", "pattern": "x", "examples": ["x"]}
            ],
        },
        "unknown reason",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {
                    "reason": "blocked",
                    "where": "text",
                    "pattern": "(a*)*",
                    "examples": ["x"],
                }
            ],
        },
        "nested unbounded",
    ),
    (
        {
            "language": "sv",
            "signatures": [
                {
                    "reason": "blocked",
                    "where": "text",
                    "pattern": "(x",
                    "examples": ["x"],
                }
            ],
        },
        "invalid pattern",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), BAD_ERRORPAGE_FILES, ids=[m for _, m in BAD_ERRORPAGE_FILES]
)
def test_bad_errorpage_file_is_refused(
    tmp_path: Path, data: dict[str, Any], message: str
) -> None:
    path = _write(tmp_path, "sv.json", data)
    with pytest.raises(ValueError, match=message) as info:
        errorpage_signatures.load_signatures([path])
    assert "sv.json" in str(info.value)


# --- the README's language lists are the data's ---------------------------------


def _readme_languages(table: str) -> set[str]:
    text = README.read_text("utf-8")
    found = re.search(
        rf"The {table}\s+signatures\s+cover\s+these\s+languages:\s+([a-z,\s]+)\.",
        text,
    )
    assert found is not None, table
    return {code.strip() for code in found.group(1).split(",")}


def _data_languages(
    rows: tuple[SignatureRow, ...] | tuple[ErrorPageRow, ...],
) -> set[str]:
    return {lang for row in rows for lang in row.languages} - {"any"}


def test_readme_lists_the_boilerplate_languages() -> None:
    assert _readme_languages("boilerplate") == _data_languages(CLEANING_ROWS)


def test_readme_lists_the_errorpage_languages() -> None:
    assert _readme_languages("error-page") == _data_languages(ERRORPAGE_ROWS)


def test_a_language_file_holds_its_language() -> None:
    for rows in (CLEANING_ROWS, ERRORPAGE_ROWS):
        for row in rows:
            stem = Path(row.source).stem
            if stem not in {"vendors", "multilingual"}:
                assert row.languages == (stem,), row.source

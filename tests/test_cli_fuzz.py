"""``scrapy-newsclean clean`` on generated JSON Lines: junk, odd fields, near-duplicates.

Each example runs the real command in-process (``main``) on a file mixing
article items (some near-duplicates, some with ``None``/number/list fields)
with malformed lines, and checks the reporting contract: exit status 1 exactly
when a line was malformed, complete JSON lines only, input order kept, and
every item accounted for once, written or in the rejects file with a reason.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scrapy_newsclean.cli._main import main
from tests._fuzz import examples

MAX_LINE = 4096

PROSE = [
    "Russia and North Korea signed a defence pact during a rare visit to Pyongyang.",
    "The agreement commits each side to help the other if it is attacked.",
    "Western governments called the deal a threat to security in the region.",
    "Officials in Seoul said they would review their own arms export rules.",
    "Analysts expect closer cooperation on energy, transport and weapons.",
    "The city council approved a new budget for schools and public transport.",
    "Farmers warned that the dry summer would cut the wheat harvest by a third.",
    "The central bank left interest rates unchanged for the fourth month running.",
    "Der Stadtrat beschloss am Dienstag einen neuen Haushalt für das kommende Jahr.",
    "東京の株式市場は午前の取引で小幅に値上がりし、輸出関連株が買われた。",
]
BOILERPLATE = [
    "Advertisement",
    "All rights reserved.",
    "Read more: the week in pictures",
    "Share this article on Facebook Twitter WhatsApp",
]
SENTENCES = PROSE + BOILERPLATE
URLS = [f"https://{host}.example/news/{n}" for host in ("a", "b") for n in range(3)]

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
)
#: Field values spiders should not produce: None, numbers, byte lists, dicts.
ODD = (
    _SCALARS
    | st.lists(st.integers(0, 255), max_size=8)
    | st.lists(_SCALARS | st.text(max_size=10), max_size=4)
    | st.dictionaries(st.text(max_size=5), _SCALARS, max_size=2)
    | st.text(st.characters(codec=None), max_size=30)  # controls, lone surrogates
)
#: A few stories per input: item bodies are copies or edited copies of them.
STORIES = st.lists(
    st.lists(st.sampled_from(SENTENCES), min_size=3, max_size=9, unique=True)
    | st.lists(st.sampled_from(BOILERPLATE), min_size=1, max_size=3, unique=True),
    min_size=1,
    max_size=3,
)


@dataclass(frozen=True)
class Line:
    """One input line (without its newline) and what the CLI must make of it."""

    data: bytes
    kind: str  # "item", "blank" or a malformed kind (a key of MALFORMED)
    item: dict[str, Any] | None = None
    ascii_only: bool = True
    crlf: bool = False

    def encode(self, number: int) -> bytes:
        """The line's bytes; an item gets ``seq`` = its line *number*."""
        if self.item is None:
            return self.data + b"\n"
        data = dump({**self.item, "seq": number}, ascii_only=self.ascii_only)
        return data + (b"\r\n" if self.crlf else b"\n")


#: Malformed kinds and the rejects reasons each may get.
MALFORMED = {
    "junk": {"invalid_utf8"},
    "not_an_object": {"not_an_object"},
    "truncated": {"malformed_json", "invalid_utf8"},  # a cut may split a character
    "nested": {"malformed_json"},
    "huge": {"line_too_long"},
}


def dump(value: object, *, ascii_only: bool) -> bytes:
    """JSON bytes; escaped when the text holds lone surrogates."""
    try:
        return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")


@st.composite
def bodies(draw: st.DrawFn, stories: list[list[str]]) -> object:
    """A story (maybe edited) as text, paragraphs or HTML; sometimes an odd value."""
    if not draw(st.integers(0, 4)):
        return draw(ODD)
    paragraphs = list(draw(st.sampled_from(stories)))
    if draw(st.booleans()):  # an edited copy: one paragraph replaced
        at = draw(st.integers(0, len(paragraphs) - 1))
        paragraphs[at] = draw(st.sampled_from(SENTENCES))
    form = draw(st.sampled_from(["text", "paragraphs", "html"]))
    if form == "paragraphs":
        return paragraphs
    if form == "html":
        return "".join(f"<p>{p}</p>" for p in paragraphs)
    return "\n".join(paragraphs)


@st.composite
def items(draw: st.DrawFn, stories: list[list[str]]) -> dict[str, Any]:
    fields = {
        "url": st.sampled_from(URLS),
        "title": st.sampled_from(PROSE),
        "body": bodies(stories),
    }
    item: dict[str, Any] = {}
    for name, usual in fields.items():
        presence = draw(st.integers(0, 5))  # 0: missing, 1: odd value
        if presence:
            item[name] = draw(ODD if presence == 1 and name != "body" else usual)
    return item


@st.composite
def lines(draw: st.DrawFn, stories: list[list[str]]) -> Line:
    kind = draw(st.sampled_from(["item"] * 6 + ["blank", *MALFORMED]))
    if kind == "item":
        ascii_only, crlf = draw(st.booleans()), draw(st.booleans())
        return Line(b"", kind, draw(items(stories)), ascii_only, crlf)
    if kind == "blank":
        return Line(draw(st.sampled_from([b"", b"  ", b"\t", b"\r"])), kind)
    if kind == "junk":
        raw = draw(st.binary(max_size=60)).replace(b"\n", b"")
        body = dump({"body": draw(st.text(max_size=20))}, ascii_only=True)
        data = draw(st.sampled_from([b"\xff" + raw, body[:-2] + b'\xe9"}']))
        return Line(data, kind)
    if kind == "not_an_object":
        value = draw(_SCALARS | st.text(max_size=20) | st.lists(_SCALARS, max_size=3))
        return Line(dump(value, ascii_only=draw(st.booleans())), kind)
    if kind == "truncated":
        whole = dump(draw(items(stories)), ascii_only=draw(st.booleans()))
        cut = draw(st.integers(1, max(1, len(whole) - 1)))
        return Line(whole[:cut], kind)
    if kind == "nested":
        depth = draw(st.integers(1_100, MAX_LINE - 3))  # room for a BOM
        return Line(b"[" * depth, kind)
    size = draw(st.integers(MAX_LINE + 1, 3 * MAX_LINE))  # of the whole line
    return Line(b'{"body": "' + b"x" * (size - 12) + b'"}', kind)


@st.composite
def inputs(draw: st.DrawFn) -> list[Line]:
    """Up to 25 lines about a few stories."""
    return draw(st.lists(lines(draw(STORIES)), max_size=25))


def strict_json(raw: bytes) -> Any:
    """*raw* parsed as standard JSON (UTF-8; no ``NaN`` or ``Infinity``)."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"not standard JSON: {constant} in {raw[:80]!r}")

    return json.loads(raw.decode("utf-8"), parse_constant=refuse)


@dataclass(frozen=True)
class Run:
    status: int
    output: bytes
    rejects: list[dict[str, Any]]
    stderr: str


def run_clean(data: bytes, options: list[str]) -> Run:
    """``scrapy-newsclean clean`` in-process on *data*."""
    with tempfile.TemporaryDirectory() as tmp:
        source, output, rejects = (Path(tmp) / n for n in ("in", "out", "rej"))
        source.write_bytes(data)
        argv = ["clean", str(source), "-o", str(output), "--rejects", str(rejects)]
        argv += ["--no-project", "--max-line-bytes", str(MAX_LINE), *options]
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            status = main(argv)
        records = rejects.read_bytes().splitlines() if rejects.exists() else []
        return Run(
            status,
            output.read_bytes(),
            [strict_json(r) for r in records],
            stderr.getvalue(),
        )


OPTIONS = st.sampled_from(
    [[], ["--tag-duplicates"], ["--no-clean"], ["--no-dedup"], ["--keep-empty"]]
)


@pytest.mark.fuzz
@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(inputs(), st.booleans(), st.booleans(), OPTIONS)
def test_every_line_accounted_for(
    generated: list[Line], bom: bool, cut_last: bool, options: list[str]
) -> None:
    data = b"".join(line.encode(n) for n, line in enumerate(generated, start=1))
    if bom and data:
        data = codecs.BOM_UTF8 + data
    if cut_last and data:
        data = data[:-1]  # the last line has no newline
    run = run_clean(data, options)
    for record in run.rejects:
        event(f"rejected: {record['stage']}/{record['reason']}")
    assert "Traceback" not in run.stderr
    numbered = list(enumerate(generated, start=1))
    malformed = [(n, line) for n, line in numbered if line.kind in MALFORMED]
    assert run.status == (1 if malformed else 0), run.stderr

    bad_lines = [r for r in run.rejects if r["stage"] == "input"]
    assert [r["line"] for r in bad_lines] == [n for n, _ in malformed]
    for record, (n, line) in zip(bad_lines, malformed, strict=True):
        assert record["reason"] in MALFORMED[line.kind], record
        assert f"in:{n}: {record['reason']}: " in run.stderr  # reported on stderr

    expected = {n: line.item for n, line in numbered if line.kind == "item"}
    assert run.output == b"" or run.output.endswith(b"\n")  # no partial line
    written = [
        _input_line(strict_json(raw), expected) for raw in run.output.splitlines()
    ]
    assert written == sorted(written)  # input order kept
    item_drops = [r for r in run.rejects if r["stage"] != "input"]
    assert all(r["reason"] != "error" for r in item_drops), item_drops
    dropped = [r["line"] for r in item_drops]
    assert sorted(written + dropped) == sorted(expected)  # each exactly once
    _check_summary(run.stderr, len(written), len(dropped), len(malformed))


def _input_line(item: object, expected: dict[int, Any]) -> int:
    """The input line a written item came from (``seq``), checked against it."""
    assert isinstance(item, dict), item
    if "newsclean_duplicate" in item:
        event("written: a tagged near-duplicate")
    line = item["seq"]
    assert isinstance(line, int)
    assert line in expected, item
    for name in ("url", "title"):  # not text fields: never cleaned
        assert item.get(name) == expected[line].get(name), (item, expected[line])
    return line


def _check_summary(stderr: str, written: int, dropped: int, malformed: int) -> None:
    counts = {
        name: int(value.replace(",", ""))
        for name, value in re.findall(r"^  (\w+): +([\d,]+)", stderr, re.MULTILINE)
    }
    assert counts["written"] == written, stderr
    assert counts["dropped"] == dropped, stderr
    assert counts["malformed"] == malformed, stderr

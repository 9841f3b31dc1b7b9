"""Reading item fields: text, bytes, lists, HTML where text was expected."""

from __future__ import annotations

from typing import Any

import pytest

from scrapy_newsclean._item_fields import html_to_text, looks_like_html, read_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<p>One paragraph.</p><p>Another.</p>", True),
        ("<div class='x'>Body</div>", True),
        ("Line one<br>line two<br/>", True),
        ("If a < b and c > d the proof holds.", False),
        ("The tag <p> starts a paragraph in HTML.", False),
        ("Plain text without markup.", False),
        (
            (
                "Flexbox changed how we lay out pages.\n"
                "Wrap the items in a container such as a <div>:\n"
                "Each child, a <p> or a <span>, becomes a flex item.\n"
                "The container decides the direction of the main axis.\n"
                "Items can grow, shrink and wrap onto new lines.\n"
                "Alignment works on both axes with two properties."
            ),
            False,
        ),
        ("<p>One</p>\n<p>Two</p>\n<p>Three</p>\n<p>Four</p>", True),
    ],
    ids=[
        "paragraphs",
        "div",
        "br",
        "maths",
        "one-tag-mentioned",
        "plain",
        "article-about-html",
        "html-lines",
    ],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


def test_html_to_text_keeps_blocks_as_lines() -> None:
    html = (
        "<script>var x = 1;</script><p>First &amp; foremost.</p>"
        "<p>Second<br>line</p><style>p{}</style>"
    )
    assert html_to_text(html).split("\n")[:3] == ["First & foremost.", "Second", "line"]


@pytest.mark.parametrize(
    ("value", "text", "problem"),
    [
        ("text", "text", None),
        (b"caf\xc3\xa9", "café", None),
        (["a", "b"], "a\nb", None),
        ("<p>A</p><p>B</p>", "A\nB\n", None),
        (None, None, "missing"),
        (b"\xff", None, "invalid_utf8"),
        (3.5, None, "bad_type_float"),
        ([1], None, "bad_type_list"),
    ],
    ids=["str", "bytes", "list", "html", "none", "bad-utf8", "float", "list-of-int"],
)
def test_read_text(value: Any, text: str | None, problem: str | None) -> None:
    field, found = read_text(value)
    assert found == problem
    assert (field.text if field else None) == text

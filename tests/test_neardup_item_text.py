"""The text an item is fingerprinted by (scrapy_newsclean.neardup._item_text)."""

from __future__ import annotations

from dataclasses import dataclass, field

from itemadapter import ItemAdapter

from scrapy_newsclean._defaults import NEWSCLEAN_TEXT_FIELDS as DEFAULT_TEXT_FIELDS
from scrapy_newsclean.neardup._item_text import dedup_text

TITLE = "Council approves new harbour budget"
BODY = (
    "The city council voted 7-2 on Tuesday to approve a new budget for the "
    "harbour, ending months of debate over the cost of dredging the channel."
)


@dataclass
class Article:
    url: str = ""
    title: str = ""
    body: str | None = None
    paragraphs: list[str] = field(default_factory=list)


def text_of(
    item: object,
    fields: tuple[str, ...] = DEFAULT_TEXT_FIELDS,
    dedup: tuple[str, ...] | None = None,
) -> tuple[str | None, str | None]:
    return dedup_text(ItemAdapter(item), fields, dedup)


def test_first_text_field_holding_text_wins() -> None:
    item = {"title": TITLE, "text": "", "content": BODY, "article": "Other text"}
    assert text_of(item) == (BODY, None)


def test_dedup_fields_are_joined_by_newlines() -> None:
    item = {"title": TITLE, "body": BODY, "summary": ""}
    assert text_of(item, dedup=("title", "summary", "body")) == (
        f"{TITLE}\n{BODY}",
        None,
    )


def test_paragraph_lists_bytes_and_html_are_read_as_text() -> None:
    assert text_of({"body": ["First paragraph.", "Second one."]}) == (
        "First paragraph.\nSecond one.",
        None,
    )
    assert text_of({"body": BODY.encode()}) == (BODY, None)
    html_text, problem = text_of({"body": f"<p>{TITLE}</p><p>{BODY}</p>"})
    assert problem is None
    assert html_text is not None
    assert [line for line in html_text.splitlines() if line] == [TITLE, BODY]


def test_no_text_names_the_problem() -> None:
    assert text_of({"title": TITLE}) == (None, "missing")
    assert text_of({"body": "   \n "}) == (None, "empty")
    assert text_of({"body": b"\xff\xfe broken"}) == (None, "invalid_utf8")
    assert text_of({"body": 42}) == (None, "bad_type_int")
    # The last unusable field names the problem.
    assert text_of({"body": "", "text": [1, 2]}) == (None, "bad_type_list")


def test_dataclass_items_and_undeclared_fields() -> None:
    item = Article(url="https://example.com/a", title=TITLE, body=BODY)
    assert text_of(item, ("body",)) == (BODY, None)
    assert text_of(Article(body=None), ("body", "text")) == (None, "missing")
    assert text_of(item, ("body",), dedup=("title", "body")) == (
        f"{TITLE}\n{BODY}",
        None,
    )

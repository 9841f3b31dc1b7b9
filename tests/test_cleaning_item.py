"""Cleaning the text fields of one item (scrapy_newsclean.cleaning._item)."""

from __future__ import annotations

from dataclasses import dataclass

from itemadapter import ItemAdapter

from scrapy_newsclean.cleaning._blocks import split_blocks
from scrapy_newsclean.cleaning._item import (
    CleanConfig,
    ItemCleanOutcome,
    clean_item,
    prepare_item,
)
from scrapy_newsclean.cleaning._site_templates import SiteTemplateView, block_key

LEAD = (
    "The city council voted 7-2 on Tuesday to approve a new budget for the "
    "harbour, ending months of debate."
)
QUOTE = "The mayor said the port and the fishermen could finally live with the plan."
BODY = f"{LEAD}\nShare this article\n{QUOTE}\nSign up for our newsletter"
CLEAN_BODY = f"{LEAD}\n{QUOTE}"


@dataclass
class Article:
    url: str
    body: str


def test_str_field_is_cleaned_and_counted() -> None:
    item = {"url": "https://example.com/a", "title": "Budget", "body": BODY}
    outcome = clean_item(ItemAdapter(item), CleanConfig())
    assert item["body"] == CLEAN_BODY
    assert item["title"] == "Budget"  # not a text field
    assert [r.text for r in outcome.removed] == [
        "Share this article",
        "Sign up for our newsletter",
    ]
    assert outcome.cleaned_fields == ["body"]
    assert outcome.chars_before == sum(len(b) for b in split_blocks(BODY))
    assert outcome.chars_after == len(LEAD) + len(QUOTE)
    assert not outcome.emptied
    assert outcome.blocks == split_blocks(BODY)


def test_paragraph_list_stays_a_list_and_bytes_become_text() -> None:
    item = {
        "text": [LEAD, "Advertisement", QUOTE],
        "content": BODY.encode(),
    }
    outcome = clean_item(ItemAdapter(item), CleanConfig())
    assert item["text"] == [LEAD, QUOTE]
    assert item["content"] == CLEAN_BODY
    assert outcome.converted == {"content": "bytes"}
    assert outcome.report() == {
        "fields": ["text", "content"],
        "blocks_removed": {"advertisement": 1, "call_to_action": 2},
        "chars_before": outcome.chars_before,
        "chars_after": 2 * (len(LEAD) + len(QUOTE)),
        "skipped_fields": {},
        "converted_fields": {"content": "bytes"},
    }


def test_untouched_field_keeps_its_formatting_unless_converted() -> None:
    spaced = f"  {LEAD}\n\n   {QUOTE}  "
    item = {"body": spaced, "text": f"<p>{LEAD}</p><p>{QUOTE}</p>"}
    outcome = clean_item(ItemAdapter(item), CleanConfig())
    assert item["body"] == spaced
    assert outcome.removed == []
    assert "<p>" not in item["text"]
    assert [line for line in item["text"].splitlines() if line] == [LEAD, QUOTE]
    assert outcome.converted == {"text": "html"}


def test_unusable_fields_are_left_alone_and_named() -> None:
    item = {"body": b"\xff\xfe", "text": 42, "content": "x" * 50, "article": None}
    outcome = clean_item(ItemAdapter(item), CleanConfig(max_chars=40))
    assert item == {
        "body": b"\xff\xfe",
        "text": 42,
        "content": "x" * 50,
        "article": None,
    }
    assert outcome.problems == {
        "body": "invalid_utf8",
        "text": "bad_type_int",
        "content": "oversize",
        "article": "missing",
    }
    assert outcome.cleaned_fields == []


def test_all_boilerplate_item_is_emptied() -> None:
    item = {"body": "Share this article\nSign up for our newsletter"}
    outcome = clean_item(ItemAdapter(item), CleanConfig())
    assert item["body"] == ""
    assert outcome.emptied
    assert not ItemCleanOutcome().emptied  # no text at all is not "emptied"


def test_configured_fields_only_and_dataclass_items() -> None:
    item = Article(url="https://example.com/a", body=BODY)
    clean_item(ItemAdapter(item), CleanConfig(fields=("summary",)))
    assert item.body == BODY
    clean_item(ItemAdapter(item), CleanConfig(fields=("summary", "body")))
    assert item.body == CLEAN_BODY


def test_site_template_blocks_are_removed() -> None:
    footer = "The Example Gazette, 1 Harbour Road"
    item = {"body": f"{LEAD}\n{footer}\n{QUOTE}"}
    template = SiteTemplateView({block_key(footer): 3})
    outcome = clean_item(ItemAdapter(item), CleanConfig(), template)
    assert item["body"] == CLEAN_BODY
    assert [r.reason for r in outcome.removed] == ["site_template"]


def test_prepare_reads_every_field_before_cleaning() -> None:
    item = {"body": BODY, "text": [LEAD, QUOTE], "content": 3}
    outcome = ItemCleanOutcome()
    prepared = prepare_item(ItemAdapter(item), CleanConfig(), outcome)
    assert [(f.name, f.is_list, f.converted) for f in prepared] == [
        ("body", False, False),
        ("text", True, False),
    ]
    assert prepared[0].blocks == split_blocks(BODY)
    assert outcome.blocks == [*split_blocks(BODY), LEAD, QUOTE]
    assert outcome.problems == {"content": "bad_type_int"}
    assert item["body"] == BODY  # nothing written yet

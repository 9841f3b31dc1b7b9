"""Tests for site-template learning (scrapy_newsclean.cleaning._site_templates)."""

from __future__ import annotations

import json

import pytest

from scrapy_newsclean.cleaning._blocks import clean_blocks
from scrapy_newsclean.cleaning._site_templates import SiteTemplateCounter, block_key

TEMPLATE = "Get the Example Times app for iPhone and Android"


def article(n: int) -> list[str]:
    """A distinct article with the site's template block in it."""
    return [
        f"Headline number {n} about a different event",
        (
            f"Paragraph {n}: the council voted on proposal {n} after a long debate "
            f"that lasted until late in the evening of day {n}."
        ),
        TEMPLATE,
        f"A closing paragraph {n} with reactions from residents and officials.",
    ]


def learned_counter(site: str = "a.example", docs: int = 3) -> SiteTemplateCounter:
    counter = SiteTemplateCounter()
    for n in range(docs):
        counter.observe(site, f"https://{site}/{n}", article(n))
    return counter


def test_block_key_is_stable_and_normalised() -> None:
    # Pinned: persisted stores depend on this value.
    assert block_key("Sign up for our newsletter") == 3953782732811239783
    assert block_key("SIGN UP for our newsletter!!") == block_key(
        "Sign up for our newsletter"
    )
    assert 0 <= block_key(TEMPLATE) < 2**64
    assert block_key("Step 1") != block_key("Step 2")


def test_block_in_three_docs_removed_from_fourth_of_same_site_only() -> None:
    counter = learned_counter()
    doc = article(99)
    result = clean_blocks(doc, template=counter.lookup("a.example"))
    assert TEMPLATE not in result.blocks
    assert [r.reason for r in result.removed] == ["site_template"]
    assert len(result.blocks) == 3
    other = clean_blocks(doc, template=counter.lookup("b.example"))
    assert TEMPLATE in other.blocks


def test_two_docs_are_not_enough() -> None:
    counter = learned_counter(docs=2)
    assert not counter.lookup("a.example").is_template(block_key(TEMPLATE))
    assert counter.templates("a.example") == []


def test_min_pages_setting() -> None:
    counter = SiteTemplateCounter(min_pages=2)
    for n in range(2):
        counter.observe("a.example", str(n), article(n))
    assert counter.templates("a.example") == [block_key(TEMPLATE)]
    with pytest.raises(ValueError, match="min_pages"):
        SiteTemplateCounter(min_pages=1)


def test_same_document_counts_once() -> None:
    counter = SiteTemplateCounter()
    for _ in range(5):
        counter.observe("a.example", "https://a.example/same", article(1))
    assert not counter.observe("a.example", "https://a.example/same", article(1))
    assert counter.templates("a.example") == []


def test_block_repeated_within_a_document_counts_once() -> None:
    counter = SiteTemplateCounter()
    counter.observe("a.example", "x", [TEMPLATE, TEMPLATE, TEMPLATE, "other"])
    assert counter.export()["a.example"][block_key(TEMPLATE)] == 1


def test_long_blocks_are_never_learned() -> None:
    long_block = "A syndicated paragraph. " * 20
    counter = SiteTemplateCounter()
    for n in range(5):
        counter.observe("a.example", str(n), [f"Headline {n}", long_block])
    assert not counter.lookup("a.example").is_template(block_key(long_block))


def test_shared_prose_sentences_are_never_learned() -> None:
    sentence = (
        "Pilots and aviation experts said thunderstorms, and requests to gain "
        "altitude to avoid them, were not unusual in that area."
    )
    counter = SiteTemplateCounter()
    for n in range(4):
        counter.observe("a.example", str(n), [f"Update {n}", sentence, TEMPLATE])
    lookup = counter.lookup("a.example")
    assert not lookup.is_template(block_key(sentence))
    assert lookup.is_template(block_key(TEMPLATE))


def test_single_block_document_teaches_nothing() -> None:
    counter = SiteTemplateCounter()
    for n in range(5):
        counter.observe("a.example", str(n), ["Only content"])
    assert counter.templates("a.example") == []


def test_template_never_removes_everything() -> None:
    counter = SiteTemplateCounter()
    for n in range(3):
        counter.observe("a.example", str(n), ["Menu", "Footer", f"Body {n}"])
    result = clean_blocks(["Menu", "Footer"], template=counter.lookup("a.example"))
    assert result.blocks == ("Menu", "Footer")
    result = clean_blocks(
        ["Menu", "Body 9", "Footer"], template=counter.lookup("a.example")
    )
    assert result.blocks == ("Body 9",)


def test_export_load_roundtrip_through_json() -> None:
    counter = learned_counter()
    counter.observe("b.example", "b1", article(1))
    data = json.loads(json.dumps(counter.export()))
    restored = SiteTemplateCounter()
    restored.load(data)
    assert restored.export() == counter.export()
    assert restored.lookup("a.example").is_template(block_key(TEMPLATE))
    assert not restored.lookup("b.example").is_template(block_key(TEMPLATE))
    restored.load(data)  # loading twice keeps the larger count, never the sum
    assert restored.export() == counter.export()


def test_loaded_counts_continue_learning() -> None:
    counter = learned_counter(docs=2)
    restored = SiteTemplateCounter()
    restored.load(counter.export())
    restored.observe("a.example", "new", article(7))
    assert restored.lookup("a.example").is_template(block_key(TEMPLATE))


@pytest.mark.parametrize(
    "bad", [{"s": {"-1": 3}}, {"s": {str(2**64): 3}}, {"s": {"1": -2}}]
)
def test_load_rejects_bad_counts(bad: dict[str, dict[str, int]]) -> None:
    with pytest.raises(ValueError, match="bad template count"):
        SiteTemplateCounter().load(bad)


def test_memory_is_bounded_and_learned_keys_survive_a_flood() -> None:
    counter = SiteTemplateCounter(max_keys=50, max_docs=10)
    for n in range(3):
        counter.observe("a.example", f"t{n}", [TEMPLATE, f"x{n}"])
    for n in range(200):
        counter.observe(
            "a.example", f"d{n}", [f"unique block {n} a", f"unique block {n} b"]
        )
    exported = counter.export()["a.example"]
    assert len(exported) <= 50 + max(64, 50 // 4)
    assert counter.lookup("a.example").is_template(block_key(TEMPLATE))


def test_digest_key_of_a_short_key_is_the_block_key() -> None:
    from scrapy_newsclean.cleaning._repeats import short_key
    from scrapy_newsclean.cleaning._site_templates import digest_key

    for block in (
        "Sign up for our newsletter",
        "It\u2019s \u201clive\u201d \u2014 2024",
        "",
        "!!!",
    ):
        assert digest_key(short_key(block)) == block_key(block)
    assert digest_key("sign up for our newsletter") == 3953782732811239783

"""Site-template keys and lookup (scrapy_newsclean.cleaning._site_templates).

A crawl counts each stored article's :func:`template_keys` per site in the
store and cleans with a :class:`SiteTemplateView` of the keys that reached
``min_pages``; :func:`learned` does the same counting here.
"""

from __future__ import annotations

from scrapy_newsclean.cleaning._blocks import clean_blocks
from scrapy_newsclean.cleaning._site_templates import (
    SAMPLE_SIZE,
    UNRELATED_BITS,
    SiteTemplateView,
    TemplateKeys,
    block_key,
    eligible,
    template_keys,
)
from scrapy_newsclean.neardup import fingerprint
from scrapy_newsclean.stores import TemplateSighting
from scrapy_newsclean.stores._memory import MemoryStore

TEMPLATE = "Reader service of the Example Times: weekdays from 8 am to 6 pm"


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


def learned(docs: list[list[str]], min_pages: int = 3) -> SiteTemplateView:
    """The view a crawl builds after storing *docs* of one site."""
    store = MemoryStore()
    every: set[int] = set()
    for blocks in docs:
        plain, spread = template_keys(blocks)
        simhash = fingerprint("\n".join(blocks)).simhash
        store.add_template_keys_now(
            TemplateSighting(
                "a",
                frozenset(plain),
                frozenset(spread),
                simhash,
                UNRELATED_BITS,
                SAMPLE_SIZE,
            ),
            0.0,
        )
        every |= plain | spread
    counts = store._templates["a"]
    return SiteTemplateView(
        {k: counts[k].count for k in every if counts[k].count >= min_pages}
    )


def test_block_key_is_stable_and_normalised() -> None:
    # Pinned: persisted stores depend on this value.
    assert block_key("Sign up for our newsletter") == 3953782732811239783
    assert block_key("SIGN UP for our newsletter!!") == block_key(
        "Sign up for our newsletter"
    )
    assert 0 <= block_key(TEMPLATE) < 2**64
    assert block_key("Step 1") != block_key("Step 2")


def test_block_in_three_docs_removed_from_the_fourth() -> None:
    view = learned([article(n) for n in range(3)])
    result = clean_blocks(article(99), template=view)
    assert TEMPLATE not in result.blocks
    assert [r.reason for r in result.removed] == ["site_template"]
    assert len(result.blocks) == 3


def test_two_docs_are_not_enough_unless_min_pages_is_two() -> None:
    docs = [article(n) for n in range(2)]
    assert not learned(docs).is_template(block_key(TEMPLATE))
    assert TEMPLATE in clean_blocks(article(99), template=learned(docs)).blocks
    assert learned(docs, min_pages=2).is_template(block_key(TEMPLATE))


def test_short_blocks_count_on_every_page_prose_on_unrelated_ones() -> None:
    headline, paragraph, template, closing = article(1)
    assert template_keys(article(1)) == TemplateKeys(
        plain={
            block_key(headline),
            block_key(template),
            block_key(closing),  # prose ending, but under 15 words
        },
        spread={block_key(paragraph)},
    )
    assert not eligible(paragraph)


def test_block_repeated_within_a_document_counts_once() -> None:
    keys = template_keys([TEMPLATE, TEMPLATE, TEMPLATE, "other"])
    assert keys.plain == {block_key(TEMPLATE), block_key("other")}


def test_long_block_of_related_pages_is_not_learned() -> None:
    long_block = "A syndicated paragraph. " * 20
    assert not eligible(long_block)
    view = learned([[f"Headline {n}", long_block] for n in range(5)])
    assert not view.is_template(block_key(long_block))
    assert view.is_template(block_key("Headline 1")) is False


def test_prose_sentence_shared_by_related_pages_is_not_learned() -> None:
    sentence = (
        "Pilots and aviation experts said thunderstorms, and requests to gain "
        "altitude to avoid them, were not unusual in that area."
    )
    assert not eligible(sentence)
    assert eligible("Read more.")  # a short sentence is chrome, not prose
    view = learned([[f"Update {n}", sentence, TEMPLATE] for n in range(4)])
    assert not view.is_template(block_key(sentence))
    assert view.is_template(block_key(TEMPLATE))


def test_single_block_document_teaches_nothing() -> None:
    nothing = TemplateKeys(set(), set())
    assert template_keys(["Only content"]) == nothing
    assert template_keys(["Only content", "   ", ""]) == nothing
    assert template_keys([]) == nothing


def test_blank_blocks_are_never_keys() -> None:
    assert not eligible("   ")
    assert template_keys(["Menu", "  ", "Body"]).plain == {
        block_key("Menu"),
        block_key("Body"),
    }


def test_template_never_removes_everything() -> None:
    view = learned([["Menu", "Footer", f"Body {n}"] for n in range(3)])
    result = clean_blocks(["Menu", "Footer"], template=view)
    assert result.blocks == ("Menu", "Footer")
    result = clean_blocks(["Menu", "Body 9", "Footer"], template=view)
    assert result.blocks == ("Body 9",)


def test_view_answers_only_for_the_keys_it_holds() -> None:
    view = SiteTemplateView({block_key(TEMPLATE): 3})
    assert view.is_template(block_key(TEMPLATE))
    assert not view.is_template(block_key("Sign up for our newsletter"))
    assert not SiteTemplateView({}).is_template(block_key(TEMPLATE))


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

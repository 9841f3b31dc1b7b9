# ruff: noqa: RUF001  (typographic quotes and CJK text are the data here)
"""Normal forms and repeated-block detection (scrapy_newsclean.cleaning._repeats)."""

from __future__ import annotations

import pytest

from scrapy_newsclean.cleaning._repeats import (
    BlockForms,
    copy_runs,
    find_repeats,
    normalize,
    short_forms,
    short_key,
    tokens,
)

LEAD = (
    "The city council voted 7-2 on Tuesday to approve a new budget for the "
    "harbour, ending months of debate over the cost of dredging the channel."
)
QUOTE = (
    "“We finally have a plan that the port and the fishermen can live with,” "
    "said the mayor, who had opposed two earlier versions of the budget."
)
CLOSING = (
    "Work on the channel is expected to start in the spring and to last "
    "eighteen months, according to the harbour authority."
)


def test_normalize_drops_case_punctuation_and_digits() -> None:
    assert normalize("  Share THIS article!! ") == "share this article"
    assert normalize("“Live” — updated 12:45") == "live updated"
    assert normalize("Straße, Café") == "strasse café"
    assert normalize("2024 – 2025 !!!") == ""


def test_short_key_keeps_digits() -> None:
    assert short_key("Step 1") == "step 1"
    assert short_key("Step 1") != short_key("Step 2")
    assert short_key("STEP   1!") == short_key("Step 1")
    # Symbols only: the casefolded text, so "***" and "---" stay apart.
    assert short_key("★★★") == "★★★"
    assert short_key("★★★") != short_key("---")


@pytest.mark.parametrize(
    "text",
    ["Sign up for our newsletter", "It’s “live” — 2024", "", "!!!", LEAD, "x" * 400],
)
def test_short_forms_are_short_key_and_normal_form(text: str) -> None:
    assert short_forms(text) == (short_key(text), normalize(text))


def test_tokens_split_cjk_runs_into_bigrams() -> None:
    assert tokens("the harbour budget") == ["the", "harbour", "budget"]
    assert tokens("東京都 budget") == ["東京", "京都", "budget"]
    assert tokens("日本 x") == ["日本", "x"]


def test_block_forms_match_the_functions() -> None:
    blocks = [LEAD, "Share this article", "東京都の予算"]
    forms = BlockForms(blocks)
    for i, block in enumerate(blocks):
        assert forms.norm(i) == normalize(block)
        assert forms.short(i) == short_key(block)
        assert forms.toks(i) == tokens(normalize(block))


def test_exact_repeats_map_to_the_first_occurrence() -> None:
    blocks = [
        "Share this article",
        LEAD,
        "SHARE this article!",
        QUOTE,
        "Share this article",
    ]
    assert find_repeats(blocks, range(len(blocks))) == {2: 0, 4: 0}


def test_short_blocks_differing_in_a_number_are_not_repeats() -> None:
    blocks = [
        "Step 1",
        "Mix the flour and the butter.",
        "Step 2",
        "Bake for 20 minutes.",
    ]
    assert find_repeats(blocks, range(len(blocks))) == {}


def test_long_block_with_small_edits_is_a_near_repeat() -> None:
    edited = LEAD.replace("Tuesday", "Tuesday evening").replace("months", "many months")
    blocks = [LEAD, QUOTE, edited]
    assert find_repeats(blocks, range(3)) == {2: 0}


def test_shared_vocabulary_in_another_order_is_not_a_repeat() -> None:
    shuffled = " ".join(reversed(LEAD.split()))
    assert find_repeats([LEAD, QUOTE, shuffled], range(3)) == {}


def test_inactive_blocks_are_neither_source_nor_repeat() -> None:
    blocks = ["Share this article", LEAD, "Share this article", "Share this article"]
    assert find_repeats(blocks, [1, 2, 3]) == {3: 2}


def test_numbers_only_blocks_never_repeat() -> None:
    blocks = ["12", "34", "12", "Total"]
    assert find_repeats(blocks, range(4)) == {}


def test_article_pasted_twice_is_one_copied_run() -> None:
    blocks = [LEAD, QUOTE, CLOSING, "Advertisement", LEAD, QUOTE, CLOSING]
    active = list(range(len(blocks)))
    source = find_repeats(blocks, active)
    assert source == {4: 0, 5: 1, 6: 2}
    assert copy_runs(blocks, active, source) == {4: False, 5: False, 6: False}


def test_fields_recurring_three_times_form_a_record() -> None:
    days = []
    for day in ("Monday", "Tuesday", "Wednesday"):
        days += [day, "Breakfast", "Porridge with berries", "Lunch", "Lentil soup"]
    active = list(range(len(days)))
    runs = copy_runs(days, active, find_repeats(days, active))
    assert runs
    assert all(runs.values())  # a record: kept by the cleaner, not a copy


def test_edited_block_inside_a_copied_run_joins_it() -> None:
    edited = QUOTE.replace(
        "two earlier versions of the budget",
        "every earlier draft this winter, calling them unfair",
    )
    blocks = [LEAD, QUOTE, CLOSING, "Advertisement", LEAD, edited, CLOSING]
    active = list(range(len(blocks)))
    source = find_repeats(blocks, active)
    assert source == {4: 0, 6: 2}  # too edited to be a near repeat on its own
    assert copy_runs(blocks, active, source) == {4: False, 5: False, 6: False}
    assert source[5] == 1

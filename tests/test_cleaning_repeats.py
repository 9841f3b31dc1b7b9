# ruff: noqa: RUF001  (typographic quotes and CJK text are the data here)
"""Normal forms and repeated-block detection (scrapy_newsclean.cleaning._repeats)."""

from __future__ import annotations

import pytest

from scrapy_newsclean.cleaning._blocks import clean_blocks
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


def test_long_block_with_word_edits_is_not_a_repeat() -> None:
    # Alone, an edited paragraph is another text (inside a pasted run it joins
    # the run: see test_edited_block_inside_a_copied_run_joins_it).
    edited = LEAD.replace("Tuesday", "Tuesday evening").replace("months", "many months")
    assert find_repeats([LEAD, QUOTE, edited], range(3)) == {}
    restyled = LEAD.replace(",", " —").replace("city council", "City Council")
    assert find_repeats([LEAD, QUOTE, restyled], range(3)) == {2: 0}


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


# Content that merely shares a template with an earlier block: never a repeat.

INTRO = (
    "The festival returns to the town centre this weekend with more than forty "
    "events, from jazz and folk to comedy and family workshops, most of them in "
    "venues within walking distance of the station."
)
OUTRO = (
    "Festival passes covering every event are on sale until Friday, and children "
    "under twelve go free when they come with a paying adult, the organisers said."
)
EINLEITUNG = (
    "Das Stadtfest beginnt am Freitag mit mehr als vierzig Veranstaltungen, von "
    "Jazz und Volksmusik bis zu Kabarett und Workshops für Familien, fast alle in "
    "der Altstadt und zu Fuß vom Bahnhof aus erreichbar."
)


def _kept(blocks: list[str]) -> tuple[str, ...]:
    return clean_blocks(blocks).blocks


@pytest.mark.parametrize(
    "events",
    [
        [
            "The Blue Notes: an evening of modern jazz",
            "Venue: Town Hall, 8pm",
            "Tickets: £12",
            "Sarah Jones: Work in Progress (comedy)",
            "Venue: Corn Exchange, 7.30pm",
            "Tickets: £15",
            "Folk in the Square with the Hedge Band",
            "Venue: Town Hall, 8pm",
            "Tickets: £12",
        ],
        [
            "Die Blue Notes: ein Abend mit modernem Jazz",
            "Ort: Rathaus, 20 Uhr",
            "Eintritt: 12 Euro",
            "Sarah Jones: Kabarett",
            "Ort: Kornhaus, 19.30 Uhr",
            "Eintritt: 15 Euro",
            "Volksmusik auf dem Marktplatz",
            "Ort: Rathaus, 20 Uhr",
            "Eintritt: 12 Euro",
        ],
    ],
    ids=["en", "de"],
)
def test_event_listings_keep_their_venue_and_price_lines(events: list[str]) -> None:
    blocks = [INTRO if events[0].startswith("The") else EINLEITUNG, *events, OUTRO]
    assert _kept(blocks) == tuple(blocks)


@pytest.mark.parametrize(
    "references",
    [
        [
            (
                "1. Smith J, Jones K, Brown L. Effects of exercise on sleep quality in "
                "older women. J Sleep Res. 2018;27(3):e12654."
            ),
            (
                "2. Smith J, Jones K, Brown L. Effects of exercise on sleep quality in "
                "older men. J Sleep Res. 2019;28(1):e12901."
            ),
            (
                "3. Smith J, Jones K, Brown L. Effects of exercise on sleep quality in "
                "older women. J Sleep Res. 2020;29(2):e13011."
            ),
        ],
        [
            (
                "Müller, H.; Schmidt, A. (2019): Schlaf und Gedächtnis im Alter. In: "
                "Zeitschrift für Psychologie 27 (3), S. 121–133."
            ),
            (
                "Müller, H.; Schmidt, A. (2021): Schlaf und Gedächtnis im Jugendalter. In: "
                "Zeitschrift für Psychologie 29 (1), S. 45–60."
            ),
        ],
    ],
    ids=["en", "de"],
)
def test_reference_lists_are_kept(references: list[str]) -> None:
    blocks = [LEAD, QUOTE, "References", *references]
    assert _kept(blocks) == tuple(blocks)
    active = list(range(len(references)))
    assert find_repeats(references, active) == {}


STREAMING = [
    (
        "Where to watch: The Handmaid's Tale is streaming now on Hulu. Sign up for a "
        "free trial to start watching today, and cancel any time before it ends. "
        "Prices and availability may vary by region."
    ),
    (
        "Where to watch: Succession is streaming now on HBO Go. Sign up for a free "
        "trial to start watching today, and cancel any time before it ends. Prices "
        "and availability may vary by region."
    ),
    (
        "Dónde verla: La casa de papel está disponible en Netflix. Regístrate para "
        "una prueba gratuita y empieza a verla hoy mismo, puedes cancelar cuando "
        "quieras antes de que termine."
    ),
    (
        "Dónde verla: Élite está disponible en Netflix. Regístrate para una prueba "
        "gratuita y empieza a verla hoy mismo, puedes cancelar cuando quieras antes "
        "de que termine."
    ),
]


def test_streaming_lines_sharing_a_template_are_kept() -> None:
    assert find_repeats(STREAMING, range(len(STREAMING))) == {}
    blocks = [LEAD, *STREAMING, CLOSING]
    assert _kept(blocks) == tuple(blocks)


def test_template_lines_between_repeated_labels_are_kept() -> None:
    # "Where to watch" / <line> / "Stream it": the labels repeat, the lines
    # between them share a template but are not an edited copy.
    shows = [
        (
            "The Handmaid's Tale is streaming on Hulu, with new episodes every "
            "Wednesday and the full back catalogue available to subscribers."
        ),
        (
            "Succession is streaming on HBO Go, with new episodes every Sunday and "
            "the full back catalogue available to subscribers."
        ),
    ]
    blocks = [LEAD]
    for show in shows:
        blocks += ["Where to watch", show, "Stream it tonight"]
    blocks.append(CLOSING)
    assert [b for b in shows if b not in _kept(blocks)] == []


@pytest.mark.parametrize(
    ("summary", "bullet"),
    [
        (
            (
                "Setting a regular eating schedule and sticking to it is one of the most "
                "effective ways to overcome binge eating."
            ),
            "Try setting a regular eating schedule and sticking to it.",
        ),
        (
            (
                "Einen festen Essensplan aufzustellen und sich daran zu halten, ist "
                "einer der wirksamsten Wege, Essanfälle zu überwinden."
            ),
            (
                "• Versuchen Sie, einen festen Essensplan aufzustellen und sich daran "
                "zu halten."
            ),
        ),
        (
            (
                "Establecer un horario regular de comidas y respetarlo es una de las "
                "formas más eficaces de superar los atracones."
            ),
            "Intenta establecer un horario regular de comidas y respetarlo.",
        ),
    ],
    ids=["en", "de", "es"],
)
def test_how_to_bullet_restating_a_paragraph_is_kept(summary: str, bullet: str) -> None:
    blocks = [summary, LEAD, "How to do it", bullet, CLOSING]
    assert _kept(blocks) == tuple(blocks)


@pytest.mark.parametrize(
    "quotes",
    [
        [
            (
                "قال رسول الله صلى الله عليه وسلم: أَحْبِبْ حَبِيبَكَ هَوْنًا مَا، "
                "عَسَى أَنْ يَكُونَ بَغِيضَكَ يَوْمًا مَا"
            ),
            (
                "قال رسول الله صلى الله عليه وسلم: وَأَبْغِضْ بَغِيضَكَ هَوْنًا مَا، "
                "عَسَى أَنْ يَكُونَ حَبِيبَكَ يَوْمًا مَا"
            ),
        ],
        [
            (
                "“We will keep fighting for every family in this city until the last "
                "of them has a safe home,” Mayor Johnson said."
            ),
            (
                "“We will keep fighting for every family in this city until the last "
                "of them has a safe job,” Mayor Johnson said."
            ),
        ],
        [
            (
                "„Die Regierung muss jetzt handeln, bevor es für die Bauern zu spät "
                "ist“, sagte Müller am Montag in Berlin."
            ),
            (
                "„Die Regierung muss jetzt handeln, bevor es für die Bauern zu spät "
                "ist“, sagte Schmidt am Montag in Berlin."
            ),
        ],
    ],
    ids=["ar", "en", "de"],
)
def test_two_similar_quotations_are_both_kept(quotes: list[str]) -> None:
    assert find_repeats(quotes, range(2)) == {}
    blocks = [LEAD, quotes[0], QUOTE, quotes[1], CLOSING]
    assert _kept(blocks) == tuple(blocks)


def test_near_exact_forms() -> None:
    # Punctuation, case and whitespace only.
    assert find_repeats([LEAD, QUOTE, "  " + LEAD.upper().replace(",", "")], range(3))
    # A copy with its last sentence cut off.
    two = LEAD + " The vote followed a six-hour debate."
    assert find_repeats([two, QUOTE, LEAD], range(3)) == {2: 0}
    # A copy with two sentences cut off is a summary, not a copy.
    three = two + " Three members abstained."
    assert find_repeats([three, QUOTE, LEAD], range(3)) == {}
    # A copy inside a short label ("Read more: ...", a breadcrumb).
    assert find_repeats([f"Read more: {LEAD}", QUOTE, LEAD], range(3)) == {2: 0}
    # A truncated copy ("... more").
    cut = LEAD[: LEAD.index(" ending")] + " ... more"
    assert find_repeats([LEAD, QUOTE, cut], range(3)) == {2: 0}
    # A pull quote: one sentence of a long paragraph is not a copy of it.
    assert find_repeats([QUOTE + " " + CLOSING, LEAD, CLOSING], range(3)) == {}
    # One word changed, added or dropped: another text.
    edited = LEAD.replace("months", "many months")
    assert find_repeats([LEAD, QUOTE, edited], range(3)) == {}


def test_numbers_changed_in_a_long_block_is_not_a_repeat() -> None:
    later = LEAD.replace("7-2", "6-3")
    assert find_repeats([LEAD, QUOTE, later], range(3)) == {}
    dated = LEAD + " (2024)"
    assert find_repeats([LEAD, QUOTE, dated], range(3)) == {2: 0}


# Still removed: exact and near-exact copies of blocks and runs.


def test_paragraph_pasted_twice_is_removed() -> None:
    assert _kept([LEAD, QUOTE, LEAD, CLOSING]) == (LEAD, QUOTE, CLOSING)


def test_article_pasted_twice_is_removed() -> None:
    article = [LEAD, "Budget vote", QUOTE, "Analysis", CLOSING]
    assert _kept(["Headline", *article, "Advertisement", *article]) == (
        "Headline",
        *article,
    )


def test_repeated_teasers_with_trailing_period_or_extra_sentence() -> None:
    teaser = (
        "Lavrov arrives in North Korea, state media say. Foreign Minister Sergey "
        "Lavrov has arrived in North Korea, the latest in a flurry of diplomatic "
        "activity between the two countries"
    )
    longer = teaser + ". Kim Jong Un traveled to Russia in September."
    blocks = [LEAD, QUOTE, CLOSING, teaser, longer, teaser + ".", teaser + ".", teaser]
    assert _kept(blocks) == (LEAD, QUOTE, CLOSING, teaser, longer)


@pytest.mark.parametrize(
    "bar",
    [
        ["News", "Business", "Culture", "Sport"],
        ["Share on Facebook", "Share on X", "Share by email"],
        ["Nachrichten", "Wirtschaft", "Kultur"],
    ],
    ids=["menu", "share-bar", "menu-de"],
)
def test_bar_shown_twice_is_removed(bar: list[str]) -> None:
    # (A share bar may go as a call to action already: each item at most once.)
    for blocks in (
        [*bar, LEAD, QUOTE, CLOSING, *bar],
        [*bar, LEAD, *bar, QUOTE, CLOSING],
    ):
        kept = _kept(blocks)
        assert [b for b in kept if b not in bar] == [LEAD, QUOTE, CLOSING]
        assert all(kept.count(item) <= 1 for item in bar)
        assert kept[: len(kept) - 3] == tuple(b for b in bar if b in kept)


def test_text_of_a_nested_element_after_its_parent_is_a_repeat() -> None:
    card = (
        "Binge Eating Disorder: Symptoms, Causes and How to Stop. Written by Elise "
        "Mandl, BSc, APD. Binge eating disorder (BED) is the most common type of "
        "eating disorder. This article looks at its symptoms and causes. READ MORE"
    )
    description = (
        "Binge eating disorder (BED) is the most common type of eating disorder. "
        "This article looks at its symptoms and causes."
    )
    assert find_repeats([LEAD, card, description], range(3)) == {2: 1}
    # Elsewhere on the page, a sentence of a longer block is not a copy of it.
    assert find_repeats([card, LEAD, description], range(3)) == {}


def test_texts_of_nested_elements_after_their_parent_are_repeats() -> None:
    tip = "Editor's Tip: Choose a vase color that recedes and doesn't compete with it."
    item = f"Bouquet of Fall Flowers {QUOTE} {tip}"
    blocks = [LEAD, item, QUOTE, tip, CLOSING, tip]
    assert find_repeats(blocks, range(len(blocks))) == {2: 1, 3: 1, 5: 3}

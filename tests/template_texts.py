"""Article texts for the site-template tests: unrelated articles of one site
that end with the same "about us" paragraph, and follow-up stories of one
event that share a background paragraph (and most of their text).

The texts are drawn from a small vocabulary with fixed seeds (``random``'s
seeded sequences are stable across Python versions), so their simhash
distances are fixed: the unrelated articles are 22 to 33 bits apart (the
first three 27 to 33), the follow-ups 18 to 25 bits and never near
duplicates (each text as one line per item of the list).
"""

from __future__ import annotations

import random

WORDS = """council harbour school river budget winter festival museum railway
hospital farmers market election bridge library stadium orchestra vaccine
drought bakery tunnel police court airport factory forest teachers nurses
students river storm energy solar mayor minister residents workers union strike
ferry island mountain village coast fishing price rent housing water power grid
museum artist novel theatre film season league coach player goal match final
record heat flood fire road traffic cyclists pedestrians says said will would
could announced plans opened closed raised cut found reported after before
during since while because although the a of to in on for with by from new old
local regional national public private small large first last early
late""".split()  # noqa: SIM905

ABOUT_US = (
    "The Harbour Post is an independent daily newspaper founded in 1921 and owned"
    " by a reader cooperative since 1998. Our newsroom on Quay Street covers the"
    " city, the port and the surrounding villages, and we publish corrections on"
    " this page within one working day. Tips, letters and complaints reach the"
    " editors at the front desk or through the contact form; we never sell our"
    " readers' data and we answer every letter."
)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def paragraph(rng: random.Random, sentences: int = 3) -> str:
    return " ".join(sentence(rng, rng.randint(12, 20)) for _ in range(sentences))


BACKGROUND = paragraph(random.Random(7), 4)


def unrelated_articles() -> list[list[str]]:
    """Five articles on different subjects: headline, paragraphs, about us."""
    articles = []
    for seed in range(5):
        rng = random.Random(seed)
        lines = [sentence(rng, 8), *(paragraph(rng) for _ in range(8))]
        articles.append([*lines, ABOUT_US])
    return articles


def follow_ups() -> list[list[str]]:
    """Five updates of one story: each rewrites two of its ten paragraphs."""
    rng = random.Random(1007)
    story = [paragraph(rng) for _ in range(10)]
    updates = []
    for i in range(5):
        rng = random.Random(2070 + i)
        body = list(story)
        for j in range(2):
            body[(2 * i + j) % 10] = paragraph(rng)
        updates.append([sentence(rng, 8), body[0], BACKGROUND, *body[1:]])
    return updates

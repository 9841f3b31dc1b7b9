"""Tests for the cleaning benchmarks' scorer (benchmarks.cleaning_crawl)."""

from __future__ import annotations

import pytest

from benchmarks.cleaning_crawl import article_lines

TRUTH = (
    "In comments likely to be seen by Conservatives as a vindication, the prime "
    "minister said the system would lower standards. Your costs will increase. "
    "Google Stadia ports run at 30fps.\n\n"
    "Club statement\n\n"
    "Serves: 8\n\nPrep Time: 15 minutes\n\n"
    "東京で新しい地下鉄の路線が今日開通した。利用者は開通初日から非常に多かったという。"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Conservatives", False),  # a tag whose word is inside a sentence
        ("Google Stadia", False),
        ("Club statement", True),  # a whole line of the truth
        ("Your costs will increase.", True),  # a whole sentence
        ("Serves: 8 Prep Time: 15 minutes", True),  # two whole lines joined
        ("利用者は開通初日から非常に多かったという。", True),
        ("新しい地下鉄の路線が今日開通", False),
        (
            "the prime minister said the system would lower standards, Conservatives said",
            True,  # 40+ characters: 90% of its words are truth words
        ),
    ],
    ids=str,
)
def test_short_lines_are_article_only_as_whole_sentences(
    line: str, expected: bool
) -> None:
    assert article_lines([line], TRUTH) == [expected]


def test_a_copy_beyond_the_truth_is_a_repeat() -> None:
    assert article_lines(["Club statement", "Club statement"], TRUTH) == [True, False]

# ruff: noqa: RUF001  (multilingual test data)
"""Tests for the pure text-cleaning core (scrapy_newsclean.cleaning._blocks)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrapy_newsclean.cleaning import _blocks as text_module
from scrapy_newsclean.cleaning import _repeats as repeats_module
from scrapy_newsclean.cleaning._blocks import (
    CleanResult,
    Removal,
    clean,
    clean_blocks,
    split_blocks,
)
from scrapy_newsclean.cleaning._repeats import normalize
from scrapy_newsclean.cleaning._signatures import (
    DEFAULT_SIGNATURES,
    Signature,
    _nested_unbounded,
    compile_signatures,
    default_signatures,
)
from tests._fuzz import examples

FIXTURES = Path(__file__).parent / "fixtures" / "text"
SEEDS = ["000_f0605b7f478a5237", "003_52c365f2d776a0bf"]
_CRAWL_HEADER = re.compile(r"\A\s*date \d{4}-\d{2}-\d{2} \d{3}\s*\n")

PROSE = (
    "The central bank kept its benchmark rate unchanged on Thursday, saying that "
    "inflation had eased more slowly than expected and that it would wait for more "
    "data before deciding whether to cut borrowing costs later this year."
)
PROSE_2 = (
    "Economists polled before the meeting had broadly expected the decision, "
    "although several said the statement sounded more cautious than in March, "
    "when officials signalled that two cuts were still possible."
)


def load_seed(name: str) -> str:
    """A seed page without its crawl-record header line (status is not text)."""
    raw = (FIXTURES / f"{name}.txt").read_text("utf-8")
    return _CRAWL_HEADER.sub("", raw, count=1)


def expected(name: str) -> str:
    return (FIXTURES / f"{name}.expected.txt").read_text("utf-8").strip()


def reasons(result: CleanResult) -> dict[str, str]:
    return {r.text: r.reason for r in result.removed}


class TestSeeds:
    @pytest.mark.parametrize("name", SEEDS)
    def test_seed_equals_expected(self, name: str) -> None:
        assert clean(load_seed(name)).text.strip() == expected(name)

    @pytest.mark.parametrize("name", SEEDS)
    def test_idempotent(self, name: str) -> None:
        once = clean(load_seed(name)).text
        assert clean(once).text == once
        assert clean(once).removed == ()

    def test_seed_000_reasons(self) -> None:
        result = clean(load_seed(SEEDS[0]))
        counts: dict[str, int] = {}
        for removal in result.removed:
            counts[removal.reason] = counts.get(removal.reason, 0) + 1
        assert counts == {
            "error_banner": 2,
            "repeated_run": 8,
            "disclaimer": 2,
            "link_list": 9,
            "comment_widget": 1,
        }

    def test_seed_003_reasons(self) -> None:
        got = reasons(clean(load_seed(SEEDS[1])))
        assert got["日本 最新ニュース, 日本 見出し"] == "site_chrome"
        assert set(got.values()) == {"site_chrome", "link_list"}

    def test_seed_003_caption_kept(self) -> None:
        result = clean(load_seed(SEEDS[1]))
        assert any(b.startswith("In this photo released by") for b in result.blocks)

    def test_removals_are_indexed_and_unchanged(self) -> None:
        blocks = split_blocks(load_seed(SEEDS[0]))
        result = clean_blocks(blocks)
        for removal in result.removed:
            assert blocks[removal.index] == removal.text
        kept = [
            b
            for i, b in enumerate(blocks)
            if i not in {r.index for r in result.removed}
        ]
        assert list(result.blocks) == kept


class TestSplitBlocks:
    def test_lines_and_blank_lines(self) -> None:
        text = "  First line \r\n\r\n\tSecond\rThird\u2029\n  \nFourth  "
        assert split_blocks(text) == ["First line", "Second", "Third", "Fourth"]

    def test_empty(self) -> None:
        assert split_blocks("") == []
        assert clean("") == CleanResult("", (), ())


# Article prose that merely contains a trigger word: must always survive.
TRAPS = [
    "He declined to comment.",
    "She did not respond to a request for comment on Friday.",
    "Related to this, the minister said the budget would be revised in autumn.",
    "Read the full ruling, the judge told the lawyers, before you appeal.",
    "Copyright infringement cases have doubled since 2020, the court said.",
    "The court ruled that the copyright belonged to the photographer, not the magazine.",
    "Share prices fell 3% after the announcement.",
    "Follow-up talks are planned for next week in Geneva.",
    "Sorry, the minister said, but the budget cannot be changed now.",
    "Advertisement spending rose by 12% in the second quarter.",
    "The company said it uses cookies from its own bakery in the ads.",
    "Most popular among voters was the pension reform, the survey showed.",
    "Er lehnte einen Kommentar ab.",
    "Il a refusé de commenter.",
    "No quiso hacer comentarios sobre el caso.",
    "Non ha voluto commentare la notizia.",
    "Ele não quis comentar o assunto.",
    "Hij wilde geen commentaar geven.",
    "Он отказался от комментариев.",
    "同社はコメントを控えた。",
    "该公司拒绝置评。",
    "회사 측은 논평을 거부했다.",
    "ورفضت الشركة التعليق.",
    "Lesen Sie dazu das Urteil des Bundesgerichtshofs, sagte die Anwältin.",
    "Lire aussi la décision du tribunal, a conseillé l'avocat à ses clients.",
    "XX, Die Redaktion",
]


@pytest.mark.parametrize("trap", TRAPS)
def test_trap_is_kept(trap: str) -> None:
    result = clean_blocks([PROSE, trap, PROSE_2])
    assert result.blocks == (PROSE, trap, PROSE_2), result.removed


@pytest.mark.parametrize("trap", TRAPS)
def test_trap_kept_at_document_edges(trap: str) -> None:
    assert clean_blocks([trap, PROSE]).blocks == (trap, PROSE)
    assert clean_blocks([PROSE, trap]).blocks == (PROSE, trap)


BOILERPLATE = [
    # disclaimers
    ("disclaimer", "Legal Disclaimer:"),
    ("disclaimer", "Haftungsausschluss:"),
    ("disclaimer", "免責事項"),
    (
        "disclaimer",
        (
            "The views expressed in this article are those of the author and do not "
            "necessarily reflect the official policy of the publisher."
        ),
    ),
    (
        "disclaimer",
        "Acme Wire provides the information “as is” without warranty of any kind.",
    ),
    (
        "disclaimer",
        "Les opinions exprimées dans cet article n'engagent que leur auteur.",
    ),
    ("disclaimer", "Мнение редакции может не совпадать с мнением автора."),
    ("disclaimer", "本文仅代表作者个人观点，不代表本站立场。"),
    # copyright
    ("copyright", "© 2024 Example Media Group. All rights reserved."),
    ("copyright", "Copyright 2023 The Daily Example"),
    ("copyright", "Example Verlag GmbH – Alle Rechte vorbehalten."),
    ("copyright", "Le Journal SA. Tous droits réservés"),
    ("copyright", "Diario Ejemplo. Todos los derechos reservados."),
    ("copyright", "Tutti i diritti riservati"),
    ("copyright", "Все права защищены."),
    ("copyright", "Copyright © 2024 Example Shimbun. 無断転載を禁じます。"),
    ("copyright", "版权所有 © 2024 新闻网"),
    ("copyright", "<저작권자 ⓒ 예시뉴스, 무단전재 및 재배포 금지>"),
    ("copyright", "جميع الحقوق محفوظة"),
    # calls to action
    ("call_to_action", "Sign up for our daily newsletter to get the latest news."),
    ("call_to_action", "Share this article"),
    ("call_to_action", "Follow us on Twitter and Facebook"),
    ("call_to_action", "Jetzt Newsletter abonnieren!"),
    ("call_to_action", "Folgen Sie uns auf Instagram"),
    ("call_to_action", "Abonnez-vous à notre newsletter"),
    ("call_to_action", "Síguenos en Twitter"),
    ("call_to_action", "Iscriviti alla newsletter"),
    ("call_to_action", "Compartilhe"),
    ("call_to_action", "Volg ons op Facebook"),
    ("call_to_action", "Поделиться"),
    ("call_to_action", "공유하기"),
    ("call_to_action", "تابعونا على تويتر"),
    # advertisement labels
    ("advertisement", "Advertisement"),
    ("advertisement", "ADVERTISEMENT - SCROLL TO CONTINUE READING"),
    ("advertisement", "Anzeige"),
    ("advertisement", "Publicité"),
    ("advertisement", "Publicidad"),
    ("advertisement", "Реклама"),
    ("advertisement", "広告"),
    ("advertisement", "광고"),
    # cookie notices
    ("cookie_notice", "This website uses cookies to improve your experience."),
    ("cookie_notice", "Diese Website verwendet Cookies. Mehr erfahren"),
    ("cookie_notice", "Nous utilisons des cookies pour améliorer votre expérience."),
    ("cookie_notice", "Este sitio web utiliza cookies propias y de terceros."),
    ("cookie_notice", "Мы используем файлы cookie для улучшения работы сайта."),
    # empty comment widgets
    ("comment_widget", "CommentsNo comment"),
    ("comment_widget", "No comments yet"),
    ("comment_widget", "0 Comments"),
    ("comment_widget", "Be the first to comment!"),
    ("comment_widget", "Noch keine Kommentare"),
    ("comment_widget", "Aucun commentaire"),
    ("comment_widget", "Sin comentarios"),
    ("comment_widget", "Нет комментариев"),
    ("comment_widget", "コメントはまだありません"),
    ("comment_widget", "暂无评论"),
    # error banners
    (
        "error_banner",
        "Error! We're sorry, but the page you were looking for doesn't exist.",
    ),
    ("error_banner", "404 - Page not found"),
    ("error_banner", "Die angeforderte Seite wurde nicht gefunden."),
    ("error_banner", "La page que vous recherchez n'existe pas."),
    ("error_banner", "Página no encontrada"),
    ("error_banner", "Страница не найдена"),
    ("error_banner", "お探しのページは見つかりませんでした。"),
    ("error_banner", "页面不存在"),
    ("error_banner", "페이지를 찾을 수 없습니다"),
]


@pytest.mark.parametrize(
    ("reason", "block"),
    BOILERPLATE,
    ids=[f"{r}-{i}" for i, (r, _) in enumerate(BOILERPLATE)],
)
def test_boilerplate_removed(reason: str, block: str) -> None:
    result = clean_blocks([PROSE, block, PROSE_2])
    assert result.removed == (Removal(1, reason, block),)
    assert result.blocks == (PROSE, PROSE_2)


def test_weak_signature_only_next_to_removed_block() -> None:
    assert clean_blocks([PROSE, "Sorry!!", PROSE_2]).blocks == (
        PROSE,
        "Sorry!!",
        PROSE_2,
    )
    banner = "Error! We're sorry, but the page you were looking for doesn't exist."
    result = clean_blocks(["Sorry!!", banner, PROSE])
    assert result.blocks == (PROSE,)
    assert clean_blocks([PROSE, "Comments", PROSE_2]).blocks == (
        PROSE,
        "Comments",
        PROSE_2,
    )
    assert clean_blocks([PROSE, "Comments", "No comments yet"]).blocks == (PROSE,)


class TestLinkLists:
    @pytest.mark.parametrize(
        "header",
        [
            "Most popular",
            "Related articles",
            "Read more",
            "Similar News",
            "Mehr zum Thema",
            "Lire aussi",
            "Noticias relacionadas",
            "Leggi anche",
            "Leia também",
            "Lees ook",
            "Читайте также",
            "関連記事",
            "続きを読む",
            "相关阅读",
            "관련기사",
            "اقرأ أيضا",
        ],
    )
    def test_header_and_teasers_removed_until_prose(self, header: str) -> None:
        teasers = [
            "Minister resigns after budget row",
            "- Storm leaves thousands without power",
            "Five things to know about the new tax rules",
        ]
        result = clean_blocks([PROSE, header, *teasers, PROSE_2])
        assert result.blocks == (PROSE, PROSE_2)
        assert {r.reason for r in result.removed} == {"link_list"}

    def test_section_runs_to_end_of_document(self) -> None:
        blocks = [
            PROSE,
            "Most read:",
            "Budget row deepens",
            "Storm update » ",
            "Read more »",
        ]
        assert clean_blocks(blocks).blocks == (PROSE,)

    def test_teaser_followed_by_read_more_line(self) -> None:
        teaser = PROSE_2 + " More details follow in the full story."
        result = clean_blocks([PROSE, "Related", teaser, "続きを読む »"])
        assert result.blocks == (PROSE,)

    def test_subheading_above_prose_is_kept(self) -> None:
        blocks = [PROSE, "Related", "What happens next", PROSE_2]
        assert clean_blocks(blocks).blocks == (PROSE, "What happens next", PROSE_2)

    def test_cjk_paragraph_after_an_inline_related_line_is_kept(self) -> None:
        """A CJK paragraph has no spaces: it is not a one-word headline."""
        lead = (
            "新华社北京9月26日电 记者26日从国家铁路集团获悉，国庆黄金周铁路运输将于"
            "9月29日启动，至10月8日结束，为期10天，全国铁路预计发送旅客1.94亿人次。"
        )
        body = (
            "为满足旅客出行需求，铁路部门将实行高峰运行图，在京沪、京广、沪昆等繁忙"
            "干线加开夜间高铁，并在热门旅游城市之间增开直通列车，日均开行旅客列车"
            "13000列以上。"
        )
        more = (
            "这位负责人表示，铁路部门将进一步优化售票服务，推出候补购票等便民措施，"
            "并在车站增设临时售票窗口和自助设备，为重点旅客提供预约服务。"
        )
        result = clean(f"{lead}\n相关阅读：国庆假期出行指南来了\n{body}\n{more}")
        assert result.blocks == (lead, body, more)
        assert [r.reason for r in result.removed] == ["link_list"]

    def test_inline_read_more_link_removed_alone(self) -> None:
        blocks = [PROSE, "Read more: Budget row deepens", "Next steps", PROSE_2]
        result = clean_blocks(blocks)
        assert result.blocks == (PROSE, "Next steps", PROSE_2)

    @pytest.mark.parametrize(
        "byline",
        [
            "By Jane Doe",
            "BY: Jane Doe and John Roe",
            "Von Anna Schmidt",
            "山田太郎 記者",
        ],
    )
    def test_section_before_article_stops_at_byline(self, byline: str) -> None:
        # A nav "Trending" list above the article must not eat its headline.
        headline = "Minister resigns after budget row"
        blocks = ["Trending", "Top 100", "Videos", headline, byline, PROSE, PROSE_2]
        result = clean_blocks(blocks)
        assert result.blocks == (headline, byline, PROSE, PROSE_2)

    def test_section_after_article_ignores_bylines(self) -> None:
        blocks = [PROSE, PROSE_2, "Related", "Storm update", "By Jane Doe"]
        assert clean_blocks(blocks).blocks == (PROSE, PROSE_2)

    def test_keyword_line_above_header(self) -> None:
        blocks = [PROSE, "World news, World headlines", "Related", "Budget row deepens"]
        result = clean_blocks(blocks)
        assert result.blocks == (PROSE,)
        assert result.removed[0].reason == "site_chrome"


class TestRepeats:
    def test_article_pasted_twice_is_a_run(self) -> None:
        paras = [
            PROSE,
            PROSE_2,
            "A third paragraph with some more words in it, enough.",
        ]
        result = clean_blocks(["Headline", *paras, *paras])
        assert result.blocks == ("Headline", *paras)
        assert [r.reason for r in result.removed] == ["repeated_run"] * 3

    def test_edited_paragraph_inside_run_joins_it(self) -> None:
        edited = PROSE_2.replace("cautious", "careful").replace("two cuts", "cuts")
        third = "A third paragraph with some more words in it, enough to be long."
        blocks = [PROSE, PROSE_2, third, PROSE, edited, third]
        result = clean_blocks(blocks)
        assert result.blocks == (PROSE, PROSE_2, third)

    def test_near_exact_repeat(self) -> None:
        variant = "  " + PROSE.upper().replace(",", "").rstrip(".") + " 2024 "
        result = clean_blocks([PROSE, PROSE_2, variant])
        assert result.blocks == (PROSE, PROSE_2)
        assert result.removed[0].reason == "repeated_block"

    def test_contained_shorter_repeat(self) -> None:
        longer = PROSE_2 + " Officials declined to give a date for the next review."
        result = clean_blocks([longer, PROSE, PROSE_2])
        assert result.blocks == (longer, PROSE)

    def test_superset_later_is_kept(self) -> None:
        longer = PROSE_2 + " Officials declined to give a date for the next review."
        assert clean_blocks([PROSE_2, longer]).blocks == (PROSE_2, longer)

    def test_different_paragraphs_sharing_words_are_kept(self) -> None:
        a = "The minister said the talks with the union would continue next week in Berlin."
        b = "The union said the talks with the minister would continue in Berlin next month."
        shuffled = "Berlin next week the talks would continue with the union, said the minister."
        assert clean_blocks([a, b, shuffled]).blocks == (a, b, shuffled)

    def test_short_repeats_inside_article_kept_numbers_kept(self) -> None:
        blocks = ["Analysis", PROSE, "Analysis", "12", PROSE_2, "12"]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_short_repeats_outside_article_removed(self) -> None:
        blocks = ["Home", "World", "Sport", "World", PROSE, PROSE_2]
        result = clean_blocks(blocks)
        assert result.blocks == (PROSE, PROSE_2)
        # The repeat goes as a repeat; what is left of the menu, as a run.
        assert result.removed == (
            Removal(0, "short_line_run", "Home"),
            Removal(1, "short_line_run", "World"),
            Removal(2, "short_line_run", "Sport"),
            Removal(3, "repeated_block", "World"),
        )

    def test_short_repeats_after_article_end_removed(self) -> None:
        blocks = [PROSE, "Q: Why now?", PROSE_2, "© 2024 Example", "Q: Why now?"]
        result = clean_blocks(blocks)
        assert result.blocks == (PROSE, "Q: Why now?", PROSE_2)

    def test_menu_shown_twice_is_a_run(self) -> None:
        menu = ["News", "Business", "Culture"]
        result = clean_blocks([*menu, PROSE, *menu, PROSE_2])
        assert result.blocks == (PROSE, PROSE_2)
        # The copy inside the article is a repeat; the first, a menu run.
        assert [r.reason for r in result.removed] == (
            ["short_line_run"] * 3 + ["repeated_run"] * 3
        )

    def test_record_fields_repeated_in_article_are_kept(self) -> None:
        # A meal plan: each day repeats the same lines with one line changed.
        days = [
            [
                f"Day {n}",
                "Breakfast",
                "Eat within an hour of waking up",
                "1 cup oats, 1 cup blueberries, 1 tsp. honey, 8 oz. milk",
                meal,
            ]
            for n, meal in enumerate(["Salmon salad", "Lentil soup", "Tofu bowl"])
        ]
        blocks = [PROSE, *[b for day in days for b in day], PROSE_2]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_record_fields_outside_article_removed(self) -> None:
        # A sports menu: the same sub-menu under each league, before the article.
        leagues = [[f"{lg} Home", "Scores", "Standings", "Video"] for lg in "ABC"]
        blocks = [*[b for lg in leagues for b in lg], PROSE, PROSE_2]
        result = clean_blocks(blocks)
        assert result.blocks == (PROSE, PROSE_2)
        assert {r.reason for r in result.removed} == {
            "repeated_run",
            "short_line_run",
        }

    def test_prose_pasted_three_times_removed(self) -> None:
        third = "A third paragraph with some more words in it, enough to be long."
        paras = [PROSE, PROSE_2, third]
        result = clean_blocks(["Headline", *paras, *paras, *paras])
        assert result.blocks == ("Headline", *paras)

    def test_short_repeat_next_to_link_list_removed(self) -> None:
        teasers = ["Minister resigns after budget row", "Storm update"]
        blocks = ["Budget talks", PROSE, PROSE_2, "Budget talks", "Related", *teasers]
        assert clean_blocks(blocks).blocks == ("Budget talks", PROSE, PROSE_2)
        # Without the section next to it, the same repeat is article text.
        blocks = ["Budget talks", PROSE, PROSE_2, "Budget talks"]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_copy_of_removed_teaser_removed(self) -> None:
        teaser = "Minister resigns after budget row"
        section = ["Most read", teaser, "Storm update", "Five things to know"]
        blocks = [PROSE, *section, PROSE_2, "Notes", teaser]
        result = clean_blocks(blocks)
        assert result.blocks == (PROSE, PROSE_2, "Notes")
        assert result.removed[-1] == Removal(7, "repeated_block", teaser)

    def test_earlier_copy_of_teaser_title_kept(self) -> None:
        # The article's own title also listed under "Most read" stays.
        title = "Minister resigns after budget row"
        blocks = [title, PROSE, PROSE_2, "Most read", title, "Storm update"]
        assert clean_blocks(blocks).blocks == (title, PROSE, PROSE_2)

    def test_digits_distinguish_short_blocks(self) -> None:
        blocks = ["Step 1", PROSE, "Step 2", PROSE_2]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_seed_teasers_are_near_repeats(self) -> None:
        lines = split_blocks(load_seed(SEEDS[1]))
        teasers = [b for b in lines if b.startswith("Russian Foreign Minister Lavrov")]
        result = clean_blocks(teasers)
        assert result.blocks == (teasers[0], teasers[1], teasers[5])
        assert {r.reason for r in result.removed} <= {"repeated_block", "repeated_run"}

    def test_normalize(self) -> None:
        assert normalize("  Hello, WORLD!! 2024  “quoted”  ") == "hello world quoted"
        assert normalize("Straße — ５ Tage") == "strasse tage"


class TestCleanBlocks:
    def test_list_field_stays_list_and_untouched(self) -> None:
        blocks = ["  Headline  ", PROSE, "Advertisement", "", PROSE_2]
        result = clean_blocks(blocks)
        assert result.blocks == ("  Headline  ", PROSE, "", PROSE_2)
        assert result.text == "\n".join(result.blocks)

    def test_clean_passes_keywords(self) -> None:
        sigs = compile_signatures([("call_to_action", r"tap here for more")])
        result = clean(f"{PROSE}\nTap here for more", signatures=sigs)
        assert result.blocks == (PROSE,)


class TestSignatures:
    def test_extra_signature_forms(self) -> None:
        sigs = compile_signatures(
            [
                Signature("site_chrome", r"brought to you by [a-z ]{1,40}"),
                {
                    "reason": "disclaimer",
                    "pattern": r"not investment advice",
                    "mode": "search",
                    "max_chars": 1000,
                },
                ("advertisement", r"promoted"),
                ["site_chrome", r"weekend edition"],
                {
                    "reason": "call_to_action",
                    "pattern": r"download our app",
                    "mode": "search",
                    "hints": ["APP"],
                },
            ]
        )
        blocks = [
            PROSE,
            "Brought to you by Acme",
            "Promoted",
            "Weekend Edition",
            "Download our App today",
            PROSE_2 + " Not investment advice.",
        ]
        result = clean_blocks(blocks, signatures=sigs)
        assert result.blocks == (PROSE,)

    @pytest.mark.parametrize(
        "bad",
        [
            ("no_such_reason", "x"),
            ("disclaimer", "(unclosed"),
            ("disclaimer", "(a+)+b"),
            ("disclaimer", "x", "fuzzy"),
            ("disclaimer", "x", "full", "strong"),
            ("disclaimer", "x", "full", "block", 0),
            ("disclaimer", "x", "search", "block", 100, "hint"),
            "just a pattern",
            {"reason": "disclaimer"},
            ["disclaimer", 42],
        ],
    )
    def test_bad_extra_signature(self, bad: object) -> None:
        with pytest.raises(ValueError, match="signature"):
            compile_signatures([bad])

    def test_library_has_no_nested_unbounded_quantifiers(self) -> None:
        for sig in default_signatures():
            assert not _nested_unbounded(sig.pattern), sig.pattern

    @pytest.mark.parametrize(
        ("pattern", "nested"),
        [
            ("(a+)+", True),
            ("(?:ab*)*", True),
            ("(x{2,})+", True),
            ("(a{1,3}){0,2}", False),
            ("[(+]+x", False),
            (r"\(a+\)+", False),
            ("(?:a|b)*", False),
        ],
    )
    def test_nested_quantifier_check(self, pattern: str, nested: bool) -> None:
        assert _nested_unbounded(pattern) is nested

    def test_languages_covered(self) -> None:
        text = " ".join(s.pattern for s in default_signatures())
        samples = {
            "de": "anzeige",
            "fr": "publicité",
            "es": "publicidad",
            "it": "pubblicità",
            "pt": "publicidade",
            "nl": "advertentie",
            "ru": "реклама",
            "ja": "広告",
            "zh": "广告",
            "ko": "광고",
            "ar": "إعلان",
        }
        for word in samples.values():
            assert word in text

    def test_long_blocks_never_match(self) -> None:
        long_block = "Advertisement " * 200
        assert DEFAULT_SIGNATURES.classify(long_block.strip()) is None


# --- multilingual matrix: every boilerplate kind in the twelve languages -----
MULTILINGUAL = json.loads((FIXTURES / "multilingual.json").read_text("utf-8"))
LANGUAGES = {"en", "de", "fr", "es", "it", "pt", "nl", "ru", "ja", "zh", "ko", "ar"}
REMOVE_CASES = [
    (kind, lang, block)
    for kind, cases in MULTILINGUAL["remove"].items()
    for lang, block in cases.items()
]
KEEP_CASES = [
    (kind, lang, block)
    for kind, cases in MULTILINGUAL["keep"].items()
    for lang, block in cases.items()
]


@pytest.mark.parametrize(
    ("reason", "lang", "block"),
    REMOVE_CASES,
    ids=[f"{kind}-{lang}" for kind, lang, _ in REMOVE_CASES],
)
def test_boilerplate_removed_in_language(reason: str, lang: str, block: str) -> None:
    for blocks, index in (
        ([PROSE, block, PROSE_2], 1),
        ([block, PROSE], 0),
        ([PROSE, block], 1),
    ):
        result = clean_blocks(blocks)
        assert result.removed == (Removal(index, reason, block),), lang


@pytest.mark.parametrize(
    ("kind", "lang", "trap"),
    KEEP_CASES,
    ids=[f"{kind}-{lang}" for kind, lang, _ in KEEP_CASES],
)
def test_trap_kept_in_language(kind: str, lang: str, trap: str) -> None:
    for blocks in ([PROSE, trap, PROSE_2], [trap, PROSE], [PROSE, trap]):
        assert clean_blocks(blocks).blocks == tuple(blocks), (kind, lang)


def test_matrix_covers_every_kind_and_language() -> None:
    removed = MULTILINGUAL["remove"]
    assert set(removed) == {
        "disclaimer",
        "copyright",
        "call_to_action",
        "advertisement",
        "cookie_notice",
        "comment_widget",
        "error_banner",
        "link_list",
        "photo_credit",
    }
    for kind, cases in removed.items():
        assert set(cases) == LANGUAGES, kind
    for kind, cases in MULTILINGUAL["keep"].items():
        assert len({lang[:2] for lang in cases}) >= 3, kind


def test_casefold_changing_pattern_rejected() -> None:
    with pytest.raises(ValueError, match="casefolded"):
        compile_signatures([("disclaimer", "haftung für die straße")])
    with pytest.raises(ValueError, match="casefolded"):
        compile_signatures([("call_to_action", "Tap here")])
    compile_signatures([("call_to_action", r"tap\S{0,3} here")])


# --- hostile input: linear regexes, bounded work -----------------------------
TEXT_REGEXES = [
    value
    for module in (text_module, repeats_module)
    for value in vars(module).values()
    if isinstance(value, re.Pattern)
]


@pytest.mark.parametrize("regex", TEXT_REGEXES, ids=lambda r: r.pattern[:30])
def test_text_regexes_have_no_nested_unbounded_quantifiers(
    regex: re.Pattern[str],
) -> None:
    assert not _nested_unbounded(regex.pattern)


NEAR_MATCHES = [
    "the views expressed in this article are those of the ",
    "provides the information as is without warr",
    "© 2024 all rights reser",
    "subscribe to our newsletter and ",
    "advertisement - scroll to continue ",
    "we use cookies to cookie policy ",
    "no comments yet comments (12) ",
    "error! oops! sorry, the page you were looking for does not exi ",
    "read more » related stories: ",
    "most popular | ",
    "by jane doe ",
    "続きを読む関連記事 ",
    "مقالات ذات صلة اقرأ أيضا ",
    "a" * 50 + "!",
    "- " * 30,
]


def test_hostile_input_stays_fast() -> None:
    # A catastrophic-backtracking guard, not a benchmark: linear cleaning of
    # 200k characters per near-match takes well under a second here.
    docs = []
    for phrase in NEAR_MATCHES:
        one_block = (phrase * (200_000 // len(phrase) + 1))[:200_000]
        lines = [phrase * k for k in range(1, 60)]
        many = "\n".join(lines * (200_000 // sum(map(len, lines)) + 1))[:200_000]
        docs.extend((one_block, many))
    start = time.perf_counter()
    for doc in docs:
        result = clean(doc)
        assert len(result.blocks) + len(result.removed) == len(split_blocks(doc))
    assert time.perf_counter() - start < 5.0


# --- idempotence and block integrity ------------------------------------------
POOL = [
    PROSE,
    PROSE_2,
    "A third paragraph with some more words in it, enough to be long.",
    "Photo: AP",
    "Home",
    "World",
    "Q: Why now?",
    "By Jane Doe",
    "Minister resigns after budget row",
    "Storm update",
    "- Storm leaves thousands without power",
    "Related",
    "Most popular",
    "Read more »",
    "Advertisement",
    "Share this article",
    "Sorry!!",
    "Comments",
    "No comments yet",
    "© 2024 Example Media Group. All rights reserved.",
    "World news, World headlines",
    "Eat every 2-3 hours",
    "1 cup oats, 1 cup blueberries, 1 tsp. honey, 8 oz. milk and a banana",
    *(block for _, _, block in REMOVE_CASES[::7]),
    *(block for _, _, block in KEEP_CASES[::5]),
]


@pytest.mark.fuzz
@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(POOL), max_size=40))
def test_clean_is_idempotent_and_keeps_whole_blocks(blocks: list[str]) -> None:
    text = "\n".join(blocks)
    first = clean(text)
    removed = {r.index for r in first.removed}
    assert list(first.blocks) == [b for i, b in enumerate(blocks) if i not in removed]
    assert all(blocks[r.index] == r.text for r in first.removed)
    second = clean(first.text)
    assert second.text == first.text, second.removed


@pytest.mark.parametrize("name", SEEDS)
def test_seed_idempotent_block_integrity(name: str) -> None:
    blocks = split_blocks(load_seed(name))
    result = clean_blocks(blocks)
    removed = {r.index for r in result.removed}
    assert list(result.blocks) == [b for i, b in enumerate(blocks) if i not in removed]
    assert clean(result.text).text == result.text


@pytest.mark.parametrize(
    ("reason", "block"),
    [
        ("comment_widget", "Hinterlasse einen Kommentar Kommentar abbrechen"),
        ("comment_widget", "Leave a Reply Cancel reply"),
        ("comment_widget", "Pingback von Lesezeichen | 11.09.2011 23:31"),
        ("comment_widget", "Kommentare insgesamt: 0"),
        ("site_chrome", "Next post →"),
        ("site_chrome", "Newer Post Older Post Home"),
        ("site_chrome", "Lade weitere Inhalte ..."),
        ("site_chrome", "Impressum & Datenschutz"),
        ("site_chrome", "Theme: Catch Evolution by Catch Themes"),
        (
            "site_chrome",
            "Dieser Eintrag wurde veröffentlicht in Treffen von anna. Permanentlink.",
        ),
        ("site_chrome", "This entry was posted in News. Bookmark the permalink."),
        ("call_to_action", "Wie bewerten Sie diesen Artikel? *"),
        ("call_to_action", "Was this article helpful?"),
        (
            "call_to_action",
            "Mit unserem Newsletter erhalten Sie monatlich Informationen und Angebote!",
        ),
        ("link_list", "Das könnte dich auch interessieren …"),
    ],
)
def test_blog_and_widget_furniture_removed(reason: str, block: str) -> None:
    result = clean_blocks([PROSE, block, PROSE_2])
    assert result.removed == (Removal(1, reason, block),)


@pytest.mark.parametrize(
    "trap",
    [
        "Dieser Beitrag wurde veröffentlicht in Zusammenarbeit mit dem BR.",
        "The next post office will open in March, the council said.",
        "Was this article helpful to the defence? The judge did not say.",
        "Mit unserem Newsletter-Gesetz schützen wir Verbraucher, sagte die Ministerin.",
    ],
)
def test_furniture_traps_kept(trap: str) -> None:
    assert clean_blocks([PROSE, trap, PROSE_2]).blocks == (PROSE, trap, PROSE_2)


# --- fast paths give the same answers as the plain definitions ----------------

_WORDY = st.text(
    alphabet=st.sampled_from(
        list("ab Z9_-.,'\"\t ")
        + list("’‘“”„–—…«»·\u00a0\u2009²µºſKİßﬀé中文日本語한국어٣５")
    ),
    max_size=40,
)


def _reference_classify(signatures: object, block: str) -> object:
    """The first rule matching ``block``, trying every rule in order."""
    from scrapy_newsclean.cleaning._signatures import Signatures, match_form

    assert isinstance(signatures, Signatures)
    form = match_form(block)
    for rule in signatures.rules:
        if len(block) > rule.max_chars * 2:
            continue
        if rule.hints and not any(h in block.casefold() for h in rule.hints):
            continue
        if rule.matches(form):
            return rule
    return None


_PREFILTER_BLOCKS = [
    "",
    "Advertisement",
    "ADVERTISEMENT  ",
    "Share this article",
    "© 2024 Example News. All rights reserved.",
    "Copyright 2023 Example",
    "Most popular",
    "Comments",
    "Sorry!!",
    "Haftungsausschluss:",
    "We use cookies to improve your experience on this site.",
    "The views expressed in this article are those of the author.",
    "Cookie Monster ate the advice column in this informational piece.",
    PROSE,
    PROSE[:59],
    "x" * 59,
    "Related:  “Quoted”   story …",
    "ＡＬＬ ＲＩＧＨＴＳ ＲＥＳＥＲＶＥＤ",
    "無断転載禁止",
    "무단전재 및 재배포 금지",
]


@pytest.mark.parametrize("block", _PREFILTER_BLOCKS)
def test_classify_prefilter_agrees_with_trying_every_rule(block: str) -> None:
    assert DEFAULT_SIGNATURES.classify(block) is _reference_classify(
        DEFAULT_SIGNATURES, block
    )


def test_classify_prefilter_with_groups_flags_and_user_hints() -> None:
    # A backreference cannot join a union: such a tier tries every rule.
    extra = [
        Signature("site_chrome", r"(ab)\1", "full", "block", 10),
        Signature("call_to_action", r"tip us", "search", "block", 100, ("tip",)),
        Signature("advertisement", r"sponsored by \w+", "start", "block", 50),
        Signature("copyright", r"no reuse", "end", "block", 70),
    ]
    signatures = compile_signatures(extra)
    for block in [*_PREFILTER_BLOCKS, "abab", "Please tip us!", "Sponsored by Acme"]:
        for text in (block, f"{block} no reuse."):
            expected = _reference_classify(signatures, text)
            assert signatures.classify(text) is expected
    assert signatures.classify("abab") is not None
    assert signatures.classify("Please tip us now") is not None
    assert signatures.classify("text, no reuse.") is not None


@pytest.mark.fuzz
@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_WORDY, max_size=4).map(" ".join))
def test_classify_prefilter_agrees_on_random_text(block: str) -> None:
    for raw in (block, f"Advertisement {block}", f"{block} all rights reserved"):
        text = raw.strip()
        expected = _reference_classify(DEFAULT_SIGNATURES, text)
        assert DEFAULT_SIGNATURES.classify(text) is expected


@pytest.mark.fuzz
@settings(max_examples=examples(500), deadline=None)
@given(_WORDY)
def test_match_form_from_casefolded_text(block: str) -> None:
    from scrapy_newsclean.cleaning._signatures import _folded_match_form, match_form

    assert _folded_match_form(block, block.casefold()) == match_form(block)


def _reference_sub(text: str, pattern: str) -> str:
    return " ".join(re.sub(pattern, " ", text.casefold()).split())


@pytest.mark.fuzz
@settings(max_examples=examples(500), deadline=None)
@given(_WORDY)
def test_normal_forms_match_their_regex_definitions(block: str) -> None:
    from scrapy_newsclean.cleaning._repeats import BlockForms, short_key, tokens

    assert normalize(block) == _reference_sub(block, r"[\W\d_]+")
    key = _reference_sub(block, r"[\W_]+") or " ".join(block.casefold().split())
    assert short_key(block) == key
    # Shared forms: the normal form derived from the short key, in either order.
    for first in ("short", "norm"):
        forms = BlockForms([block, f"{block} " * 40])
        for i in (0, 1):
            if first == "short":
                forms.short(i)
            assert forms.norm(i) == normalize(forms.blocks[i])
            assert forms.short(i) == short_key(forms.blocks[i])
            assert forms.toks(i) == tokens(normalize(forms.blocks[i]))


def test_curly_punctuation_is_blanked_like_ascii_punctuation() -> None:
    assert normalize("It’s “done” — finally…") == "it s done finally"
    # Latin-1 letters and superscripts are word characters, not punctuation.
    assert normalize("Die Straße² µ ª") == "die strasse² μ ª"
    assert normalize("«Olé» · 5×5 ±") == "olé"


@pytest.mark.parametrize(
    "pattern", [(0, 1, 0, 1, 0), (1, 0, 1, 0, 1), (0, 0, 1, 0, 1, 1)], ids=str
)
def test_idempotent_when_a_record_line_survives_the_first_pass(
    pattern: tuple[int, ...],
) -> None:
    # Found by hypothesis: a long paragraph repeated around a recipe-like line.
    paragraph = next(b for b in POOL if b.startswith("The central bank"))
    record = next(b for b in POOL if b.startswith("1 cup oats"))
    text = "\n".join(paragraph if x == 0 else record for x in pattern)
    first = clean(text)
    assert clean(first.text).text == first.text


# Paragraphs in other languages, for the shape rules (no words are matched).
PROSE_DE = (
    "Der Stadtrat hat am Donnerstag beschlossen, die Buslinien in den östlichen "
    "Vororten ab dem kommenden Frühjahr auch nachts fahren zu lassen, nachdem "
    "die Verkehrsbetriebe neue Fahrer eingestellt haben."
)
PROSE_JA = (
    "市議会は木曜日、東部郊外と中心部を結ぶ深夜バスを来年春から運行することを"
    "決めた。交通局はすでに運転手の採用を始めており、予定通り開業できる見通しだとしている。"
)
PROSE_FR = (
    "Le conseil municipal a décidé jeudi de faire circuler quatre lignes de bus "
    "de nuit entre la banlieue est et le centre à partir du printemps prochain, "
    "selon un communiqué publié après la séance."
)


class TestShortLineRuns:
    """Menus and teaser lists recognised by shape, outside the article's core."""

    @pytest.mark.parametrize(
        ("menu", "prose", "teasers"),
        [
            (
                ["Home", "World", "Business", "Sport", "Culture"],
                [PROSE, PROSE_2],
                [
                    "Storm closes schools across the north",
                    "Why the central bank is in no hurry",
                    "Ten places to eat by the river",
                ],
            ),
            (
                ["Startseite", "Politik", "Wirtschaft", "Kultur"],
                [PROSE_DE],
                [
                    "Neue Radwege für die Innenstadt",
                    "Streik bei der Bahn geht weiter",
                    "Was die Reform für Mieter bedeutet",
                ],
            ),
            (
                ["ホーム", "国内", "国際", "経済", "スポーツ"],
                [PROSE_JA],
                ["台風の進路に警戒", "新駅の開業日決まる", "物価上昇の影響広がる"],
            ),
            (
                ["Accueil", "Monde", "Économie", "Culture"],
                [PROSE_FR],
                [
                    "La grève se poursuit dans les transports",
                    "Ce que change la réforme des retraites",
                    "Les meilleures terrasses de la ville",
                ],
            ),
        ],
        ids=["en", "de", "ja", "fr"],
    )
    def test_menu_before_and_teasers_after_the_article_removed(
        self, menu: list[str], prose: list[str], teasers: list[str]
    ) -> None:
        result = clean_blocks([*menu, *prose, *teasers])
        assert result.blocks == tuple(prose)
        assert {r.reason for r in result.removed} == {"short_line_run"}

    def test_list_inside_the_article_kept(self) -> None:
        steps = ["Preheat the oven", "Whisk the eggs and sugar", "Fold in the flour"]
        blocks = [PROSE, *steps, PROSE_2]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_list_introduced_by_a_colon_kept(self) -> None:
        changes = ["New tasks for the game", "Better Android support", "Bugs fixed"]
        for intro in ("What's new in this version:", "Neu in dieser Version："):
            blocks = [PROSE, intro, *changes]
            assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_colon_before_the_article_heads_a_menu(self) -> None:
        for intro in ("Skip to:", "Springe direkt zu:"):
            menu = [intro, "Content", "Main menu", "Search"]
            result = clean_blocks([*menu, PROSE, PROSE_2])
            assert result.blocks == (intro, PROSE, PROSE_2)

    def test_lines_with_figures_are_not_menu_lines(self) -> None:
        # Specifications and schedules carry figures; menus seldom do.
        specs = ["12MP back camera", "Up to 10 hours of battery life", "802.11ac Wi-Fi"]
        blocks = [PROSE, PROSE_2, *specs]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    @pytest.mark.parametrize(
        "teasers",
        [
            [
                "1 Longtime gunmaker leaving state for Wyoming",
                "2 Teacher realizes dream on a game show",
                "3 Police call disappearance of bar owner suspicious",
            ],
            [
                "5 Dinge, die Sie heute wissen müssen",
                "7 Tipps für den goldenen Herbst",
                "Neue Radwege",
            ],
            [
                "5 кулинарных мифов: правда или ложь",
                "7 простых способов систематизировать рецепты",
                "Кулинарная Европа",
            ],
        ],
        ids=["en-ranked", "de-counts", "ru-counts"],
    )
    def test_ranked_and_counted_teasers_after_the_article_are_menu_lines(
        self, teasers: list[str]
    ) -> None:
        # A numbered "most read" list, listicle headlines: the leading rank or
        # count is no figure of a data row.
        result = clean_blocks([PROSE, PROSE_2, *teasers])
        assert result.blocks == (PROSE, PROSE_2)
        assert {r.reason for r in result.removed} == {"short_line_run"}

    def test_ranked_lines_are_data_above_the_article_or_short(self) -> None:
        # Above the method, "1 onion, chopped" is an ingredient list; after
        # the article, a two-word ranked line is no headline.
        ingredients = ["1 onion, chopped", "2 garlic cloves", "1 tbsp olive oil"]
        blocks = ["Ingredients", *ingredients, PROSE, PROSE_2]
        assert clean_blocks(blocks).blocks == tuple(blocks)
        blocks = [PROSE, PROSE_2, "1 red onion", "2 ripe tomatoes", "3 Notes"]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_figures_after_a_rank_are_data(self) -> None:
        steps = ["1. Heat the oven to 180 C", "2 Bake for 25 minutes", "3) Rest 10 min"]
        blocks = [PROSE, PROSE_2, *steps]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_statements_are_not_menu_lines(self) -> None:
        closing = ["Thanks, Junior!", "See you next week.", "Bis bald!"]
        blocks = [PROSE, PROSE_2, *closing]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_two_lines_are_not_a_run(self) -> None:
        blocks = ["Night buses", "By Jane Doe", PROSE, "Transport", "Night buses"]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_headline_just_above_the_article_kept(self) -> None:
        menu = ["Home", "World", "Business"]
        title = "Night buses will link the suburbs from next spring"
        result = clean_blocks([*menu, title, PROSE, PROSE_2])
        assert result.blocks == (title, PROSE, PROSE_2)

    def test_headline_and_byline_above_the_article_kept(self) -> None:
        menu = ["Home", "World", "Business"]
        top = ["Judge rules archive use was not fair", "By Hannah Reyes, legal affairs"]
        result = clean_blocks([*menu, *top, PROSE, PROSE_2])
        assert result.blocks == (*top, PROSE, PROSE_2)

    def test_no_paragraph_no_core_nothing_removed(self) -> None:
        # A listing page or a short item: no article to measure a run against.
        blocks = ["Home", "World", "Business", "Sport", "Weather today"]
        assert clean_blocks(blocks).blocks == tuple(blocks)

    def test_core_is_the_densest_prose_stretch(self) -> None:
        # Prose after a long menu (a footer's legal line) does not pull the
        # menu into the article: the menu costs more than that line adds.
        menu = [f"Section {c}" for c in "ABCDEFGHIJKLMNOPQRST"]
        menu = [m.replace("Section", "Topic") for m in menu]
        legal = (
            "Registration on or use of this site constitutes acceptance of our "
            "user agreement and privacy policy, which apply to all content."
        )
        result = clean_blocks([PROSE, PROSE_2, *menu, legal])
        assert result.blocks == (PROSE, PROSE_2, legal)

# ruff: noqa: RUF001  (multilingual test data)
"""Red-team regression tests: pages and texts written to probe generalisation.

The inputs under ``fixtures/redteam`` are new, realistic pages and article
texts in eleven languages whose real text discusses the trap topics (copyright
cases, captcha farms, "404" outages, cookie law, comment moderation, Cloudflare
outages, "access denied" messages, liveblogs and results tables), next to real
error, challenge and login-wall pages. Real articles must never be dropped and
real paragraphs never deleted; known remaining misses are strict xfails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scrapy_newsclean.cleaning._blocks import clean, clean_blocks
from scrapy_newsclean.errorpages._classify import classify, page_signals

ROOT = Path(__file__).parent / "fixtures" / "redteam"
URL = "https://news.example/2024/05/14/some-story-slug.html"
HEADERS = {"content-type": "text/html; charset=utf-8"}

ARTICLES = sorted(p.stem for p in (ROOT / "articles").glob("*.html"))
CLEAN_CASES = sorted(p.stem for p in (ROOT / "clean").glob("*.txt"))

# Error, challenge and login-wall pages, all served with status 200.
ERRORS = {
    "akamai_access_denied_es": "challenge_akamai",
    "akamai_bm_interstitial": "challenge_akamai",
    "cf_1020_access_denied": "challenge_cloudflare",
    "cf_managed_de": "challenge_cloudflare",
    "cf_managed_ja": "challenge_cloudflare",
    "cf_managed_tr": "challenge_cloudflare",
    "datadome_fr": "challenge_datadome",
    "de_artikel_nicht_gefunden": "soft_404",
    "de_seite_konnte_nicht_gefunden_werden": "soft_404",
    "en_login_paywall": "login_wall",
    "en_soft404_branded": "soft_404",
    "en_soft404_sitename_title": "soft_404",
    "es_noticia_no_encontrada": "soft_404",
    "es_pagina_no_encontrada": "soft_404",
    "fr_page_introuvable": "soft_404",
    "imperva_iframe_it": "challenge_imperva",
    "it_503_served_200": "server_error",
    "it_pagina_non_trovata": "soft_404",
    "ja_kiji_not_found": "soft_404",
    "ja_page_not_found": "soft_404",
    "nl_pagina_niet_gevonden": "soft_404",
    "perimeterx_press_hold": "challenge_perimeterx",
    "pl_login_zaloguj": "login_wall",
    "pl_nie_znaleziono_strony": "soft_404",
    "pt_artigo_nao_encontrado": "soft_404",
    "ru_login_vkhod": "login_wall",
    "ru_novost_ne_naidena": "soft_404",
    "ru_stranitsa_ne_naidena": "soft_404",
    "tr_haber_bulunamadi": "soft_404",
    "tr_login_giris": "login_wall",
    "tr_sayfa_bulunamadi": "soft_404",
    "zh_page_not_exist": "soft_404",
}

_PUBLISHED = re.compile(r'<meta property="article:published_time"[^>]*>')
_KICKER = (
    "title '<error phrase> – <headline>' on a short page that declares no "
    "publication date: nothing general tells it from a branded error page"
)
# Articles still dropped once their publication date is removed.
UNDATED_DROPPED = {
    "de_zugriff_verweigert": _KICKER,
    "en_captcha_farms_short": _KICKER,
    "en_forbidden_theatre_review": "a short review titled 'Forbidden – review'",
    "fr_acces_refuse": _KICKER,
    "nl_not_a_robot_review": 'a short review titled "I\'m Not a Robot – recensie"',
}

# Clean cases: real structural lines (subheads, bylines, menu rows) removed.
STRUCTURE_LOST = {
    "de_cookie_urteil": "subhead 'Datenschutz' is a site_chrome label",
    "de_seite_nicht_gefunden": "subhead 'Seite nicht gefunden: ...' is an error banner",
    "en_liveblog_election": "repeated entry author before the first 30-word paragraph",
    "en_more_from_liveblog": "subhead 'More from the hearing' starts a link-list section",
    "en_newsletter_business": "subhead 'The rise of the paid newsletter' is a CTA",
    "it_menu_settimana": "a day's menu repeating another day's (two lines) is a copy",
}
# Clean cases: boilerplate left in.
BOILERPLATE_LEFT = {
    "en_recipe": "'Pin it' (a rule for it would drop share-bar text that one "
    "benchmark ground truth keeps)",
}


def page_bytes(kind: str, name: str) -> bytes:
    return (ROOT / kind / f"{name}.html").read_bytes()


def labelled(name: str) -> list[tuple[str, str]]:
    """``(label, block)`` pairs: K real paragraph, S real structural line,
    B boilerplate, ? not asserted."""
    lines = (ROOT / "clean" / f"{name}.txt").read_text("utf-8").splitlines()
    return [(line[0], line[2:]) for line in lines if line.strip()]


def cases(names: list[str], known: dict[str, str]) -> list[object]:
    return [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=known[n]))
        if n in known
        else n
        for n in names
    ]


# --- error-page classifier ----------------------------------------------------


def test_fixture_sets_are_complete() -> None:
    errors = sorted(p.stem for p in (ROOT / "errors").glob("*.html"))
    assert errors == sorted(ERRORS)
    assert len(ARTICLES) >= 40
    assert len(CLEAN_CASES) >= 40
    assert set(UNDATED_DROPPED) <= set(ARTICLES)
    assert set(STRUCTURE_LOST) | set(BOILERPLATE_LEFT) <= set(CLEAN_CASES)


@pytest.mark.parametrize("name", ARTICLES)
def test_article_page_is_kept(name: str) -> None:
    body = page_bytes("articles", name)
    assert classify(status=200, url=URL, headers=HEADERS, body=body) is None


@pytest.mark.parametrize(
    "name", cases([n for n in ARTICLES if n.startswith("en_")], {})
)
def test_article_page_is_kept_as_text(name: str) -> None:
    body = page_bytes("articles", name).decode("utf-8")
    assert classify(status=200, url=URL, body=body) is None


DATED = [n for n in ARTICLES if _PUBLISHED.search(page_bytes("articles", n).decode())]


@pytest.mark.parametrize("name", cases(DATED, UNDATED_DROPPED))
def test_article_page_without_publication_date_is_kept(name: str) -> None:
    body = _PUBLISHED.sub("", page_bytes("articles", name).decode("utf-8"))
    assert classify(status=200, url=URL, headers=HEADERS, body=body) is None


@pytest.mark.parametrize(("name", "reason"), sorted(ERRORS.items()))
def test_error_page_is_flagged(name: str, reason: str) -> None:
    verdict = classify(
        status=200, url=URL, headers=HEADERS, body=page_bytes("errors", name)
    )
    assert verdict is not None
    assert verdict.reason == reason, verdict.detail


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("cf_managed_de", 503),
        ("cf_managed_ja", 403),
        ("datadome_fr", 403),
        ("perimeterx_press_hold", 403),
    ],
)
def test_challenge_served_with_error_status_is_retryable(
    name: str, status: int
) -> None:
    verdict = classify(status=status, url=URL, body=page_bytes("errors", name))
    assert verdict is not None
    assert verdict.reason == ERRORS[name]
    assert verdict.challenge


def test_quoted_error_phrase_in_a_title_is_not_a_hit() -> None:
    signals = page_signals(body=page_bytes("articles", "es_pagina_no_encontrada_expo"))
    assert not [hit for hit in signals.hits if hit[1] in {"title", "h1", "lead"}]


def test_publication_date_vetoes_title_hits_only_on_article_types() -> None:
    soft404 = page_bytes("errors", "en_soft404_branded").decode("utf-8")
    # WordPress gives every page a WebPage with a datePublished: not an article.
    webpage = (
        '<script type="application/ld+json">{"@type":"WebPage",'
        '"datePublished":"2021-06-09T13:10:05+00:00"}</script></head>'
    )
    page = soft404.replace("</head>", webpage, 1)
    verdict = classify(status=200, url=URL, body=page)
    assert verdict is not None
    assert verdict.reason == "soft_404"
    news = webpage.replace("WebPage", "NewsArticle")
    signals = page_signals(body=soft404.replace("</head>", news, 1))
    assert signals.published
    assert (
        classify(status=200, url=URL, body=soft404.replace("</head>", news, 1)) is None
    )


def test_vendor_markup_still_decides_on_a_dated_page() -> None:
    body = page_bytes("errors", "cf_managed_de").decode("utf-8")
    dated = body.replace(
        "<head>",
        '<head><meta property="article:published_time" content="2024-05-14">',
        1,
    )
    verdict = classify(status=200, url=URL, body=dated)
    assert verdict is not None
    assert verdict.reason == "challenge_cloudflare"


# --- text cleaning --------------------------------------------------------------


@pytest.mark.parametrize("name", CLEAN_CASES)
def test_real_paragraphs_kept_verbatim(name: str) -> None:
    pairs = labelled(name)
    result = clean_blocks([block for _, block in pairs])
    gone = {r.index: r.reason for r in result.removed}
    lost = [
        (gone[i], b) for i, (label, b) in enumerate(pairs) if label == "K" and i in gone
    ]
    assert not lost
    kept = [b for i, (_, b) in enumerate(pairs) if i not in gone]
    assert list(result.blocks) == kept


@pytest.mark.parametrize("name", cases(CLEAN_CASES, STRUCTURE_LOST))
def test_real_structural_lines_kept(name: str) -> None:
    pairs = labelled(name)
    result = clean_blocks([block for _, block in pairs])
    gone = {r.index: r.reason for r in result.removed}
    assert not [
        (gone[i], b) for i, (lab, b) in enumerate(pairs) if lab == "S" and i in gone
    ]


@pytest.mark.parametrize("name", cases(CLEAN_CASES, BOILERPLATE_LEFT))
def test_boilerplate_removed(name: str) -> None:
    pairs = labelled(name)
    result = clean_blocks([block for _, block in pairs])
    gone = {r.index for r in result.removed}
    assert not [b for i, (lab, b) in enumerate(pairs) if lab == "B" and i not in gone]


@pytest.mark.parametrize("name", CLEAN_CASES)
def test_cleaning_is_idempotent(name: str) -> None:
    text = "\n".join(block for _, block in labelled(name))
    once = clean(text).text
    assert clean(once).text == once


# A trap sentence next to the boilerplate its words resemble.
TRAP_PAIRS = [
    (
        "Users who click accept all cookies are tracked by up to 300 partners.",
        "Accept all cookies",
    ),
    (
        "Several publishers changed their cookie policy within hours.",
        (
            "By viewing this site you agree to our Terms and Conditions, Privacy "
            "Policy and Cookie Policy."
        ),
    ),
    (
        (
            "„Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten“, stand "
            "auf dem Banner."
        ),
        (
            "Datenschutz & Cookies: Diese Website verwendet Cookies. Wenn du die "
            "Website weiterhin nutzt, stimmst du der Verwendung von Cookies zu."
        ),
    ),
    (
        "The judge noted that a tweet does not constitute legal advice.",
        "This article does not constitute investment advice.",
    ),
    (
        (
            "Regulators said the information in this case does not constitute "
            "legal advice, the court found."
        ),
        "The information in this release does not constitute investment advice.",
    ),
    (
        (
            "Das Gericht stellte fest, dass die Plattform keine Haftung für die "
            "Richtigkeit der Bewertungen übernimmt."
        ),
        "Für die Richtigkeit der Angaben übernehmen wir keine Gewähr.",
    ),
    (
        "Le opinioni espresse sono state molto diverse, ha spiegato il presidente.",
        "Le opinioni espresse in questo articolo sono esclusivamente dell'autore.",
    ),
    (
        "De meningen die geuit werden tijdens de hoorzitting liepen uiteen.",
        "De in dit artikel geuite meningen zijn die van de auteur.",
    ),
    (
        "Yet many publishers still end their pages with all rights reserved.",
        "Example Media Group, Inc. All rights reserved.",
    ),
    (
        "По словам адвоката, в этом случае все права защищены.",
        "ООО «Медиа». Все права защищены.",
    ),
    (
        "判决书指出，根据双方此前签订的协议，未经许可不得转载。",
        "未经授权，不得转载。",
    ),
    ("ページが見つかりませんとの表示は約3時間続いた。", "ページが見つかりません"),
    (
        (
            "Przy 40 proc. przeliczonych głosów prowadzi kandydat koalicji z wynikiem "
            "48 proc."
        ),
        "Wszelkie prawa zastrzeżone.",
    ),
]


@pytest.mark.parametrize(
    ("trap", "boilerplate"),
    TRAP_PAIRS,
    ids=[f"pair{i}" for i in range(len(TRAP_PAIRS))],
)
def test_trap_kept_next_to_its_boilerplate(trap: str, boilerplate: str) -> None:
    prose = (
        "The regulator published its decision on Tuesday after a two-year "
        "investigation into how the country's largest websites ask for consent, "
        "and said it would start checking compliance in the autumn."
    )
    result = clean_blocks([prose, trap, boilerplate])
    assert result.blocks == (prose, trap)


def test_updated_count_in_a_liveblog_is_kept_but_a_copy_goes() -> None:
    first = "With 45% of precincts reporting, the incumbent leads with 52% of the vote."
    update = (
        "With 78% of precincts reporting, the incumbent leads with 51% of the vote."
    )
    assert clean_blocks([first, update]).blocks == (first, update)
    assert clean_blocks([first, first]).blocks == (first,)

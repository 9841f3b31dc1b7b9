# ruff: noqa: RUF001  (multilingual test data)
"""Tests for page evidence (scrapy_newsclean.cleaning._page_evidence)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html
from scrapy.http import HtmlResponse

from scrapy_newsclean.cleaning import (
    BlockEvidence,
    PageEvidence,
    clean_blocks,
    page_evidence,
    page_evidence_from_html,
)
from scrapy_newsclean.cleaning._page_evidence import _token_reason, block_key
from tests.spiders import lazy_lines

FIXTURES = Path(__file__).parent / "fixtures" / "page_evidence"

EN_PARAGRAPHS = [
    (
        "The city council voted on Tuesday to extend the night bus network to the "
        "eastern suburbs, ending a two-year dispute over who would pay for it."
    ),
    (
        "Under the plan, four new routes will run every twenty minutes between "
        "midnight and five in the morning, starting in the spring of next year."
    ),
    (
        "Opposition members said the budget did not account for the cost of hiring "
        "drivers, and asked for an independent review before the contracts are signed."
    ),
    (
        "The transport authority said it had already begun recruiting and expected "
        "the first routes to open on schedule, pending a final vote in March."
    ),
]
STANDFIRST = (
    "Four new overnight routes will link the eastern suburbs with the centre "
    "from next spring."
)


def _evidence(markup: str) -> PageEvidence:
    return page_evidence(lxml_html.document_fromstring(markup))


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def _verdict(evidence: PageEvidence, text: str) -> tuple[str, str | None]:
    judged = evidence.judge(text)
    assert judged is not None, text
    return judged.verdict, judged.reason


# A page-wide wrapper with a "sidebar" class, a standfirst in the article's
# own <header>, a share bar inside the article, a related list in an <aside>.
EN_PAGE = f"""<html><head><title>Night buses</title></head>
<body class="page sidebar-layout">
<div id="wrapper" class="widget-area">
<header class="site-header"><p>The Daily Example</p>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<ul class="topics"><li><a href="/t/city">City</a></li><li><a href="/t/transport">Transport</a></li></ul>
</header>
<article class="post-7 post type-post tag-share-prices tag-comments hentry">
<header><h1>Night buses for the east</h1><p class="standfirst">{STANDFIRST}</p>
<p class="byline">By Jane Doe</p></header>
<div class="entry-content">{_paragraphs(EN_PARAGRAPHS)}
<h2 id="sharing-with-your-family-is-now-possible">Sharing with your family</h2>
<p>Tickets can be shared between members of one household, the authority said, and a
family pass will be sold from March at the same price as two adult tickets.</p>
<div class="shareBar"><ul><li><a href="#">Facebook</a></li><li><a href="#">Email</a></li></ul></div>
<figure><img src="bus.jpg"><figcaption>A night bus in the depot.</figcaption></figure>
</div>
</article>
<aside><h3>Most read</h3><ul>
<li><a href="/a">Council approves new cycle lanes</a></li>
<li><a href="/b">Heatwave expected this weekend</a></li>
<li><a href="/c">The transport authority said it had already begun recruiting and
expected the first routes to open on schedule, pending a final vote in March.</a></li>
</ul></aside>
<footer><p>© 2024 The Daily Example. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy</a></li></ul></footer>
</div></body></html>"""


class TestEnglishPage:
    evidence = _evidence(EN_PAGE)

    def test_main_container_found(self) -> None:
        assert self.evidence.main_found

    @pytest.mark.parametrize("text", EN_PARAGRAPHS, ids=range(len(EN_PARAGRAPHS)))
    def test_article_paragraphs_kept_despite_page_wide_wrappers(
        self, text: str
    ) -> None:
        judged = self.evidence.judge(text)
        assert judged == BlockEvidence("keep", None, True, 0.0)

    def test_standfirst_in_article_header_is_not_removed(self) -> None:
        assert self.evidence.judge(STANDFIRST) is not None
        assert _verdict(self.evidence, STANDFIRST)[0] != "remove"

    def test_heading_slug_id_is_no_evidence(self) -> None:
        text = "Tickets can be shared between members of one household"
        assert not any(
            key.startswith(block_key(text)) and ev.verdict == "remove"
            for key, ev in self.evidence.blocks.items()
        )
        assert _verdict(self.evidence, "Sharing with your family")[0] != "remove"

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("Facebook", "page_share"),
            ("Email", "page_share"),
            ("A night bus in the depot.", "page_caption"),
            ("By Jane Doe", "page_byline"),
            ("Home", "page_nav"),
            ("City", "page_header"),
            ("The Daily Example", "page_header"),
            ("Council approves new cycle lanes", "page_aside"),
            ("© 2024 The Daily Example. All rights reserved.", "page_footer"),
            ("Privacy", "page_footer"),
        ],
        ids=lambda v: v[:20],
    )
    def test_boilerplate_removed_with_its_evidence(
        self, text: str, reason: str
    ) -> None:
        assert _verdict(self.evidence, text) == ("remove", reason)

    def test_same_text_in_main_and_sidebar_is_kept(self) -> None:
        assert _verdict(self.evidence, EN_PARAGRAPHS[3]) == ("keep", None)

    def test_whitespace_is_ignored(self) -> None:
        spaced = "  The city council voted on Tuesday\n to extend  the night bus "
        spaced += EN_PARAGRAPHS[0].removeprefix(
            "The city council voted on Tuesday to extend the night bus "
        )
        assert self.evidence.judge(spaced) == self.evidence.judge(EN_PARAGRAPHS[0])

    def test_unknown_block_is_none(self) -> None:
        assert self.evidence.judge("A line the spider wrote itself") is None
        assert self.evidence.judge(EN_PARAGRAPHS[0] + " " + EN_PARAGRAPHS[1]) is None


DE_PARAGRAPHS = [
    (
        "Der Gemeinderat hat am Dienstag beschlossen, das Nachtbusnetz bis in die "
        "östlichen Vororte zu verlängern, und damit einen langen Streit beendet."
    ),
    (
        "Nach dem Plan fahren vier neue Linien alle zwanzig Minuten zwischen "
        "Mitternacht und fünf Uhr morgens, erstmals im Frühjahr des nächsten Jahres."
    ),
    (
        "Die Opposition kritisierte, dass die Kosten für zusätzliche Fahrerinnen und "
        "Fahrer im Haushalt fehlen, und verlangte eine unabhängige Prüfung."
    ),
]

# ASP.NET wraps the whole page in one <form>; a newsletter box with a
# camelCase class; a comment list marked only by its id.
DE_PAGE = f"""<html><body><form id="aspnetForm" method="post" action="./artikel.aspx">
<div id="navigation"><ul><li><a href="/">Startseite</a></li><li><a href="/lokal">Lokales</a></li></ul></div>
<div id="inhalt"><h1>Nachtbusse für den Osten</h1>
<div class="artikelText">{_paragraphs(DE_PARAGRAPHS)}</div>
<div class="newsletterBox"><p>Jetzt den Newsletter abonnieren und nichts verpassen!</p></div>
<div id="kommentare"><p>Endlich! Darauf warten wir seit Jahren in Marzahn.</p></div>
</div></form></body></html>"""


class TestAspNetPage:
    evidence = _evidence(DE_PAGE)

    @pytest.mark.parametrize("text", DE_PARAGRAPHS, ids=range(len(DE_PARAGRAPHS)))
    def test_form_around_the_whole_page_is_ignored(self, text: str) -> None:
        assert _verdict(self.evidence, text) == ("keep", None)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            (
                "Jetzt den Newsletter abonnieren und nichts verpassen!",
                "page_newsletter",
            ),
            ("Endlich! Darauf warten wir seit Jahren in Marzahn.", "page_comments"),
            ("Startseite", "page_nav"),
        ],
        ids=["newsletter", "kommentare", "navigation"],
    )
    def test_camel_case_and_german_tokens(self, text: str, reason: str) -> None:
        assert _verdict(self.evidence, text) == ("remove", reason)


FR_PARAGRAPHS = [
    (
        "Le conseil municipal a voté mardi le prolongement du réseau de bus de nuit "
        "vers les quartiers est, mettant fin à deux ans de désaccord sur son coût."
    ),
    (
        "Quatre nouvelles lignes circuleront toutes les vingt minutes entre minuit et "
        "cinq heures du matin, à partir du printemps prochain selon la régie."
    ),
    (
        "L'opposition estime que le budget ne prévoit pas le recrutement de nouveaux "
        "conducteurs et demande un audit indépendant avant la signature des contrats."
    ),
    (
        "La régie affirme avoir déjà lancé les embauches et prévoit l'ouverture des "
        "premières lignes dans les délais, sous réserve d'un dernier vote en mars."
    ),
    (
        "Les associations d'usagers saluent une mesure attendue depuis longtemps par "
        "les travailleurs de nuit, les étudiants et le personnel des hôpitaux."
    ),
]
FR_TEASER = (
    "Le nouveau tramway sera inauguré en juin après trois ans de travaux dans le "
    "centre-ville."
)
FR_COMMENT = (
    "Très bonne nouvelle pour ceux qui travaillent de nuit, mais il faudra voir si "
    "les horaires seront vraiment respectés, comme toujours avec cette régie."
)
# No <article> around the story, a teaser <article> in a side column, and a
# comment section marked by nothing but its place after the story.
FR_PAGE = f"""<html><body><div class="page">
<div class="colonne-principale"><h1>Bus de nuit</h1>
<div class="texte">{_paragraphs(FR_PARAGRAPHS)}</div></div>
<div class="colonne-droite"><article><h3><a href="/tram">Tramway</a></h3>
<p>{FR_TEASER}</p></article></div>
<div class="reactions-lecteurs"><h3>Vos réactions</h3>
<p>{FR_COMMENT}</p><p>Enfin !</p></div>
</div></body></html>"""


class TestTeaserArticleAndUnmarkedComments:
    evidence = _evidence(FR_PAGE)

    @pytest.mark.parametrize("text", FR_PARAGRAPHS, ids=range(len(FR_PARAGRAPHS)))
    def test_story_without_article_tag_is_main(self, text: str) -> None:
        assert _verdict(self.evidence, text) == ("keep", None)

    def test_teaser_article_is_not_the_main_container(self) -> None:
        judged = self.evidence.judge(FR_TEASER)
        assert judged is not None
        assert not judged.in_main
        assert judged.verdict != "keep"

    def test_unmarked_comments_are_never_protected(self) -> None:
        assert _verdict(self.evidence, FR_COMMENT)[0] == "neutral"
        assert _verdict(self.evidence, "Enfin !") == ("remove", "page_outside_main")


ES_PAGE = """<html><body>
<main><article><div itemprop="articleBody">{paras}</div>
<div class="noticias-relacionadas"><ul>
<li><a href="/1">El metro amplía su horario los fines de semana</a></li></ul></div>
<div class="compartir"><a href="#">Compartir</a></div>
</article></main></body></html>""".format(
    paras=_paragraphs(
        [
            (
                "El ayuntamiento aprobó el martes la ampliación de la red de autobuses "
                "nocturnos hacia los barrios del este de la ciudad tras dos años."
            ),
            (
                "Las cuatro nuevas líneas circularán cada veinte minutos entre la "
                "medianoche y las cinco de la mañana a partir de la próxima primavera."
            ),
            (
                "La oposición pidió una auditoría independiente antes de firmar los "
                "contratos, porque el presupuesto no incluye la contratación de conductores."
            ),
            (
                "La empresa de transportes asegura que ya ha empezado a contratar y que "
                "las primeras líneas abrirán a tiempo si el pleno lo aprueba en marzo."
            ),
        ]
    )
)


# A post wrapper whose title, standfirst and source note sit before its
# <article> (the article region); a menu and a teaser outside the wrapper.
HEAD_PAGE = f"""<html><body>
<div class="strip"><p>Morning briefing</p><p>Weather in the city</p></div>
<div class="post" id="2020/01/10/night-buses">
<h1>Night buses for the east</h1>
<section class="source"><p>This post originally appeared on the Example Courier.</p></section>
<p>{STANDFIRST}</p>
<article>{_paragraphs(EN_PARAGRAPHS)}</article>
<p>Filed under the night bus network</p>
</div>
<div class="more-links"><p>Rents rise again in the old town</p></div>
</body></html>"""


class TestArticleHead:
    """Short blocks just before the article region are its head: the text
    rules judge them; short blocks elsewhere outside the region still go."""

    evidence = _evidence(HEAD_PAGE)

    def test_head_blocks_are_left_to_the_text_rules(self) -> None:
        assert self.evidence.main_found
        note = "This post originally appeared on the Example Courier."
        assert _verdict(self.evidence, note) == ("neutral", None)
        assert _verdict(self.evidence, STANDFIRST)[0] != "remove"

    def test_blocks_after_the_article_or_outside_the_wrapper_go(self) -> None:
        for text in ("Filed under the night bus network", "Morning briefing"):
            assert _verdict(self.evidence, text) == ("remove", "page_outside_main")
        assert _verdict(self.evidence, "Rents rise again in the old town")[0] == (
            "remove"
        )


def test_spanish_related_list_inside_the_article_is_removed() -> None:
    evidence = _evidence(ES_PAGE)
    assert evidence.main_found
    assert _verdict(evidence, "El metro amplía su horario los fines de semana") == (
        "remove",
        "page_related",
    )


IT_PARAGRAPHS = [
    (
        "Il consiglio comunale ha approvato martedì il prolungamento della rete di "
        "autobus notturni verso i quartieri orientali, dopo due anni di discussioni."
    ),
    (
        "Secondo il piano, quattro nuove linee passeranno ogni venti minuti tra la "
        "mezzanotte e le cinque del mattino, a partire dalla prossima primavera."
    ),
    (
        "L'opposizione sostiene che il bilancio non preveda l'assunzione di nuovi "
        "autisti e chiede una verifica indipendente prima della firma dei contratti."
    ),
]
IT_LONG_CAPTION = (
    "Un autobus notturno in partenza dal deposito di via Tiburtina: le nuove linee "
    "collegheranno la periferia est con il centro storico."
)
IT_ASIDE_QUOTE = (
    "«Aspettavamo questo servizio da anni, ora chi lavora di notte potrà tornare a "
    "casa senza prendere un taxi», ha detto la portavoce dei pendolari."
)
IT_TEASER = "Metro C, la nuova stazione Colosseo apre a dicembre: orari e percorsi"
# Weak evidence inside the article: a long caption and a pull quote in an
# <aside> are article text; a credit and a link-heavy teaser box are not.
IT_PAGE = f"""<html><body><article><h1>Bus notturni</h1>
<div class="testo">{_paragraphs(IT_PARAGRAPHS)}
<figure><img src="bus.jpg"><figcaption>{IT_LONG_CAPTION}</figcaption></figure>
<figure><img src="bus2.jpg"><figcaption>© ANSA / MARCO ROSSI</figcaption></figure>
<aside><p>{IT_ASIDE_QUOTE}</p></aside>
<aside><p><a href="/metro-c">{IT_TEASER}</a> e altre notizie
<a href="/roma">dalla città</a></p></aside>
{_paragraphs(IT_PARAGRAPHS[:1])}</div></article></body></html>"""


class TestWeakEvidenceInsideTheArticle:
    evidence = _evidence(IT_PAGE)

    @pytest.mark.parametrize(
        "text", [IT_LONG_CAPTION, IT_ASIDE_QUOTE], ids=["caption", "pull-quote"]
    )
    def test_prose_length_block_is_not_removed(self, text: str) -> None:
        assert self.evidence.main_found
        assert _verdict(self.evidence, text)[0] != "remove"

    def test_short_credit_is_removed(self) -> None:
        assert _verdict(self.evidence, "© ANSA / MARCO ROSSI") == (
            "remove",
            "page_caption",
        )

    def test_link_heavy_aside_is_removed(self) -> None:
        text = f"{IT_TEASER} e altre notizie dalla città"
        judged = self.evidence.judge(text)
        assert judged is not None
        assert (judged.verdict, judged.reason) == ("remove", "page_aside")
        assert judged.link_density is not None
        assert judged.link_density > 0.5


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("post-7 post type-post tag-share-prices tag-comments hentry", None),
        ("category-newsletter status-publish", None),
        ("shareBar", "page_share"),
        ("social-icons", "page_share"),
        ("sharing-with-your-family-is-now-possible", None),
        ("ad", "page_promo"),
        ("address", None),
        ("header-ad-slot", "page_promo"),
        ("load", None),
        ("subscription-box", "page_newsletter"),
        ("relatedArticles", "page_related"),
        ("breadcrumbs", "page_breadcrumb"),
        ("entry-content", None),
        ("article-body", None),
        ("kommentarListe", "page_comments"),
        ("tags", "page_tags"),
        ("tag-cloud", None),
    ],
    ids=str,
)
def test_class_tokens(value: str, reason: str | None) -> None:
    assert _token_reason(value) == reason


def test_no_paragraphs_no_main_and_nothing_protected() -> None:
    evidence = _evidence(
        "<html><body><ul><li><a href='/x'>Get it on Amazon for $39.99</a></li>"
        "<li><a href='/y'>Get it at Walmart for $238.99</a></li></ul></body></html>"
    )
    assert not evidence.main_found
    assert _verdict(evidence, "Get it on Amazon for $39.99") == ("neutral", None)


def test_japanese_page() -> None:
    paras = [
        (
            "市議会は火曜日、夜間バス路線を東部郊外まで延長する計画を可決した。"
            "費用負担をめぐる二年間の対立に終止符が打たれた形だ。"
        ),
        (
            "計画では、新たな四つの路線が来年春から深夜零時から午前五時まで"
            "二十分間隔で運行される。運営当局はすでに運転手の採用を始めている。"
        ),
        (
            "野党は予算に人件費が含まれていないと指摘し、契約締結の前に"
            "独立した監査を行うよう求めた。最終的な採決は三月に行われる予定だ。"
        ),
        (
            "利用者団体は、夜勤の労働者や学生、病院の職員が長年待ち望んできた措置だと"
            "歓迎している。一方で、運行時刻が守られるかどうかを注視するとしている。"
        ),
        (
            "運営当局によると、新路線の停留所には照明と防犯カメラが設置される。"
            "乗車券は既存の定期券でも利用でき、追加料金はかからないという。"
        ),
        (
            "市長は記者会見で、夜間の移動手段の確保は都市の競争力にも関わると述べ、"
            "将来的には北部と南部への拡大も検討する考えを示した。"
        ),
    ]
    evidence = _evidence(
        f"<html><body><div class='kiji-honbun'>{_paragraphs(paras)}</div>"
        "<div class='kanren-kiji related'><ul><li>関連記事：駅前の再開発が始動</li>"
        "</ul></div></body></html>"
    )
    assert [_verdict(evidence, p) for p in paras] == [("keep", None)] * len(paras)
    assert _verdict(evidence, "関連記事：駅前の再開発が始動") == (
        "remove",
        "page_related",
    )


def test_from_html_bytes_and_str_agree() -> None:
    from_str = page_evidence_from_html(EN_PAGE)
    from_bytes = page_evidence_from_html(EN_PAGE.encode())
    assert from_str == from_bytes
    assert from_str == page_evidence(lxml_html.document_fromstring(EN_PAGE))


@pytest.mark.parametrize("body", ["", b"", b"   \n"], ids=["str", "bytes", "blank"])
def test_from_html_empty(body: str | bytes) -> None:
    evidence = page_evidence_from_html(body)
    assert len(evidence) == 0
    assert not evidence.main_found
    assert evidence.judge("anything") is None


def test_model_is_immutable() -> None:
    evidence = _evidence(EN_PAGE)
    with pytest.raises(TypeError):
        evidence.blocks["x"] = BlockEvidence("keep", None, True, 0.0)  # type: ignore[index]


def test_pure_core_imports_no_scrapy() -> None:
    code = (
        "import sys, scrapy_newsclean.cleaning._page_evidence; "
        "assert 'scrapy' not in sys.modules and 'twisted' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _lazy(url: str, name: str) -> tuple[list[str], PageEvidence]:
    """A lazy spider's lines and the evidence, both from Scrapy's own tree."""
    body = gzip.decompress((FIXTURES / name).read_bytes())
    response = HtmlResponse(url, body=body)
    return lazy_lines(response), page_evidence(response.selector.root)


class TestRealPages:
    def test_article_in_a_premium_wrapper_is_kept(self) -> None:
        lines, evidence = _lazy(
            "http://www.nydailynews.com/nydailynews.com1.html",
            "nydailynews.com1.html.gz",
        )
        assert all(evidence.judge(line) is not None for line in lines)
        assert evidence.main_found
        lead = next(line for line in lines if line.startswith("The boyfriend of sexy"))
        assert _verdict(evidence, lead) == ("keep", None)
        removed = {evidence.judge(line).reason for line in lines}  # type: ignore[union-attr]
        assert {"page_aside", "page_nav", "page_comments"} <= removed
        kept = [
            line
            for line in lines
            if _verdict(evidence, line)[0] != "remove" and len(line) > 40
        ]
        assert len(kept) == 9  # the story's paragraphs, nothing else
        assert all("Brooklyn" not in line for line in kept[7:])

    def test_german_page_snippets(self) -> None:
        lines, evidence = _lazy(
            "http://www.computerbase.de/2007-06/htc-touch-bald-bei-o2-als-xda-nova/",
            "computerbase.de.htc.html.gz",
        )
        verdicts = {line: _verdict(evidence, line) for line in lines}
        kept = " ".join(line for line, v in verdicts.items() if v[0] != "remove")
        assert "Vor knapp zwei Wochen" in kept
        assert "gibt es in der dazugehörigen Vorstellungs-News." in kept
        assert "bis Januar 2009 Artikel für ComputerBase verfasst." not in kept
        assert sum(v[0] == "keep" for v in verdicts.values()) == 4
        assert verdicts["Grafikkarten-Rangliste"] == ("remove", "page_header")
        assert verdicts["Impressum"] == ("remove", "page_nav")  # a nav in the footer


# Paragraphs with inline elements, read by a spider as text nodes (p::text).
FRAGMENT_PAGE = f"""<html><body>
<nav><p>Read <a href="/a">the latest news</a> every morning in our app</p></nav>
<article>{_paragraphs(EN_PARAGRAPHS)}
<p>The authority said <a href="/x">the new routes</a> would cost less than expected,
and that drivers had been recruited from <b>three neighbouring towns</b> for them.</p>
</article>
<footer><p>Our newsroom: <a href="/c">contact us</a> with tips or corrections</p></footer>
</body></html>"""


def test_text_nodes_of_a_paragraph_are_judged_as_its_block() -> None:
    response = HtmlResponse("https://example.com/a", body=FRAGMENT_PAGE.encode())
    lines = [t for t in response.css("p::text").getall() if t.strip()]
    wanted = {block_key(line) for line in lines}
    evidence = page_evidence(response.selector.root, wanted)
    verdicts = {line.strip(): _verdict(evidence, line) for line in lines}
    assert verdicts["The authority said"] == ("neutral", None)
    assert evidence.judge("The authority said").in_main  # type: ignore[union-attr]
    assert verdicts["Read"] == ("remove", "page_nav")
    assert verdicts["every morning in our app"] == ("remove", "page_nav")
    assert verdicts["with tips or corrections"] == ("remove", "page_footer")
    # A text node does not count as a paragraph of its own for the main container.
    assert evidence.main_found


# A paragraph with inline elements inside a list item of the navigation; the
# same words as a text node of an article paragraph further down. Most of the
# article is read as text nodes, so they are looked for.
HOLDER_PAGE = f"""<html><body>
<nav><ul><li><p>Sign up <a href="/n">for our newsletter</a> today</p></li></ul></nav>
<article>{_paragraphs(EN_PARAGRAPHS[:2])}
<p>{EN_PARAGRAPHS[2]} <a href="/r">Sign up</a> {EN_PARAGRAPHS[3]}</p>
<p>Sign up <b>now</b> to <i>read more</i> of our reporting on the night buses</p>
<p>Deeply <span><b>nested</b> words</span> stay unread</p></article>
</body></html>"""


def test_a_text_node_is_judged_with_the_first_block_holding_it() -> None:
    response = HtmlResponse("https://example.com/a", body=HOLDER_PAGE.encode())
    lines = [t for t in response.css("p::text").getall() if t.strip()]
    wanted = {block_key(line) for line in [*lines, "nested"]}
    evidence = page_evidence(response.selector.root, wanted)
    # the list item holds the paragraph's text node first (document order)
    assert _verdict(evidence, "Sign up") == ("remove", "page_nav")
    assert _verdict(evidence, "today") == ("remove", "page_nav")
    assert _verdict(evidence, "to") == ("neutral", None)
    # a text node two levels down is no text node of the paragraph
    assert evidence.judge("nested") is None


# Two paragraphs a spider took from a sidebar of a page whose article is elsewhere.
SIDEBAR_PARAGRAPHS = [
    (
        "Our newsroom has covered the city's transport, housing and schools since "
        "1921, and it is owned by a trust that keeps it independent of any party, "
        "any company and any single donor."
    ),
    (
        "Readers who want to support local reporting can become members for the "
        "price of a coffee a month, and every member is invited to the editors' "
        "open meeting held on the first Monday of each month."
    ),
]
SIDEBAR_PAGE = f"""<html><body>
<article>{_paragraphs(EN_PARAGRAPHS)}</article>
<aside class="sidebar">{_paragraphs(SIDEBAR_PARAGRAPHS)}</aside>
<nav><ul><li>Home</li><li>News</li><li>Contact us</li></ul></nav>
</body></html>"""


class TestThePageNeverEmptiesAFieldAlone:
    evidence = _evidence(SIDEBAR_PAGE)

    def test_a_field_of_paragraphs_the_page_would_remove_is_kept(self) -> None:
        assert [_verdict(self.evidence, p)[0] for p in SIDEBAR_PARAGRAPHS] == [
            "remove",
            "remove",
        ]
        result = clean_blocks(SIDEBAR_PARAGRAPHS, evidence=self.evidence)
        assert result.overruled
        assert list(result.blocks) == SIDEBAR_PARAGRAPHS
        assert result.judged == 2

    def test_chrome_alone_is_still_emptied(self) -> None:
        result = clean_blocks(["Home", "News", "Contact us"], evidence=self.evidence)
        assert not result.overruled
        assert result.blocks == ()

    def test_the_page_rules_when_it_keeps_a_block(self) -> None:
        blocks = [EN_PARAGRAPHS[0], *SIDEBAR_PARAGRAPHS]
        result = clean_blocks(blocks, evidence=self.evidence)
        assert not result.overruled
        assert list(result.blocks) == [EN_PARAGRAPHS[0]]


TWEET = (
    "I can't thank this man enough. He taught me so much and I'm grateful for "
    "everything he has done for me. Good luck, and I hope to see you again."
)
WIDGET_PAGE = f"""<html><body>
<nav><div class="widget"><p>Weather in the city</p></div></nav>
<div class="story-body">{_paragraphs(EN_PARAGRAPHS[:2])}
<div class="article-widget embed-tweet"><blockquote><p>{TWEET}</p>
<p><a href="https://x.example/status/1">@player</a> March 4</p></blockquote></div>
{_paragraphs(EN_PARAGRAPHS[2:])}</div>
<div class="sidebar-widget"><p>Sign up for alerts</p></div>
</body></html>"""


class TestWidgetInsideTheArticle:
    """A structural class inside the article is weak evidence: an embedded
    post stays, its short link line goes; outside the article it is chrome."""

    evidence = _evidence(WIDGET_PAGE)

    def test_embedded_post_kept_its_link_line_removed(self) -> None:
        assert self.evidence.main_found
        assert _verdict(self.evidence, TWEET)[0] != "remove"
        assert _verdict(self.evidence, "@player March 4") == ("remove", "page_widget")

    def test_widgets_outside_the_article_stay_chrome(self) -> None:
        assert _verdict(self.evidence, "Sign up for alerts") == ("remove", "page_nav")


POST = [
    (
        "We finally opened the little hotel on the coast last week, after two years of "
        "repairs to the roof, the kitchen and the old stone terrace above the harbour."
    ),
    (
        "The first guests came from the village itself, and most of them wanted to see "
        "what had become of the house where the harbour master used to live."
    ),
    (
        "Next month we will open the garden restaurant, with fish from the morning "
        "boats and vegetables from the farm behind the lighthouse road."
    ),
    (
        "Bookings for the summer are already open, and the first week of July is "
        "nearly full, mostly with families who came here as children."
    ),
]
COMMENTS = [
    f"What a lovely place, I hope to stay there one day with my whole family. {n}"
    " The terrace looks wonderful in the evening light and the rooms look calm."
    for n in range(6)
]
BLOG_PAGE = f"""<html><body>
<div class="post-body">{_paragraphs(POST)}<p>Opening week</p></div>
<div id="comments"><div class="comment-list">{_paragraphs(COMMENTS)}</div></div>
</body></html>"""


def test_a_longer_comment_section_is_never_the_article() -> None:
    # The comments hold more paragraph text than the post: the post is still
    # the main container, so its short line is not removed as outside it.
    evidence = _evidence(BLOG_PAGE)
    assert evidence.main_found
    assert _verdict(evidence, POST[0]) == ("keep", None)
    assert _verdict(evidence, "Opening week")[0] != "remove"
    assert _verdict(evidence, COMMENTS[0]) == ("remove", "page_comments")


# A long low-link block (prose) under evidence of a family whose containers do
# not hold prose there: the evidence does not describe it.
QUOTE = (
    "“We will not sign a contract for drivers we cannot hire,” the authority's "
    "director told the council, adding that recruitment would start in January "
    "and that the first routes depended on it."
)
CAPTION = (
    "The night depot in the eastern suburbs, where the four new routes will start: "
    "the authority plans to hire sixty drivers, most of them from the day routes, "
    "before the first buses leave it next spring."
)
SHARE_PAGE = f"""<html><body>
<figure class="lead-image"><img src="depot.jpg"><figcaption>{CAPTION}</figcaption>
<figcaption>Photo: J. Doe / Example Agency</figcaption></figure>
<article><div class="entry-content">{_paragraphs(EN_PARAGRAPHS)}
<div class="click-to-share"><p>{QUOTE}</p></div>
<div class="share-buttons"><p>Share on Facebook</p></div></div></article>
<div class="social-box"><p>{SIDEBAR_PARAGRAPHS[1]}</p></div>
</body></html>"""


class TestProseTheContainerDoesNotHold:
    evidence = _evidence(SHARE_PAGE)

    def test_prose_in_a_share_box_of_the_main_container_is_article(self) -> None:
        assert self.evidence.main_found
        assert _verdict(self.evidence, QUOTE) == ("keep", None)
        assert _verdict(self.evidence, "Share on Facebook") == ("remove", "page_share")

    def test_prose_in_a_share_box_outside_the_main_container_goes(self) -> None:
        assert _verdict(self.evidence, SIDEBAR_PARAGRAPHS[1]) == (
            "remove",
            "page_share",
        )

    def test_a_prose_length_caption_is_left_to_the_text_rules(self) -> None:
        assert _verdict(self.evidence, CAPTION) == ("neutral", None)
        assert _verdict(self.evidence, "Photo: J. Doe / Example Agency") == (
            "remove",
            "page_caption",
        )

    def test_without_a_main_container_place_named_wrappers_hold_prose(
        self,
    ) -> None:
        # Too little paragraph text for a confident main container: a long
        # paragraph in a "sidebar" box may be the article's own.
        story = _paragraphs(EN_PARAGRAPHS[::2])
        page = f"""<html><body><div class="story">{story}</div>
        <div class="sidebar-box"><p>{QUOTE}</p></div>
        <nav><ul><li><a href="/">Home</a></li></ul></nav></body></html>"""
        evidence = _evidence(page)
        assert not evidence.main_found
        assert _verdict(evidence, QUOTE) == ("neutral", None)
        assert _verdict(evidence, "Home") == ("remove", "page_nav")
        # With a main container, the same box outside it is chrome.
        assert _verdict(self_sidebar_evidence(), SIDEBAR_PARAGRAPHS[1]) == (
            "remove",
            "page_nav",
        )


def self_sidebar_evidence() -> PageEvidence:
    return _evidence(
        f"<html><body><article>{_paragraphs(EN_PARAGRAPHS)}</article>"
        f'<div class="sidebar-box"><p>{SIDEBAR_PARAGRAPHS[1]}</p></div></body></html>'
    )


DE_LEAD = "Nachtbusse fahren ab Frühjahr in den Osten der Stadt."
DE_LEAD_PAGE = f"""<html><body><article><h1>Nachtbusse</h1>
<div class="artikel-text"><p class="article-teaser">{DE_LEAD}</p>
{_paragraphs(DE_PARAGRAPHS)}
<div class="teaser"><p><a href="/u-bahn">Neue U-Bahn-Linie ab Dezember</a></p></div>
</div></article></body></html>"""


def test_a_teaser_class_in_the_main_container_is_the_lead() -> None:
    # German CMSs call an article's lead its "Teaser"; a link card is still one.
    evidence = _evidence(DE_LEAD_PAGE)
    assert evidence.main_found
    assert _verdict(evidence, DE_LEAD) == ("neutral", None)
    assert _verdict(evidence, "Neue U-Bahn-Linie ab Dezember") == (
        "remove",
        "page_teaser",
    )

"""Tests for the pure error/block/challenge/soft-404 page classifier."""

# Real titles hold non-ASCII letters, dashes and quotes on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html

from scrapy_newsclean.errorpages._classify import (
    DEFAULT_DROP_STATUSES,
    PageVerdict,
    classify,
    is_html,
    page_signals,
)
from tests._fuzz import examples

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE_URL = "https://news.example.com/world/2024/05/some-long-article-slug.html"
ARTICLES = [
    "article_aeb_en_spacereview.html.gz",
    "article_aeb_en_sciencealert.html.gz",
    "article_aeb_ja.html.gz",
    "article_aeb_de.html.gz",
    "article_trafilatura_de.html.gz",
]


def fixture(name: str) -> bytes:
    data = (FIXTURES / "errorpages" / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def seed_page() -> bytes:
    return (FIXTURES / "seeds" / "000_f0605b7f478a5237.html").read_bytes()


def page(title: str, body: str = "", lang: str = "en") -> bytes:
    """A small HTML page with site chrome around ``body``."""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><nav><a href='/'>Home</a>"
        f"<a href='/news'>News</a></nav><main>{body}</main>"
        "<footer><a href='/about'>About</a></footer></body></html>"
    ).encode()


def long_article(paragraphs: int = 12) -> str:
    sentence = (
        "The city council approved the new budget on Tuesday after a long debate "
        "about schools, roads and the future of the public library. "
    )
    return "".join(f"<p>{sentence * 3}</p>" for _ in range(paragraphs))


def mentions_errors_article() -> bytes:
    """A real short article with error words in its text and bot scripts."""
    text = fixture("article_aeb_en_sciencealert.html.gz").decode("utf-8")
    inserts = [
        " NASA's old mission page now answers with a 403 Forbidden error.",
        " Readers were asked to solve a captcha and verify you are human first.",
        " The original link gives a 404 page not found, and access denied too.",
    ]
    parts = text.split("</p>")
    for index, insert in zip((1, 3, 5), inserts, strict=True):
        parts[index] += insert
    text = "</p>".join(parts)
    scripts = (
        '<script src="/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e"></script>'
        '<script src="https://www.google.com/recaptcha/api.js"></script>'
        '<div class="g-recaptcha" data-sitekey="6Lc"></div>'
        '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
    )
    return text.replace("</body>", scripts + "</body>").encode("utf-8")


class TestRealErrorPages:
    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            ("cf_iuam_2021-08.html", "challenge_cloudflare"),
            ("cf_iuam_2020-05-16a.html.gz", "challenge_cloudflare"),
            ("cf_managed_challenge_2025-02.html", "challenge_cloudflare"),
            ("cf_botfightmode_2021-01-07.html", "challenge_cloudflare"),
            ("akamai_access_denied_ebit.html", "challenge_akamai"),
            ("perimeterx_block_2.html", "challenge_perimeterx"),
            ("datadome_blocked_2021-08.html.gz", "challenge_datadome"),
            ("incapsula_block_403.html", "challenge_imperva"),
            ("sucuri_js_redirect_2021-08.html", "challenge_sucuri"),
            ("cloudfront_403_request_blocked.html", "challenge_aws_waf"),
            ("openresty_403.html", "blocked"),
            ("nginx_502.html", "server_error"),
            ("codeigniter_404.html", "soft_404"),
            ("smiledirectclub_branded_404.html.gz", "soft_404"),
        ],
    )
    def test_served_200(self, name: str, reason: str) -> None:
        verdict = classify(status=200, url=ARTICLE_URL, body=fixture(name))
        assert verdict is not None
        assert verdict.reason == reason
        assert verdict.detail
        assert verdict.challenge == (reason != "soft_404")

    @pytest.mark.parametrize(
        ("name", "status", "reason"),
        [
            ("cf_iuam_2021-08.html", 503, "challenge_cloudflare"),
            ("cf_managed_challenge_2025-02.html", 403, "challenge_cloudflare"),
            ("akamai_access_denied_ebit.html", 403, "challenge_akamai"),
            ("datadome_blocked_2021-08.html.gz", 403, "challenge_datadome"),
            ("incapsula_block_403.html", 403, "challenge_imperva"),
            ("perimeterx_block_2.html", 429, "challenge_perimeterx"),
            ("openresty_403.html", 403, "status_403"),
            ("nginx_502.html", 502, "status_502"),
            ("codeigniter_404.html", 404, "status_404"),
        ],
    )
    def test_served_with_error_status(
        self, name: str, status: int, reason: str
    ) -> None:
        verdict = classify(status=status, url=ARTICLE_URL, body=fixture(name))
        assert verdict is not None
        assert verdict.reason == reason
        assert verdict.challenge == reason.startswith("challenge_")

    @pytest.mark.parametrize(
        "name",
        [
            "neg_skipthedishes_with_incapsula_script.html.gz",
            "neg_google_recaptcha_page.html.gz",
            "neg_guidestar_with_incapsula_script.html.gz",
        ],
    )
    def test_pages_embedding_bot_scripts_are_kept(self, name: str) -> None:
        assert classify(status=200, url=ARTICLE_URL, body=fixture(name)) is None


class TestArticlesKept:
    @pytest.mark.parametrize("name", ARTICLES)
    def test_real_article(self, name: str) -> None:
        body = fixture(name)
        assert classify(status=200, url=ARTICLE_URL, body=body) is None
        tree = html.document_fromstring(body)
        assert classify(status=200, url=ARTICLE_URL, body=body, root=tree) is None

    def test_article_mentioning_errors_and_embedding_bot_scripts(self) -> None:
        body = mentions_errors_article()
        assert b"403 Forbidden" in body
        assert b"captcha" in body
        assert classify(status=200, url=ARTICLE_URL, body=body) is None

    @pytest.mark.parametrize("name", ARTICLES)
    def test_short_and_long_articles_with_error_words_in_paragraphs(
        self, name: str
    ) -> None:
        sentences = [
            b" The old page now returns a 403 Forbidden error: access denied.",
            b" Readers must verify you are human and solve a captcha first.",
            (
                b" The link shows a 404 page not found; the page you were looking"
                b" for doesn't exist."
            ),
            b" Press & Hold, said the Cloudflare page. Just a moment...",
        ]
        body = fixture(name)
        ends = [m.start() for m in re.finditer(rb"</p>", body)][:4]
        for end, sentence in reversed(list(zip(ends, sentences, strict=False))):
            body = body[:end] + sentence + body[end:]
        assert b"verify you are human" in body
        assert classify(status=200, url=ARTICLE_URL, body=body) is None

    def test_seed_page_served_200_is_kept(self) -> None:
        assert classify(status=200, url=ARTICLE_URL, body=seed_page()) is None

    def test_seed_banner_as_heading_is_kept(self) -> None:
        body = (
            seed_page()
            .replace(b"<p>Error! We", b"<h1>Error! We")
            .replace(b"exist.</p>", b"exist.</h1>", 1)
        )
        assert b"<h1>Error!" in body
        assert classify(status=200, url=ARTICLE_URL, body=body) is None

    def test_headline_containing_not_found_words(self) -> None:
        body = page(
            "Missing hiker not found after three days | Daily News",
            "<h1>Missing hiker not found after three days</h1><p>Rescue teams</p>",
        )
        assert classify(status=200, url=ARTICLE_URL, body=body) is None

    def test_server_cloudflare_header_alone_is_not_a_challenge(self) -> None:
        body = page("Short note", "<p>We will be back with more news tomorrow.</p>")
        headers = {"server": "cloudflare", "cf-ray": "8a1b2c3d4e5f-AMS"}
        assert classify(status=200, url=ARTICLE_URL, headers=headers, body=body) is None


class TestStatus:
    def test_seed_page_served_403(self) -> None:
        verdict = classify(status=403, url=ARTICLE_URL, body=seed_page())
        assert verdict == PageVerdict("status_403", "status=403", challenge=False)

    @pytest.mark.parametrize(
        ("status", "challenge"),
        [(401, False), (404, False), (410, False), (429, True), (451, False)],
    )
    def test_error_status_with_full_article(self, status: int, challenge: bool) -> None:
        body = page("Budget approved", long_article())
        verdict = classify(status=status, url=ARTICLE_URL, body=body)
        assert verdict is not None
        assert verdict.reason == f"status_{status}"
        assert verdict.challenge is challenge

    @pytest.mark.parametrize("status", [500, 502, 503, 504, 599])
    def test_server_errors(self, status: int) -> None:
        verdict = classify(status=status, url=ARTICLE_URL, body=b"")
        assert verdict is not None
        assert verdict.reason == f"status_{status}"

    def test_custom_drop_statuses(self) -> None:
        body = page("Budget approved", long_article())
        assert (
            classify(status=404, url=ARTICLE_URL, body=body, drop_statuses={403})
            is None
        )
        verdict = classify(status=403, url=ARTICLE_URL, body=body, drop_statuses={403})
        assert verdict is not None
        assert verdict.reason == "status_403"

    def test_statuses_outside_2xx_are_not_soft_checked(self) -> None:
        body = fixture("codeigniter_404.html")
        assert classify(status=304, url=ARTICLE_URL, body=body) is None
        assert classify(status=103, url=ARTICLE_URL, body=body) is None

    def test_default_drop_statuses(self) -> None:
        assert {401, 403, 404, 410, 429, 451, 500, 599} <= DEFAULT_DROP_STATUSES
        assert not {200, 301, 302, 304, 400, 600} & DEFAULT_DROP_STATUSES


class TestHeaders:
    def test_cf_mitigated_decides_even_on_a_long_page(self) -> None:
        body = page("Budget approved", long_article())
        headers = {"cf-mitigated": "challenge", "server": "cloudflare"}
        verdict = classify(status=200, url=ARTICLE_URL, headers=headers, body=body)
        assert verdict is not None
        assert verdict.reason == "challenge_cloudflare"
        assert verdict.challenge

    def test_aws_waf_action_header_on_403(self) -> None:
        headers = {"x-amzn-waf-action": "captcha"}
        verdict = classify(status=403, url=ARTICLE_URL, headers=headers, body=b"")
        assert verdict is not None
        assert verdict.reason == "challenge_aws_waf"


SOFT_404_TITLES = [
    ("en", "Page not found | The Daily Planet"),
    ("de", "Seite nicht gefunden - Süddeutsche Zeitung"),
    ("fr", "Page introuvable | Le Monde"),
    ("es", "Página no encontrada - El País"),
    ("it", "Pagina non trovata - la Repubblica"),
    ("pt", "Página não encontrada | Folha"),
    ("nl", "Pagina niet gevonden | NOS"),
    ("ru", "Страница не найдена — РИА Новости"),
    ("ja", "ページが見つかりません | 日本経済新聞"),
    ("zh", "页面不存在 - 新华网"),
    ("ko", "페이지를 찾을 수 없습니다 | 조선일보"),
    ("ar", "الصفحة غير موجودة | الجزيرة"),
    ("pl", "Strona nie została znaleziona - Onet"),
    ("tr", "Sayfa bulunamadı | Hürriyet"),
    ("sv", "Sidan kunde inte hittas | Dagens Nyheter"),
    ("en", "Error 404 (Not Found)!!1"),
    ("en", "404"),
    ("en", "Oops! That page can’t be found. – My Blog"),
]


class TestSoft404:
    @pytest.mark.parametrize(("lang", "title"), SOFT_404_TITLES, ids=lambda v: v)
    def test_title_in_many_languages(self, lang: str, title: str) -> None:
        body = page(title, "<p>Try the search box or go back home.</p>", lang)
        verdict = classify(status=200, url=ARTICLE_URL, body=body)
        assert verdict is not None
        assert verdict.reason == "soft_404"
        assert not verdict.challenge

    @pytest.mark.parametrize(
        "heading",
        [
            "Sorry! We couldn’t find what you were looking for",
            "Seite nicht gefunden",
            "ページが見つかりませんでした",
            "404 - Not found",
        ],
    )
    def test_heading_with_site_title(self, heading: str) -> None:
        body = page("Example News", f"<h1>{heading}</h1><p>Go back home.</p>")
        verdict = classify(status=200, url=ARTICLE_URL, body=body)
        assert verdict is not None
        assert verdict.reason == "soft_404"

    def test_main_message(self) -> None:
        body = page(
            "Example News",
            "<div>Sorry, the page you were looking for doesn't exist.</div>",
        )
        verdict = classify(status=200, url=ARTICLE_URL, body=body)
        assert verdict is not None
        assert verdict.reason == "soft_404"

    def test_not_found_title_on_long_article_is_kept(self) -> None:
        body = page("Page not found | Example", long_article(30))
        assert classify(status=200, url=ARTICLE_URL, body=body) is None


class TestLoginWall:
    def test_login_title_with_password_form(self) -> None:
        form = "<form><input name='user'><input type='password' name='pw'></form>"
        body = page("Sign in | Example News", form + "<p>Log in to continue.</p>")
        verdict = classify(status=200, url=ARTICLE_URL, body=body)
        assert verdict is not None
        assert verdict.reason == "login_wall"

    def test_login_title_without_password_field_is_kept(self) -> None:
        body = page("Sign in | Example News", "<p>Our sign-in page moved.</p>")
        assert classify(status=200, url=ARTICLE_URL, body=body) is None


class TestRedirects:
    @pytest.mark.parametrize(
        ("first", "final", "reason"),
        [
            (ARTICLE_URL, "https://news.example.com/", "redirect_home"),
            (ARTICLE_URL, "https://www.example.com/index.html", "redirect_home"),
            (ARTICLE_URL, "https://news.example.com/en/", "redirect_home"),
            (
                "https://www.bbc.co.uk/news/world-1",
                "https://www.bbc.co.uk/",
                "redirect_home",
            ),
            (ARTICLE_URL, "https://news.example.com/404", "redirect_404"),
            (
                ARTICLE_URL,
                "https://news.example.com/errors/not-found.html",
                "redirect_404",
            ),
            (ARTICLE_URL, "https://news.example.com/page-not-found/", "redirect_404"),
            (ARTICLE_URL, "https://news.example.com/?error=404", "redirect_404"),
        ],
    )
    def test_redirected_away(self, first: str, final: str, reason: str) -> None:
        body = page("Example News", long_article())
        verdict = classify(status=200, url=final, body=body, redirect_urls=[first])
        assert verdict is not None
        assert verdict.reason == reason
        assert first in verdict.detail

    @pytest.mark.parametrize(
        ("first", "final"),
        [
            ("http://news.example.com/a/story", "https://news.example.com/a/story"),
            (ARTICLE_URL, "https://news.example.com/world/2024/05/new-slug.html"),
            ("https://news.example.com/", "https://news.example.com/en/"),
            ("https://example.com/story/1", "https://other-site.org/"),
            ("https://shop.co.uk/story/1", "https://news.co.uk/"),
        ],
    )
    def test_ordinary_redirects_are_kept(self, first: str, final: str) -> None:
        body = page("Example News", long_article())
        assert classify(status=200, url=final, body=body, redirect_urls=[first]) is None

    def test_no_redirect(self) -> None:
        body = page("Example News", long_article())
        assert classify(status=200, url="https://news.example.com/", body=body) is None


class TestRootReuse:
    def test_given_root_is_used_instead_of_body(self) -> None:
        challenge = html.document_fromstring(fixture("cf_iuam_2021-08.html"))
        verdict = classify(status=200, url=ARTICLE_URL, body=b"", root=challenge)
        assert verdict is not None
        assert verdict.reason == "challenge_cloudflare"
        article = html.document_fromstring(
            fixture("article_aeb_en_spacereview.html.gz")
        )
        body = fixture("cf_iuam_2021-08.html")
        assert classify(status=200, url=ARTICLE_URL, body=body, root=article) is None

    def test_non_element_root_falls_back_to_body(self) -> None:
        body = fixture("openresty_403.html")
        verdict = classify(status=200, url=ARTICLE_URL, body=body, root={"json": 1})  # type: ignore[arg-type]
        assert verdict is not None
        assert verdict.reason == "blocked"

    def test_page_signals_describe(self) -> None:
        signals = page_signals(body=fixture("cf_managed_challenge_2025-02.html"))
        assert signals.title == "just a moment..."
        assert ("challenge_cloudflare", "title", "just a moment...") in signals.hits
        assert "title='just a moment...'" in signals.describe()
        assert "text_chars=" in signals.describe()


class TestIsHtml:
    @pytest.mark.parametrize(
        ("headers", "body", "expected"),
        [
            ({"content-type": "text/html; charset=utf-8"}, b"<p>hi</p>", True),
            ({"content-type": "application/xhtml+xml"}, b"<html></html>", True),
            ({}, b"\xef\xbb\xbf  <!DOCTYPE html><html><body>x</body></html>", True),
            (None, "<html><head><title>t</title></head></html>", True),
            ({"content-type": "text/plain"}, b"<div>hello</div>", True),
            ({"content-type": "application/pdf"}, b"%PDF-1.7\n%\xe2\xe3", False),
            ({}, b"%PDF-1.4 binary", False),
            ({"content-type": "text/html"}, b"%PDF-1.4 mislabelled", False),
            ({"content-type": "application/json"}, b'{"html": "<html>"}', False),
            ({}, b'{"a": [1, 2]}', False),
            ({"content-type": "image/png"}, b"\x89PNG\r\n\x1a\n\x00", False),
            ({}, b"\x89PNG\r\n\x1a\n\x00\x00", False),
            ({}, b"\xff\xd8\xff\xe0\x00\x10JFIF", False),
            (
                {"content-type": "application/xml"},
                b"<?xml version='1.0'?><rss/>",
                False,
            ),
            ({}, b"<?xml version='1.0'?><rss><channel/></rss>", False),
            ({}, b"", False),
        ],
    )
    def test_is_html(
        self, headers: dict[str, str] | None, body: bytes | str, expected: bool
    ) -> None:
        assert is_html(headers, body) is expected


class TestNeverRaises:
    @pytest.mark.fuzz
    @settings(
        max_examples=examples(150),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        status=st.integers(min_value=-10, max_value=1000),
        url=st.text(max_size=60),
        headers=st.none() | st.dictionaries(st.text(max_size=20), st.text(max_size=40)),
        body=st.binary(max_size=2000) | st.text(max_size=2000),
        redirect_urls=st.lists(st.text(max_size=40), max_size=3),
    )
    def test_any_input(
        self,
        status: int,
        url: str,
        headers: dict[str, str] | None,
        body: bytes | str,
        redirect_urls: list[str],
    ) -> None:
        verdict = classify(
            status=status,
            url=url,
            headers=headers,
            body=body,
            redirect_urls=redirect_urls,
        )
        assert verdict is None or verdict.reason
        is_html(headers, body)

    @pytest.mark.fuzz
    @settings(max_examples=examples(60), deadline=None)
    @given(
        markup=st.lists(
            st.sampled_from(
                [
                    "<html>",
                    "<title>",
                    "</title>",
                    "<h1>",
                    "</h1>",
                    "<p>",
                    "<a>",
                    "<script>",
                    "</script>",
                    "<body>",
                    "404",
                    "Just a moment...",
                    "cf_chl_opt",
                    "<?xml version='1.0' encoding='latin-1'?>",
                    "\x00",
                    "\ud800",
                    "&#0;",
                    "é",
                    "<!--",
                    "]]>",
                    "<input type=password>",
                ]
            ),
            max_size=40,
        )
    )
    def test_hostile_markup(self, markup: list[str]) -> None:
        text = "".join(markup)
        classify(status=200, url=ARTICLE_URL, body=text)
        classify(
            status=403, url=ARTICLE_URL, body=text.encode("utf-8", "surrogatepass")
        )
        page_signals(body=text)

    def test_huge_bodies(self) -> None:
        huge = b"<html><body>" + b"<p>word word word</p>" * 2_500_000
        assert len(huge) > 50_000_000
        assert classify(status=200, url=ARTICLE_URL, body=huge) is None
        garbage = bytes(range(256)) * 200_000
        assert classify(status=200, url=ARTICLE_URL, body=garbage) is None
        verdict = classify(status=503, url=ARTICLE_URL, body=garbage)
        assert verdict is not None
        assert verdict.reason == "status_503"


class TestFastPaths:
    """The shortcuts give the verdicts of the full analysis."""

    @staticmethod
    def paragraphs(chars: int) -> str:
        sentence = "The council met on Tuesday to discuss the new budget. "
        return "".join(
            f"<p>{sentence * 4}</p>" for _ in range(chars // (4 * len(sentence)) + 1)
        )

    def test_error_heading_keeps_its_gate_over_medium_paragraphs(self) -> None:
        # ~1,700 characters of paragraphs: over the markup gate, under the h1 one.
        body = page("Example Site", "<h1>Page not found</h1>" + self.paragraphs(1600))
        signals = page_signals(body=body)
        assert 1500 < signals.text_chars < 2500
        verdict = classify(status=200, url=ARTICLE_URL, body=body)
        assert verdict is not None
        assert verdict.reason == "soft_404"

    def test_vendor_marker_on_a_medium_page_is_gated_out(self) -> None:
        marker = '<div id="cf-wrapper"></div>'
        medium = page("City news", marker + self.paragraphs(1600))
        assert classify(status=200, url=ARTICLE_URL, body=medium) is None
        short = page("City news", marker + self.paragraphs(300))
        verdict = classify(status=200, url=ARTICLE_URL, body=short)
        assert verdict is not None
        assert verdict.reason == "challenge_cloudflare"

    @pytest.mark.parametrize("as_text", [False, True])
    def test_marker_found_in_any_case_as_bytes_or_text(self, as_text: bool) -> None:
        body = page("Hold on", '<form id="DistilCaptchaForm"></form>')
        data = body.decode("utf-8") if as_text else body
        verdict = classify(status=200, url=ARTICLE_URL, body=data)
        assert verdict is not None
        assert verdict.reason == "challenge_distil"

    @pytest.mark.fuzz
    @settings(max_examples=examples(300), deadline=None)
    @given(
        st.lists(
            st.sampled_from(
                [
                    "CAPTCHA",
                    "px-captcha",
                    "#PX-captcha",
                    "kpsdk.load",
                    "KPSDK.",
                    "<code>NoSuchKey</code>",
                    "cf-error-",
                    "cf-error-code",
                    "\u00c9\u00e9",
                    "sucuri",
                    "x",
                ]
            ),
            max_size=8,
        )
    )
    def test_literal_scan_matches_plain_search(self, parts: list[str]) -> None:
        from scrapy_newsclean.errorpages import _signatures as sig
        from scrapy_newsclean.errorpages._hits import markup_window, present_literals

        raw = "".join(parts)
        literals = [
            lit
            for row in sig.SIGNATURES
            if row.where in {"markup", "stub"}
            for lit in row.literals
        ]
        lowered = raw.encode("utf-8").decode("latin-1").lower()
        expected = {lit for lit in literals if lit in lowered}
        assert present_literals(markup_window(raw.encode("utf-8"), None)) == expected
        text_expected = {lit for lit in literals if lit in raw.lower()}
        assert present_literals(markup_window(raw, None)) == text_expected


def test_anchor_groups_cover_every_literal_once() -> None:
    from scrapy_newsclean.errorpages._signatures import anchor_groups

    literals = ["cf-error-details", "cf-error-code", "gokuprops", "cf-error-code"]
    groups = anchor_groups(literals)
    assert groups[0] == ("cf-error-", ("cf-error-details", "cf-error-code"))
    members = [lit for _, group in groups for lit in group]
    assert sorted(members) == sorted(set(literals))
    assert all(anchor in lit for anchor, group in groups for lit in group)

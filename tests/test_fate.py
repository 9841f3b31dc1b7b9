"""One decision for a response's fate: the crawl and ``check`` agree.

:func:`scrapy_newsclean.errorpages.decide` is unit-tested here, and a real crawl
of the local server's pages is compared with ``scrapy-newsclean check`` run on
the same URLs with the same settings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from lxml import html
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean import Addon, _defaults
from scrapy_newsclean._sites import site_of
from scrapy_newsclean.cli import main
from scrapy_newsclean.crawl._settings import errorpage_policy
from scrapy_newsclean.errorpages import (
    Action,
    ErrorPagePolicy,
    ResponseFate,
    decide,
)
from tests.spiders import UrlListSpider, crawl

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy.http import Response

    from tests.conftest import MockServer

TESTS = Path(__file__).resolve().parent
SITES = TESTS / "sites"
BLOCKS = TESTS / "fixtures" / "vendors" / "blocks"
HTML = {"content-type": "text/html; charset=utf-8"}
ARTICLE_URL = "https://news.example.com/world/2024/05/story.html"

SITE_PAGES = [
    "article.html",
    "article_mentions_errors.html",
    "cloudflare_challenge.html",
    "no_text.html",
    "seed_000.html",
    "soft404.html",
    "soft404_de.html",
    "report.pdf",
]
VENDOR_PAGES = [
    "akamai_sec_cpt.html",  # Akamai's challenge, served with 428
    "f5_asm_request_rejected.html",  # a block page, not a challenge
    "aws_waf_challenge.html",  # AWS WAF's challenge, served with 405
    "datadome_captcha.html",
    "login_continue_reading_en.html",  # a login wall
]
STATUSES = [200, 403, 404, 405, 410, 418, 428, 429, 451, 500, 503]
REDIRECTS = [
    "/redirect/301?to=/",  # a dead article redirected home
    "/redirect/302?to=/site/article.html",
    "/redirect/302?to=/status/404/article.html",
]


def read(path: Path) -> bytes:
    return path.read_bytes()


def paths() -> list[str]:
    pages = [f"/status/{{status}}/{name}" for name in SITE_PAGES]
    pages += [f"/vendor/{{status}}/{name}" for name in VENDOR_PAGES]
    return [page.format(status=s) for page in pages for s in STATUSES] + REDIRECTS


class FirstUrlSpider(UrlListSpider):
    """Yield the requested URL (before redirects) of each response it receives."""

    name = "first_url"

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        first = response.meta.get("redirect_urls", [response.url])[0]
        yield {"url": first, "status": response.status}


class TestDecide:
    def test_drop_status_whatever_the_page_says(self) -> None:
        fate = decide(
            status=404, url=ARTICLE_URL, headers=HTML, body=read(SITES / "article.html")
        )
        assert fate.action is Action.DROP
        assert fate.reason == "status_404"
        assert fate.dropped

    @pytest.mark.parametrize(
        ("page", "status", "reason"),
        [
            ("akamai_sec_cpt.html", 428, "challenge_akamai"),
            ("aws_waf_challenge.html", 405, "challenge_aws_waf"),
            ("datadome_captcha.html", 418, "challenge_datadome"),
            ("akamai_sec_cpt.html", 200, "challenge_akamai"),
            ("akamai_sec_cpt.html", 403, "challenge_akamai"),
        ],
        ids=["akamai-428", "aws-waf-405", "datadome-418", "akamai-200", "akamai-403"],
    )
    def test_challenge_is_retried_then_dropped(
        self, page: str, status: int, reason: str
    ) -> None:
        policy = ErrorPagePolicy(retry_challenges=5)
        fate = decide(
            status=status,
            url=ARTICLE_URL,
            headers=HTML,
            body=read(BLOCKS / page),
            policy=policy,
        )
        assert fate.action is Action.RETRY_THEN_DROP
        assert fate.reason == reason
        assert "retried up to 5 times" in fate.note

    @pytest.mark.parametrize(
        ("page", "status"),
        [
            ("article.html", 418),
            ("soft404.html", 428),
            ("f5_asm_request_rejected.html", 405),
            ("login_continue_reading_en.html", 428),
        ],
        ids=["article-418", "soft404-428", "block-405", "login-428"],
    )
    def test_other_4xx_without_a_challenge_goes_to_httperror(
        self, page: str, status: int
    ) -> None:
        folder = SITES if (SITES / page).exists() else BLOCKS
        fate = decide(
            status=status, url=ARTICLE_URL, headers=HTML, body=read(folder / page)
        )
        assert fate == ResponseFate(Action.HTTP_ERROR, fate.note)
        assert "HttpErrorMiddleware" in fate.note
        assert f"status {status}" in fate.note

    @pytest.mark.parametrize(
        ("page", "reason"),
        [
            ("soft404.html", "soft_404"),
            ("login_continue_reading_en.html", "login_wall"),
            ("article.html", None),
            ("article_mentions_errors.html", None),
        ],
    )
    def test_2xx_pages_by_their_content(self, page: str, reason: str | None) -> None:
        folder = SITES if (SITES / page).exists() else BLOCKS
        fate = decide(
            status=200, url=ARTICLE_URL, headers=HTML, body=read(folder / page)
        )
        assert fate.reason == reason
        assert fate.action is (Action.KEEP if reason is None else Action.DROP)

    def test_soft_errors_off(self) -> None:
        policy = ErrorPagePolicy(soft_errors=False)
        challenge = read(BLOCKS / "akamai_sec_cpt.html")
        on_200 = decide(status=200, url=ARTICLE_URL, body=challenge, policy=policy)
        assert on_200.action is Action.KEEP
        assert "NEWSCLEAN_SOFT_ERRORS is off" in on_200.note
        on_428 = decide(status=428, url=ARTICLE_URL, body=challenge, policy=policy)
        assert on_428.action is Action.HTTP_ERROR
        on_403 = decide(status=403, url=ARTICLE_URL, body=challenge, policy=policy)
        assert on_403.reason == "challenge_akamai"

    def test_allowed_statuses(self) -> None:
        challenge = read(SITES / "cloudflare_challenge.html")
        article = read(SITES / "article.html")
        allowed = {404, 428}
        fate = decide(
            status=404, url=ARTICLE_URL, body=article, allowed_statuses=allowed
        )
        assert fate.action is Action.HTTP_ERROR
        assert "newsclean_allow_statuses" in fate.note
        # An allowed 4xx is not read; a 2xx page still is.
        fate = decide(
            status=428, url=ARTICLE_URL, body=challenge, allowed_statuses=allowed
        )
        assert fate.action is Action.HTTP_ERROR
        fate = decide(
            status=200, url=ARTICLE_URL, body=challenge, allowed_statuses={200}
        )
        assert fate.reason == "challenge_cloudflare"

    def test_custom_drop_statuses(self) -> None:
        article = read(SITES / "article.html")
        policy = ErrorPagePolicy(drop_statuses=frozenset({418}))
        assert decide(
            status=418, url=ARTICLE_URL, body=article, policy=policy
        ).reason == ("status_418")
        fate = decide(status=404, url=ARTICLE_URL, body=article, policy=policy)
        assert fate.action is Action.HTTP_ERROR

    @pytest.mark.parametrize("status", [200, 428])
    def test_non_html_is_not_read(self, status: int) -> None:
        calls: list[int] = []

        def tree() -> None:
            calls.append(1)

        pdf = read(SITES / "report.pdf")
        headers = {"content-type": "application/pdf"}
        fate = decide(
            status=status, url=ARTICLE_URL, headers=headers, body=pdf, tree=tree
        )
        expected = Action.NON_HTML if status == 200 else Action.HTTP_ERROR
        assert fate.action is expected
        assert "not HTML" in fate.note
        assert calls == []
        dropped = decide(status=404, url=ARTICLE_URL, headers=headers, body=pdf)
        assert dropped.reason == "status_404"

    @pytest.mark.parametrize("status", [101, 304, 600])
    def test_statuses_outside_2xx_and_4xx_are_not_read(self, status: int) -> None:
        body = read(SITES / "cloudflare_challenge.html")
        fate = decide(status=status, url=ARTICLE_URL, headers=HTML, body=body)
        assert fate.action is Action.HTTP_ERROR
        assert f"status {status} is not in NEWSCLEAN_DROP_STATUSES" in fate.note

    def test_given_tree_is_read_once_instead_of_the_body(self) -> None:
        calls: list[int] = []
        challenge = html.document_fromstring(read(SITES / "cloudflare_challenge.html"))

        def tree() -> html.HtmlElement:
            calls.append(1)
            return challenge

        fate = decide(status=200, url=ARTICLE_URL, headers=HTML, body=b"", tree=tree)
        assert fate.reason == "challenge_cloudflare"
        assert calls == [1]

    def test_never_raises_on_hostile_input(self) -> None:
        for body in (b"", b"\x00\xff" * 1000, "<html>\ud800</html>", b"<" * 10_000):
            for status in (200, 428):
                fate = decide(status=status, url="http://[::1", body=body)
                assert isinstance(fate, ResponseFate)


class TestOneSite:
    """Redirect verdicts use :func:`scrapy_newsclean._sites.site_of`."""

    @pytest.mark.parametrize(
        ("first", "final", "reason"),
        [
            (
                "https://www.interieur.gouv.fr/Actualites/Communiques/article-1",
                "https://www.interieur.gouv.fr/",
                "redirect_home",
            ),
            (
                "https://interieur.gouv.fr/Actualites/article-1",
                "https://www.interieur.gouv.fr/fr/",
                "redirect_home",
            ),
            # Another ministry's site under gouv.fr: not a redirect home.
            (
                "https://www.interieur.gouv.fr/Actualites/article-1",
                "https://www.gouv.fr/",
                None,
            ),
            (
                "https://news.bbc.co.uk/story/1",
                "https://www.bbc.co.uk/",
                "redirect_home",
            ),
            ("https://shop.co.uk/story/1", "https://news.co.uk/", None),
        ],
        ids=["same-host", "www", "other-gouv-site", "bbc", "co-uk"],
    )
    def test_redirect_home_within_a_site_only(
        self, first: str, final: str, reason: str | None
    ) -> None:
        body = read(SITES / "article.html")
        fate = decide(
            status=200, url=final, headers=HTML, body=body, redirect_urls=[first]
        )
        assert fate.reason == reason
        assert (site_of(first) == site_of(final)) is (reason is not None)

    def test_site_of_interieur_gouv_fr(self) -> None:
        assert site_of("https://www.interieur.gouv.fr/x") == "interieur.gouv.fr"


class TestPolicySettings:
    def test_defaults(self) -> None:
        policy = errorpage_policy(Settings())
        assert policy == ErrorPagePolicy()
        assert policy.drop_statuses == frozenset(_defaults.NEWSCLEAN_DROP_STATUSES)
        assert policy.soft_errors is _defaults.NEWSCLEAN_SOFT_ERRORS
        assert policy.retry_challenges == _defaults.NEWSCLEAN_RETRY_CHALLENGES

    def test_values(self) -> None:
        settings = Settings(
            {
                "NEWSCLEAN_DROP_STATUSES": "404,410",
                "NEWSCLEAN_SOFT_ERRORS": "False",
                "NEWSCLEAN_RETRY_CHALLENGES": "0",
            }
        )
        assert errorpage_policy(settings) == ErrorPagePolicy(
            frozenset({404, 410}), False, 0
        )

    @pytest.mark.parametrize(
        ("name", "value"),
        [("NEWSCLEAN_DROP_STATUSES", ["x"]), ("NEWSCLEAN_RETRY_CHALLENGES", -1)],
    )
    def test_bad_values(self, name: str, value: Any) -> None:
        with pytest.raises(ValueError, match=name):
            errorpage_policy(Settings({name: value}))

    def test_check_reports_bad_values(self, capsys: pytest.CaptureFixture[str]) -> None:
        page = str(SITES / "article.html")
        args = ["check", page, "--no-project", "-s", "NEWSCLEAN_RETRY_CHALLENGES=-1"]
        assert main(args) == 2
        assert "NEWSCLEAN_RETRY_CHALLENGES must be >= 0" in capsys.readouterr().err


class TestCheckSaysWhatTheCrawlDoes:
    def test_challenge_on_428(self, capsys: pytest.CaptureFixture[str]) -> None:
        page = str(SITES / "cloudflare_challenge.html")
        assert main(["check", page, "--no-project", "--status", "428"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "DROP challenge_cloudflare"
        assert "status: 428" in out
        assert any(
            line.startswith("note: ") and "retried up to 2 times" in line
            for line in out
        )

    def test_other_4xx_page(self, capsys: pytest.CaptureFixture[str]) -> None:
        page = str(SITES / "article.html")
        assert main(["check", page, "--no-project", "--status", "418"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "KEEP"
        assert any("HttpErrorMiddleware" in line for line in out)


def check_verdict(url: str, settings: list[str], capsys: Any) -> str:
    """The first line of ``scrapy-newsclean check URL`` and whether it retries."""
    status = main(["check", url, "--no-project", *settings])
    out = capsys.readouterr().out.splitlines()
    assert status == 0, (url, out)
    retried = any(line.startswith("note: ") and "retried" in line for line in out)
    return out[0] + (" (retried)" if retried else "")


POLICIES = {
    "defaults": {},
    "custom": {
        "NEWSCLEAN_DROP_STATUSES": "404,410,429",
        "NEWSCLEAN_RETRY_CHALLENGES": "1",
    },
    "soft-errors-off": {"NEWSCLEAN_SOFT_ERRORS": "False"},
}


class TestCrawlAndCheckAgree:
    @pytest.mark.parametrize("policy", POLICIES.values(), ids=POLICIES.keys())
    @deferred_f_from_coro_f
    async def test_same_verdicts(
        self,
        mockserver: MockServer,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        policy: dict[str, str],
    ) -> None:
        urls = [mockserver.url(path) for path in paths()]
        rejects = tmp_path / "rejects.jsonl"
        result = await crawl(
            urls,
            {
                "ADDONS": {Addon: 500},
                "NEWSCLEAN_STORE": "memory://",
                "HTTPERROR_ALLOW_ALL": True,
                "NEWSCLEAN_REJECTS": str(rejects),
                **policy,
            },
            spidercls=FirstUrlSpider,
        )
        crawled: dict[str, str] = {}
        for item in result.items:
            crawled[item["url"]] = "KEEP"
        for line in rejects.read_text().splitlines():
            record = json.loads(line)
            assert record["url"] not in crawled, record
            crawled[record["url"]] = f"DROP {record['reason']}"
        assert set(crawled) == set(urls)

        flags = [
            arg for name, value in policy.items() for arg in ("-s", f"{name}={value}")
        ]
        checked = {url: check_verdict(url, flags, capsys) for url in urls}
        assert {url: v.removesuffix(" (retried)") for url, v in checked.items()} == (
            crawled
        )
        retried = sum(v.endswith(" (retried)") for v in checked.values())
        assert result.stat("newsclean/error_page/retry/max_reached") == (
            retried or None
        )

        if not policy:
            # The cases the old check got wrong, and a few that it got right.
            expected = {
                "/status/428/cloudflare_challenge.html": "DROP challenge_cloudflare",
                "/vendor/428/akamai_sec_cpt.html": "DROP challenge_akamai",
                "/vendor/405/aws_waf_challenge.html": "DROP challenge_aws_waf",
                "/vendor/405/f5_asm_request_rejected.html": "KEEP",
                "/status/418/article.html": "KEEP",
                "/status/200/soft404.html": "DROP soft_404",
                "/vendor/200/login_continue_reading_en.html": "DROP login_wall",
                "/status/403/article.html": "DROP status_403",
                "/redirect/301?to=/": "DROP redirect_home",
                "/redirect/302?to=/site/article.html": "KEEP",
                "/redirect/302?to=/status/404/article.html": "DROP status_404",
            }
            assert {p: crawled[mockserver.url(p)] for p in expected} == expected

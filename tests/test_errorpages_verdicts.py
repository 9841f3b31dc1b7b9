"""The crawl's verdict on every page fixture, against the full signals and pinned.

:func:`classify` (what the crawl calls) reads a page lazily: its cheap
sufficient tests come first and a measure is read only when the verdict may
need it. It must decide as :func:`_decide` does on :func:`page_signals`
(every measure read), on every page fixture of the suite and on variants of
each carrying an error title, heading, message or vendor marker (the gates
in between are where the two could part). ``verdicts.json`` pins the verdicts
themselves, sizes included: regenerate it with ``python -m
tests.test_errorpages_verdicts`` only for a change of behaviour meant as one.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from scrapy.http import HtmlResponse

from scrapy_newsclean.errorpages._classify import _decide, classify, page_signals

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml import etree

    from scrapy_newsclean.errorpages import PageVerdict

TESTS = Path(__file__).parent
FOLDERS = [
    "fixtures/errorpages",
    "fixtures/page_evidence",
    "fixtures/redteam/articles",
    "fixtures/redteam/errors",
    "fixtures/seeds",
    "fixtures/vendors/articles",
    "fixtures/vendors/blocks",
    "sites",
]
PAGES = sorted(
    str(path.relative_to(TESTS))
    for folder in FOLDERS
    for path in (TESTS / folder).iterdir()
    if path.name.endswith((".html", ".html.gz"))
)
PINNED = TESTS / "fixtures" / "errorpages" / "verdicts.json"
URL = "https://news.example/2024/05/14/harbour-plan-approved.html"
HTML = {"content-type": "text/html; charset=utf-8", "server": "nginx"}
CHALLENGE = {**HTML, "cf-mitigated": "challenge"}


def _title(text: bytes) -> Callable[[bytes], bytes]:
    return lambda body: re.sub(
        rb"(?is)<title[^>]*>.*?</title>", b"<title>" + text + b"</title>", body, count=1
    )


def _after(tag: bytes, markup: bytes) -> Callable[[bytes], bytes]:
    return lambda body: re.sub(
        rb"(?is)(<" + tag + rb"(?:\s[^>]*)?>)", rb"\1" + markup, body, count=1
    )


VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    "as_served": lambda body: body,
    "error_title": _title(b"404 Not Found"),
    "challenge_title": _title(b"Just a moment..."),
    "login_title": _title(b"Sign in"),
    "error_heading": _after(b"body", b"<h1>Page not found</h1>"),
    "blocked_heading": _after(
        b"body",
        b"<h1>Access denied</h1><p>You don't have permission to access this page.</p>",
    ),
    "error_message": _after(
        b"body", b"<div>Sorry, the page you requested could not be found.</div>"
    ),
    "vendor_marker": _after(b"head", b"<script>var cf_chl_opt={};</script>"),
}


def page_bytes(name: str) -> bytes:
    data = (TESTS / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def crawl_tree(body: bytes) -> etree._Element:
    """The tree the middleware classifies: the one Scrapy parses for the spider."""
    root: etree._Element = HtmlResponse(URL, body=body, headers=HTML).selector.root
    return root


def pinned_form(verdict: PageVerdict) -> str:
    """The reason, the places of its hits and the visible-text size it was
    decided at (``soft_404 title+h1 812``), or the status alone."""
    places = re.findall(r"(?:^|; )(\w+)=['\"]", verdict.detail)
    size = re.search(r"text_chars=(\d+)$", verdict.detail)
    found = [verdict.reason, "+".join(places), size.group(1) if size else ""]
    return " ".join(part for part in found if part)


def verdicts() -> dict[str, dict[str, str]]:
    """Every page and variant served with 200 and 403, as the crawl reads it
    (a 403 left to its status is not listed)."""
    found: dict[str, dict[str, str]] = {}
    for name in PAGES:
        for variant, make in VARIANTS.items():
            body = make(page_bytes(name))
            tree = crawl_tree(body)
            for status in (200, 403):
                verdict = classify(
                    status=status, url=URL, headers=HTML, body=body, root=tree
                )
                if verdict is not None and verdict.reason != f"status_{status}":
                    found.setdefault(name, {})[f"{variant} {status}"] = pinned_form(
                        verdict
                    )
    return found


def test_the_fixtures_are_found() -> None:
    assert len(PAGES) > 200
    assert all(PAGES.count(name) == 1 for name in PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_verdict_is_the_decision_on_full_signals(name: str) -> None:
    for variant, make in VARIANTS.items():
        body = make(page_bytes(name))
        roots = [crawl_tree(body), None]
        header_sets = [HTML, CHALLENGE]
        if variant != "as_served":
            roots, header_sets = roots[:1], header_sets[:1]
        for root in roots:
            for headers in header_sets:
                signals = page_signals(headers=headers, body=body, root=root)
                case = (variant, root is not None, headers is CHALLENGE)
                soft = classify(
                    status=200, url=URL, headers=headers, body=body, root=root
                )
                assert soft == _decide(signals), case
                # Another 4xx status: a vendor challenge only.
                other = classify(
                    status=428, url=URL, headers=headers, body=body, root=root
                )
                assert other == _decide(signals, challenges_only=True), case


def test_verdicts_are_pinned() -> None:
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    found = verdicts()
    for name in sorted(pinned.keys() | found.keys()):
        assert found.get(name) == pinned.get(name), name


def _pin() -> None:
    found = verdicts()
    lines = [f"{json.dumps(name)}: {json.dumps(found[name])}" for name in sorted(found)]
    PINNED.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"{len(found)} pages pinned in {PINNED}", file=sys.stderr)


if __name__ == "__main__":
    _pin()

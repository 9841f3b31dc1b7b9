"""The signature table's matches in each part of a page (errorpages._hits)."""

from __future__ import annotations

import pytest
from lxml import html

from scrapy_newsclean._regex_literals import (
    ascii_folded,
    required_literals,
    top_alternatives,
)
from scrapy_newsclean.errorpages._hits import (
    _prefilter,
    header_hits,
    literal_hits,
    markup_window,
    present_literals,
    search_hits,
    short_hits,
    title_segments,
)
from scrapy_newsclean.errorpages._page_reading import normalize_text
from scrapy_newsclean.errorpages._signature_files import read_signature_rows
from scrapy_newsclean.errorpages._signatures import (
    MARKUP_HEAD_BYTES,
    MARKUP_TAIL_BYTES,
    SIGNATURES,
)


def test_header_hits_name_the_vendor_and_the_header_line() -> None:
    headers = {"CF-Mitigated": "challenge", "Server": "cloudflare"}
    assert list(header_hits(headers)) == [
        ("challenge_cloudflare", "header", "cf-mitigated: challenge")
    ]
    assert list(header_hits({"Server": "cloudflare", "CF-RAY": "8a1b"})) == []
    assert list(header_hits(None)) == []
    assert list(header_hits({})) == []


def test_title_segments_split_on_site_name_separators() -> None:
    assert title_segments("Page not found | The Example Gazette") == [
        "Page not found | The Example Gazette",
        "Page not found",
        "The Example Gazette",
    ]
    assert title_segments("Council approves budget") == ["Council approves budget"]
    assert title_segments("") == []


def test_short_hits_when_the_phrase_is_nearly_the_whole_title() -> None:
    hits = list(short_hits("title", title_segments("Page not found | Example News")))
    assert {reason for reason, _, _ in hits} == {"soft_404"}
    assert ("soft_404", "title", "Page not found") in hits
    assert list(short_hits("h1", ["Access Denied"])) == [
        ("blocked", "h1", "Access Denied")
    ]


def test_short_hits_ignore_headlines_quotes_and_long_texts() -> None:
    headline = (
        "Why page not found errors still haunt web developers, and how to fix them"
    )
    assert list(short_hits("title", [headline])) == []
    assert list(short_hits("title", ['"Page not found": a new play opens'])) == []
    assert list(short_hits("title", ["Access denied " * 30])) == []
    assert list(short_hits("title", ["", "Council approves budget"])) == []


def test_short_hits_are_the_same_from_the_memo() -> None:
    first = list(short_hits("title", ["Just a moment..."]))
    assert first == [("challenge_cloudflare", "title", "Just a moment...")]
    assert list(short_hits("title", ["Just a moment..."])) == first


def test_search_hits_report_the_matched_phrase() -> None:
    text = "performance & security by cloudflare. ray id: 8a1b2c3d4e5f6a7b"
    assert list(search_hits("text", text)) == [
        ("challenge_cloudflare", "text", "performance & security by cloudflare"),
        ("challenge_cloudflare", "text", "ray id: 8a1b2c3d4e5f6a7b"),
    ]
    assert list(search_hits("text", "the council met on tuesday")) == []
    assert list(search_hits("text", "")) == []


def test_present_literals_agree_for_bytes_and_str() -> None:
    markup = (
        '<html><head><script src="/cdn-cgi/challenge-platform/h/b/orch.js">'
        "</script></head><body>window._cf_chl_opt = {}</body></html>"
    )
    found = present_literals(markup.encode())
    assert {"cf_chl_", "/cdn-cgi/", "challenge-platform/h/b/orch"} <= found
    assert present_literals(markup) == found
    assert present_literals(b"<html><body><p>an article</p></body></html>") == set()


def test_literal_hits_yield_each_rows_first_present_literal() -> None:
    present = present_literals(b"<script>window._cf_chl_opt = {}</script>")
    assert list(literal_hits("markup", present)) == [
        ("challenge_cloudflare", "markup", "cf_chl_")
    ]
    assert list(literal_hits("markup", set())) == []
    stub = present_literals(b'<script src="/cdn-cgi/x.js"></script>')
    assert ("challenge_cloudflare", "stub", "/cdn-cgi/") in list(
        literal_hits("stub", stub)
    )


def test_markup_window_keeps_head_and_tail_lowercased() -> None:
    body = b"<HTML><HEAD>" + b"x" * 200_000 + b"<FOOTER>CF_CHL_</FOOTER></HTML>"
    window = markup_window(body, None)
    assert isinstance(window, bytes)
    assert len(window) == MARKUP_HEAD_BYTES + MARKUP_TAIL_BYTES
    assert window.startswith(b"<html><head>")
    assert window.endswith(b"<footer>cf_chl_</footer></html>")
    short = "<HTML><BODY>Just A Moment</BODY></HTML>"
    assert markup_window(short, None) == short.lower()


def test_markup_window_serialises_the_tree_without_a_body() -> None:
    tree = html.document_fromstring("<html><body><P>Hi There</P></body></html>")
    assert markup_window(b"", tree) == "<html><body><p>hi there</p></body></html>"
    assert markup_window(b"", None) == b""


def _variants(text: str) -> list[str]:
    """A text as written, in other cases, with the letters re.IGNORECASE takes
    for ASCII ones, normalized and inside a site's title."""
    return [
        text,
        text.upper(),
        text.title(),
        normalize_text(text),
        text.replace("s", "\u017f").replace("i", "\u0131").replace("k", "\u212a"),
        text.replace("I", "\u0130").replace("K", "\u212a").upper(),
        f"{text} | The Harbour Post",
        f"Oops! {text} — 404",
    ]


ROW_TEXTS = sorted(
    {
        variant
        for row in read_signature_rows()
        for text in (*row.examples, *row.traps)
        for variant in _variants(text)
    }
)


@pytest.mark.parametrize("where", ["title", "h1"])
def test_prefilter_never_misses_a_row_match(where: str) -> None:
    prefilter = _prefilter(where)
    assert prefilter is not None
    rows = [row for row in SIGNATURES if row.where == where]
    matched = [t for t in ROW_TEXTS if any(row.pattern.search(t) for row in rows)]
    assert len(matched) > 100
    missed = [text for text in matched if not prefilter.may_match(text)]
    assert not missed


@pytest.mark.parametrize("where", ["title", "h1"])
def test_prefilter_skips_ordinary_headlines(where: str) -> None:
    prefilter = _prefilter(where)
    assert prefilter is not None
    assert prefilter.anchors  # most alternatives are looked up, not searched
    for headline in [
        "council approves harbour budget | the harbour post",
        "the captain’s log – a summer on the fjords",  # noqa: RUF001
        "dortmund: neue radwege für die innenstadt",
        "東京都、新たな防災計画を発表",
        "путин провёл встречу с губернатором",  # noqa: RUF001
    ]:
        assert not prefilter.may_match(headline), headline
    assert prefilter.may_match("404 - seite nicht gefunden")
    assert prefilter.may_match("страница не найдена")


@pytest.mark.parametrize("where", ["title", "h1"])
def test_prefilter_covers_every_alternative(where: str) -> None:
    # Each alternative of each row: one of its required strings is in every
    # match, so each such string must pass the test (or the alternative be
    # searched as it is).
    prefilter = _prefilter(where)
    assert prefilter is not None
    for row in SIGNATURES:
        if row.where != where:
            continue
        for alternative in top_alternatives(row.pattern.pattern):
            rest = prefilter.rest
            if rest is not None and f"(?:{alternative})" in rest.pattern:
                continue
            required = required_literals(alternative)
            assert required, alternative
            for text in required:
                folded = ascii_folded(text)
                if any(anchor in folded for anchor in prefilter.anchors):
                    continue
                assert prefilter.scripts is not None
                assert prefilter.script_chars is not None
                assert f"(?:{alternative})" in prefilter.scripts.pattern
                assert prefilter.script_chars.search(text), (alternative, text)

"""The signature table's matches in each part of a page (errorpages._hits)."""

from __future__ import annotations

from lxml import html

from scrapy_newsclean.errorpages._hits import (
    header_hits,
    literal_hits,
    markup_window,
    present_literals,
    search_hits,
    short_hits,
    title_segments,
)
from scrapy_newsclean.errorpages._signatures import (
    MARKUP_HEAD_BYTES,
    MARKUP_TAIL_BYTES,
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

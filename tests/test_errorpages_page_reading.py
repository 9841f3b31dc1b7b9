"""What the error-page classifier reads from a page (errorpages._page_reading)."""

from __future__ import annotations

import re

import pytest

from scrapy_newsclean.errorpages._page_reading import (
    PARAGRAPH_CHARS,
    TEXT_ESTIMATE,
    _is_code,
    declares_publication,
    is_article,
    is_html,
    is_stub,
    normalize_text,
    page_title,
    parse_page,
    plain_message,
    visible_text,
)

NOT_FOUND_PAGE = b"""<!DOCTYPE html>
<html><head><title>Page not found | The Example Gazette</title></head>
<body>
  <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
  <script>window.dataLayer = window.dataLayer || [];</script>
  <h1>Sorry, we could not find that page</h1>
  <p>It may have been moved or deleted.</p>
</body></html>"""

ARTICLE_PAGE = b"""<html><head>
<title>Council approves new harbour budget - The Example Gazette</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-03-05T09:00:00Z">
</head><body><article><h1>Council approves new harbour budget</h1>
<p>The city council voted 7-2 on Tuesday to approve the harbour budget.</p>
</article></body></html>"""


def tree(body: bytes | str):  # type: ignore[no-untyped-def]
    parsed = parse_page(body)
    assert parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"content-type": "Text/HTML; charset=utf-8"}, b"anything", True),
        ({"content-type": "application/json"}, b"<html><body>x</body></html>", False),
        ({"content-type": "text/html"}, b"%PDF-1.7 binary", False),
        (None, b"\xef\xbb\xbf  <!DOCTYPE html><html></html>", True),
        ({"content-type": "text/plain"}, b"<div>Sorry</div>", True),
        ({"content-type": "application/octet-stream"}, b"plain words", False),
        (None, b"\x89PNG\r\n\x1a\n....", False),
        (None, "<html><body>str body</body></html>", True),
        (None, b"", False),
    ],
    ids=[
        "declared-html",
        "declared-json",
        "pdf-magic-wins",
        "bom-and-doctype",
        "text-plain-sniffed",
        "octet-stream-text",
        "png-magic",
        "str-body",
        "empty",
    ],
)
def test_is_html(
    headers: dict[str, str] | None, body: bytes | str, expected: bool
) -> None:
    assert is_html(headers, body) is expected


def test_parse_page_decodes_utf8_without_a_charset() -> None:
    body = "<html><body><p>Résumé: ça coûte 5 €</p></body></html>".encode()
    assert tree(body).findtext(".//p") == "Résumé: ça coûte 5 €"
    # A multi-byte character cut at the end is still read as UTF-8.
    assert tree(body + "é".encode()[:1]).findtext(".//p") == "Résumé: ça coûte 5 €"
    # Not UTF-8: lxml's own guess (Latin-1) applies.
    latin = "<html><body><p>Résumé</p></body></html>".encode("latin-1")
    assert tree(latin).findtext(".//p") == "Résumé"


@pytest.mark.parametrize("body", [b"", b"  \n\t ", ""], ids=["empty", "blank", "str"])
def test_parse_page_of_nothing_is_none(body: bytes | str) -> None:
    assert parse_page(body) is None


def test_page_title_is_normalised_and_falls_back_to_any_title() -> None:
    assert page_title(tree(NOT_FOUND_PAGE)) == "page not found | the example gazette"
    body_title = (
        b"<html><body><title>  Just\n a   MOMENT </title><p>x</p></body></html>"
    )
    assert page_title(tree(body_title)) == "just a moment"
    assert page_title(tree(b"<html><body><p>No title</p></body></html>")) == ""


def test_visible_text_skips_links_scripts_and_code() -> None:
    chars, head = visible_text(tree(NOT_FOUND_PAGE))
    assert head == (
        "sorry, we could not find that page it may have been moved or deleted."
    )
    assert chars == len(head)
    code = "var _0x1a2b=[" + "'\\x61'," * 30 + "];"
    page = f"<html><body><div>{code}</div><p>Short message.</p></body></html>"
    assert visible_text(tree(page)) == (len("Short message."), "short message.")


def test_visible_text_skips_blank_nodes_of_any_whitespace() -> None:
    # Blank nodes are dropped in the XPath (XML whitespace) or once stripped
    # (no-break and other spaces): neither counts nor joins the message.
    page = (
        "<html><body><div>\n  <span>One</span>\t\r\n<span>\xa0\u2003</span>"
        "<b> \xa0two\xa0 </b>\x1c<i>\u3000</i></div></body></html>"
    )
    assert visible_text(tree(page)) == (len("One two"), "one two")


@pytest.mark.parametrize(
    "text",
    [
        "The council approved the harbour budget on Tuesday, after a long debate.",
        "“Quoted” prose — with curly quotes, dashes and an ellipsis… in it.",
        "東京都は新たな防災計画を発表した。避難所の数を増やし、備蓄を見直す。",
        "var _0x1a2b=['\\x61','\\x62','\\x63'];(function(_0x2d8f05,_0x4b81bb){})",
        "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((",
        "a=b;c=d;e=f;g=h;i=j;k=l;m=n;o=p;q=r;s=t;u=v;w=x;y=z;a=b;c=d;e=f;g=h;",
        "«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»«»ab",
        "\x1c\x1d\x1e\x1f" * 30,
        "é!" * 60,
        "ab!?" * 30,
        "ab!!!" * 30,
    ],
)
def test_is_code_is_the_symbol_share(text: str) -> None:
    # The byte-count shortcut gives what the regex alone gives.
    assert _is_code(text) == (len(re.sub(r"[^\w\s]+", "", text)) * 2 < len(text))


def test_xpath_sizes_count_paragraphs_and_text_outside_links() -> None:
    page = tree(NOT_FOUND_PAGE)
    assert PARAGRAPH_CHARS(page) == len("It may have been moved or deleted.")
    estimate = TEXT_ESTIMATE(page)
    assert 60 <= estimate <= 80  # h1 + p, without the nav links and the script


def test_is_article_and_declared_publication() -> None:
    article = tree(ARTICLE_PAGE)
    assert is_article(article)
    assert declares_publication(article)
    error = tree(NOT_FOUND_PAGE)
    assert not is_article(error)
    assert not declares_publication(error)
    assert not is_article(None)
    assert is_article(tree(b"<html><body><article><p>x</p></article></body></html>"))
    ld_json = (
        b'<html><head><script type="application/ld+json">{"@type": "NewsArticle",'
        b' "datePublished": "2024-03-05"}</script></head><body><p>x</p></body></html>'
    )
    assert declares_publication(tree(ld_json))
    web_page = ld_json.replace(b"NewsArticle", b"WebPage")
    assert not declares_publication(tree(web_page))


def test_is_stub_only_for_cdn_scripts_and_nothing_else() -> None:
    stub = (
        b'<html><body><script src="/cdn-cgi/challenge-platform/h/b/orch.js"></script>'
        b"<noscript>Enable JavaScript</noscript></body></html>"
    )
    assert is_stub(tree(stub))
    own_script = stub.replace(b"/cdn-cgi/challenge-platform/h/b", b"/static/app")
    assert not is_stub(tree(own_script))
    assert not is_stub(tree(NOT_FOUND_PAGE))


def test_plain_message_and_normalize_text() -> None:
    assert normalize_text("  Service \n\t UNAVAILABLE  ") == "service unavailable"
    assert plain_message(b"Not Found\n\nThe requested URL was not found.") == (
        "not found the requested url was not found."
    )
    assert plain_message("x" * 5000) == "x" * 600
    assert plain_message(b"caf\xc3") == "caf\ufffd"

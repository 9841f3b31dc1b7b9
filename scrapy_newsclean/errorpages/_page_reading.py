"""Pure: what the error-page classifier reads from a page.

The title, the size of the paragraph and visible text, the first visible
words, whether the page declares itself an article or a publication date,
whether it is HTML at all, and lxml parsing of raw bodies. Sizes are read with
compiled XPath expressions, evaluated in C on the tree Scrapy already parsed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree, html

from scrapy_newsclean.errorpages import _signatures as sig

if TYPE_CHECKING:
    from collections.abc import Mapping

# Bodies larger than this are parsed only up to it (CLI/benchmark path).
_MAX_PARSE_BYTES = 4 * 1024 * 1024
_SNIFF_BYTES = 1024
# "descendant::" rather than "//": libxml2 evaluates predicates after "//" per
# parent node, which is many times slower on deep pages.
PARAGRAPH_CHARS = etree.XPath(
    "string-length(str:concat(/html/body/descendant::p/text()))",
    namespaces={"str": "http://exslt.org/strings"},
)
# Visible text outside links, scripts and styles, in C (no per-node predicate).
TEXT_ESTIMATE = etree.XPath(
    "string-length(normalize-space(/html/body))"
    " - string-length(normalize-space(str:concat("
    "/html/body/descendant::a/descendant::text())))"
    " - string-length(normalize-space(str:concat("
    "/html/body/descendant::script/text() | /html/body/descendant::style/text())))",
    namespaces={"str": "http://exslt.org/strings"},
)
# Whitespace-only nodes (most of a page's text nodes, and blank once stripped)
# are dropped first, in C: fewer ancestor walks, fewer Python strings.
_VISIBLE_TEXT = etree.XPath(
    "/html/body/descendant::text()[normalize-space()][not(ancestor::a)]"
    "[not(parent::script)][not(parent::style)][not(parent::template)]",
    smart_strings=False,
)
_BODY_NON_SCRIPT = etree.XPath(
    "/html/body/descendant::*[not(self::script or self::noscript or self::br)]"
)
_SCRIPT_SRCS = etree.XPath("/descendant::script/@src", smart_strings=False)
PASSWORD_INPUT = etree.XPath("/descendant::input[@type='password']")
_PUBLISHED = etree.XPath(sig.PUBLISHED_XPATH)
_SPACES = re.compile(r"\s+")
_SYMBOLS = re.compile(r"[^\w\s]+")
# The ASCII characters _SYMBOLS leaves (\w and \s).
_ASCII_WORD_OR_SPACE = bytes(c for c in range(128) if not _SYMBOLS.match(chr(c)))


def is_html(headers: Mapping[str, str] | None, body: bytes | str) -> bool:
    """Whether the response is an HTML document (by content-type, else sniffing).

    A declared non-HTML type (JSON, PDF, images, XML feeds...) is trusted;
    ``text/plain``, ``application/octet-stream`` or no type are sniffed.
    """
    ctype = str((headers or {}).get("content-type") or "")
    ctype = ctype.split(";", 1)[0].strip().lower()
    head = _head_bytes(body)
    if head.startswith((b"%pdf", b"\x89png", b"gif8", b"\xff\xd8", b"pk\x03\x04")):
        return False
    if "html" in ctype:
        return True
    if ctype and ctype not in {"text/plain", "application/octet-stream"}:
        return False
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return True
    return head.startswith(b"<") and any(
        tag in head for tag in (b"<html", b"<head", b"<body", b"<title", b"<div")
    )


def page_title(tree: etree._Element) -> str:
    element = tree.find("head/title")
    if element is None:
        element = tree.find(".//title")
    return "" if element is None else normalize_text(element.text_content())


def visible_text(tree: etree._Element) -> tuple[int, str]:
    """Count visible characters outside links and keep the first ones."""
    chars = 0
    head: list[str] = []
    head_len = 0
    for node in _VISIBLE_TEXT(tree):
        text = node.strip()
        if not text or (len(text) > 80 and _is_code(text)):
            continue
        chars += len(text) + 1
        if head_len < sig.MESSAGE_CHARS:
            head.append(text)
            head_len += len(text) + 1
    return max(chars - 1, 0), normalize_text(" ".join(head))[: sig.MESSAGE_CHARS]


def is_article(tree: etree._Element | None) -> bool:
    """Whether the page declares itself an article (then body phrases are quotes)."""
    if tree is None:
        return False
    og_type = tree.find("head/meta[@property='og:type']")
    if og_type is not None and og_type.get("content", "").lower().startswith("article"):
        return True
    if tree.find("head/meta[@property='article:published_time']") is not None:
        return True
    return tree.find(".//article") is not None


def _is_code(text: str) -> bool:
    """Mostly symbols (obfuscated JavaScript in a hidden element), not prose."""
    ascii_text = text.encode("ascii", "ignore")
    # At most the ASCII symbols and every other character: prose is settled
    # by a byte count, without the regex (a quarter of the visible-text time).
    symbols = len(ascii_text.translate(None, _ASCII_WORD_OR_SPACE))
    if (len(ascii_text) - symbols) * 2 >= len(text):
        return False
    return len(_SYMBOLS.sub("", text)) * 2 < len(text)


def is_stub(tree: etree._Element) -> bool:
    """A body holding nothing but scripts loaded from the site's own CDN paths."""
    if _BODY_NON_SCRIPT(tree):
        return False
    return all(str(src).startswith("/cdn-cgi/") for src in _SCRIPT_SRCS(tree))


def parse_page(body: bytes | str) -> etree._Element | None:
    data = body.encode("utf-8", "replace") if isinstance(body, str) else body
    data = data[:_MAX_PARSE_BYTES]
    if not data.strip():
        return None
    parser = html.HTMLParser(encoding="utf-8") if _is_utf8(data) else None
    try:
        tree: etree._Element = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return tree


def _is_utf8(data: bytes) -> bool:
    """Valid UTF-8 (lxml would otherwise guess Latin-1 without a meta charset)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"
    return True


def plain_message(body: bytes | str) -> str:
    if isinstance(body, bytes):
        body = body[: sig.MESSAGE_CHARS].decode("utf-8", "replace")
    return normalize_text(body[: sig.MESSAGE_CHARS])


def normalize_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def _head_bytes(body: bytes | str) -> bytes:
    if isinstance(body, str):
        body = body[:_SNIFF_BYTES].encode("utf-8", "replace")
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n\x00\xfe\xff")
    return head.lower()


def declares_publication(tree: etree._Element) -> bool:
    """Whether the page declares a publication date (``sig.PUBLISHED_XPATH``)."""
    return bool(_PUBLISHED(tree))

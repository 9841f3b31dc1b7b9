"""Pure classifier for error, block, challenge and soft-404 pages.

:func:`classify` decides from strong signals only: the HTTP status, decisive
headers, the title and ``<h1>`` headings, vendor markers in the markup and the
amount of visible text. Body-wide markers are only looked at on pages with
little visible text, so a real article that merely mentions "404", "captcha"
or "access denied", or embeds a bot-detection script, is kept.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree, html

from scrapy_newsclean import errorpage_signatures as sig

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

__all__ = [
    "DEFAULT_DROP_STATUSES",
    "PageSignals",
    "PageVerdict",
    "classify",
    "is_html",
    "page_signals",
]

DEFAULT_DROP_STATUSES: frozenset[int] = frozenset(
    {401, 403, 404, 410, 429, 451, *range(500, 600)}
)
# Statuses whose body may be a vendor challenge worth retrying.
_CHALLENGE_STATUSES = frozenset({403, 429, 503})
# Bodies larger than this are parsed only up to it (CLI/benchmark path).
_MAX_PARSE_BYTES = 4 * 1024 * 1024
_SNIFF_BYTES = 1024

# "descendant::" rather than "//": libxml2 evaluates predicates after "//" per
# parent node, which is many times slower on deep pages.
_PARAGRAPH_CHARS = etree.XPath(
    "string-length(str:concat(/html/body/descendant::p/text()))",
    namespaces={"str": "http://exslt.org/strings"},
)
# Visible text outside links, scripts and styles, in C (no per-node predicate).
_TEXT_ESTIMATE = etree.XPath(
    "string-length(normalize-space(/html/body))"
    " - string-length(normalize-space(str:concat("
    "/html/body/descendant::a/descendant::text())))"
    " - string-length(normalize-space(str:concat("
    "/html/body/descendant::script/text() | /html/body/descendant::style/text())))",
    namespaces={"str": "http://exslt.org/strings"},
)
_VISIBLE_TEXT = etree.XPath(
    "/html/body/descendant::text()[not(ancestor::a)][not(parent::script)]"
    "[not(parent::style)][not(parent::template)]",
    smart_strings=False,
)
_BODY_NON_SCRIPT = etree.XPath(
    "/html/body/descendant::*[not(self::script or self::noscript or self::br)]"
)
_SCRIPT_SRCS = etree.XPath("/descendant::script/@src", smart_strings=False)
_PASSWORD_INPUT = etree.XPath("/descendant::input[@type='password']")
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")
_SYMBOLS = re.compile(r"[^\w\s]+")


@dataclass(frozen=True, slots=True)
class PageVerdict:
    """Why a response is not a normal page (``reason`` is a stats token)."""

    reason: str
    detail: str
    challenge: bool


@dataclass(frozen=True, slots=True)
class PageSignals:
    """The evidence :func:`classify` reads from one page (printed by the CLI).

    ``text_chars`` counts visible characters outside links, scripts and styles;
    ``hits`` holds ``(reason, where, matched text)`` for every signature that
    matched, before the text-size gates of :func:`classify` are applied;
    ``article`` tells that the page declares itself an article (Open Graph,
    ``<article>``), which vetoes the weak ``lead`` hits.
    """

    title: str
    headings: tuple[str, ...]
    text_chars: int
    message: str
    hits: tuple[tuple[str, str, str], ...]
    article: bool = False

    def describe(self) -> str:
        """One line summarising the signals, e.g. for logs or ``check``."""
        parts = [f"{where}={text[:60]!r}" for _, where, text in self.hits]
        parts.append(f"text_chars={self.text_chars}")
        if self.title:
            parts.insert(0, f"title={self.title[:80]!r}")
        return "; ".join(parts)


def classify(
    *,
    status: int,
    url: str,
    headers: Mapping[str, str] | None = None,
    body: bytes | str = b"",
    root: html.HtmlElement | None = None,
    redirect_urls: Sequence[str] = (),
    drop_statuses: Collection[int] = DEFAULT_DROP_STATUSES,
) -> PageVerdict | None:
    """Return why the response is an error/block/soft-error page, or ``None``.

    ``root`` is an already-parsed lxml tree of ``body`` (never re-parsed when
    given). Never raises: unparsable bodies are judged on status and headers.
    """
    if status in drop_statuses:
        if status not in _CHALLENGE_STATUSES:
            return PageVerdict(f"status_{status}", f"status={status}", False)
        signals = page_signals(headers=headers, body=body, root=root)
        verdict = _decide(signals, challenges_only=True)
        if verdict is not None:
            return verdict
        return PageVerdict(f"status_{status}", f"status={status}", status == 429)
    if not 200 <= status < 300:
        return None
    verdict = _redirect_verdict(url, redirect_urls)
    if verdict is not None:
        return verdict
    return _decide(page_signals(headers=headers, body=body, root=root))


def page_signals(
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | str = b"",
    root: html.HtmlElement | None = None,
) -> PageSignals:
    """Extract the title, headings, visible-text size and signature hits.

    On text-rich pages extraction stops early: ``text_chars`` is then the
    paragraph text (a lower bound) or an estimate, and headings are not read.
    """
    tree = root if isinstance(root, etree._Element) else _parse(body)
    hits = [*_header_hits(headers)]
    title = "" if tree is None else _title(tree)
    hits.extend(_short_hits("title", _segments(title)))
    if tree is not None:
        titled = any(hit[1] == "title" for hit in hits)
        size = _quick_size(tree, _largest_gate(hits), estimate=not titled)
        if size is not None:
            return PageSignals(title, (), size, "", tuple(hits))
    headings: tuple[str, ...] = ()
    chars, message = 0, _plain_message(body)
    if tree is not None:
        headings = tuple(
            _normalize(h.text_content()) for h in islice(tree.iter("h1"), 3)
        )
        chars, message = _visible_text(tree)
    hits.extend(_short_hits("h1", headings))
    if chars < sig.MAX_TEXT_FOR_MESSAGE:
        hits.extend(_search_hits("text", message))
        hits.extend(_search_hits("lead", message[: sig.LEAD_CHARS]))
    if chars < sig.MAX_TEXT_FOR_MARKUP:
        markup = _markup(body, tree)
        hits.extend(_literal_hits("markup", markup))
        if chars == 0 and tree is not None and _is_stub(tree):
            hits.extend(_literal_hits("stub", markup))
    if tree is None or not _PASSWORD_INPUT(tree):
        hits = [hit for hit in hits if hit[0] != "login_wall"]
    article = any(hit[1] == "lead" for hit in hits) and _is_article(tree)
    return PageSignals(title, headings, chars, message, tuple(hits), article)


def _largest_gate(hits: Iterable[tuple[str, str, str]]) -> int:
    """Visible-text size above which none of ``hits`` nor any later hit counts."""
    gates = [_gate(reason, where) for reason, where, _ in hits if where != "header"]
    return max([sig.MAX_TEXT_FOR_TITLE, *gates])


def _quick_size(tree: etree._Element, gate: int, *, estimate: bool) -> int | None:
    """A cheap visible-text size when it already rules every hit out, else None.

    The estimate counts hidden obfuscated scripts too (challenge pages pad with
    them), so it is only used without a title hit, and with a margin.
    """
    paragraphs = int(_PARAGRAPH_CHARS(tree))
    if paragraphs >= gate or not estimate:
        return paragraphs if paragraphs >= gate else None
    size = int(_TEXT_ESTIMATE(tree))
    return size if size >= gate * 5 // 4 else None


def _title(tree: etree._Element) -> str:
    element = tree.find("head/title")
    if element is None:
        element = tree.find(".//title")
    return "" if element is None else _normalize(element.text_content())


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


def _decide(
    signals: PageSignals, *, challenges_only: bool = False
) -> PageVerdict | None:
    """Pick the most specific reason among the hits that pass the size gates."""
    found: dict[str, list[str]] = {}
    for reason, where, text in signals.hits:
        if challenges_only and not reason.startswith("challenge_"):
            continue
        if where == "lead" and signals.article:
            continue
        if signals.text_chars < _gate(reason, where):
            found.setdefault(reason, []).append(f"{where}={text[:60]!r}")
    for reason in sig.REASON_PRIORITY:
        if reason in found:
            detail = "; ".join([*found[reason], f"text_chars={signals.text_chars}"])
            return PageVerdict(reason, detail, reason in sig.RETRYABLE_REASONS)
    return None


def _gate(reason: str, where: str) -> int:
    """Visible-text size under which a hit of ``reason`` in ``where`` may decide."""
    if where == "header":
        return sys.maxsize
    if where == "title":
        return sig.MAX_TEXT_FOR_TITLE_BY_REASON.get(reason, sig.MAX_TEXT_FOR_TITLE)
    if where == "h1":
        return sig.MAX_TEXT_FOR_TITLE
    if where in {"text", "lead"}:
        return sig.MAX_TEXT_FOR_MESSAGE
    return sig.MAX_TEXT_FOR_MARKUP


def _header_hits(headers: Mapping[str, str] | None) -> Iterable[tuple[str, str, str]]:
    if not headers:
        return
    lines = [f"{str(k).lower()}: {v!s}" for k, v in headers.items()]
    for row in sig.SIGNATURES:
        if row.where == "header":
            for line in lines:
                if row.pattern.search(line):
                    yield row.reason, "header", line[:80]


def _short_hits(where: str, texts: Iterable[str]) -> Iterable[tuple[str, str, str]]:
    """Hits where the matched phrase is (nearly) all the text: no headlines."""
    rows = [row for row in sig.SIGNATURES if row.where == where]
    for text in texts:
        if not text or len(text) > 300:
            continue
        for row in rows:
            match = row.pattern.search(text)
            if match is None:
                continue
            rest = sig.FILLER.sub(" ", row.pattern.sub(" ", text))
            if len(_WORDS.findall(rest)) <= row.slack:
                yield row.reason, where, text


def _search_hits(where: str, text: str) -> Iterable[tuple[str, str, str]]:
    if not text:
        return
    for row in sig.SIGNATURES:
        if row.where == where:
            match = row.pattern.search(text)
            if match is not None:
                yield row.reason, where, match.group(0)


def _literal_hits(where: str, markup: str) -> Iterable[tuple[str, str, str]]:
    for row in sig.SIGNATURES:
        if row.where == where:
            found = next((lit for lit in row.literals if lit in markup), None)
            if found is not None:
                yield row.reason, where, found


def _segments(title: str) -> list[str]:
    """The title and its parts split on site-name separators."""
    if not title:
        return []
    parts = [p.strip() for p in sig.TITLE_SEPARATORS.split(title)]
    return [title, *(p for p in parts if p and p != title)]


def _visible_text(tree: etree._Element) -> tuple[int, str]:
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
    return max(chars - 1, 0), _normalize(" ".join(head))[: sig.MESSAGE_CHARS]


def _is_article(tree: etree._Element | None) -> bool:
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
    return len(_SYMBOLS.sub("", text)) * 2 < len(text)


def _is_stub(tree: etree._Element) -> bool:
    """A body holding nothing but scripts loaded from the site's own CDN paths."""
    if _BODY_NON_SCRIPT(tree):
        return False
    return all(str(src).startswith("/cdn-cgi/") for src in _SCRIPT_SRCS(tree))


def _markup(body: bytes | str, tree: etree._Element | None) -> str:
    """The head and tail of the raw markup, lowercased (serialized when no body)."""
    if not body and tree is not None:
        body = str(etree.tostring(tree, encoding="unicode", method="html"))
    if isinstance(body, bytes):
        body = body.decode("latin-1")
    head, tail = sig.MARKUP_HEAD_BYTES, sig.MARKUP_TAIL_BYTES
    if len(body) > head + tail:
        body = body[:head] + body[-tail:]
    return body.lower()


def _parse(body: bytes | str) -> etree._Element | None:
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


def _plain_message(body: bytes | str) -> str:
    if isinstance(body, bytes):
        body = body[: sig.MESSAGE_CHARS].decode("utf-8", "replace")
    return _normalize(body[: sig.MESSAGE_CHARS])


def _normalize(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def _head_bytes(body: bytes | str) -> bytes:
    if isinstance(body, str):
        body = body[:_SNIFF_BYTES].encode("utf-8", "replace")
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n\x00\xfe\xff")
    return head.lower()


def _redirect_verdict(url: str, redirect_urls: Sequence[str]) -> PageVerdict | None:
    """``redirect_404``/``redirect_home`` when an article URL was redirected away."""
    if not redirect_urls:
        return None
    try:
        first, final = urlsplit(str(redirect_urls[0])), urlsplit(str(url))
        first_host, final_host = first.hostname or "", final.hostname or ""
    except ValueError:
        return None
    detail = f"redirected from {redirect_urls[0]!s:.200}"
    final_target = final.path + (f"?{final.query}" if final.query else "")
    if sig.ERROR_PATH.search(final_target) and not sig.ERROR_PATH.search(first.path):
        return PageVerdict("redirect_404", detail, False)
    if (
        sig.HOME_PATH.fullmatch(final.path)
        and not sig.HOME_PATH.fullmatch(first.path)
        and first_host
        and _site(first_host) == _site(final_host)
    ):
        return PageVerdict("redirect_home", detail, False)
    return None


def _site(host: str) -> str:
    """Approximate registered domain: the last two labels, three for ``co.uk``."""
    labels = host.lower().rstrip(".").split(".")
    second_level = len(labels) > 2 and labels[-2] in sig.SECOND_LEVEL_LABELS
    return ".".join(labels[-3:] if second_level else labels[-2:])

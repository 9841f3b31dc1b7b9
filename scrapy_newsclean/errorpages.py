"""Pure classifier for error, block, challenge and soft-404 pages.

:func:`classify` decides from strong signals only: the HTTP status, decisive
headers, the title and ``<h1>`` headings, vendor markers in the markup and the
amount of visible text. Body-wide markers are only looked at on pages with
little visible text, so a real article that merely mentions "404", "captcha"
or "access denied", or embeds a bot-detection script, is kept. Quoted phrases
never count, and on a page that declares a publication date (an article) only
headers and vendor markers in the markup decide.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from lxml import etree, html

from scrapy_newsclean import errorpage_signatures as sig
from scrapy_newsclean.memo import Memo

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
_PUBLISHED = etree.XPath(sig.PUBLISHED_XPATH)
_LITERALS = [
    lit
    for row in sig.SIGNATURES
    if row.where in {"markup", "stub"}
    for lit in row.literals
]
_LITERALS_ASCII = all(lit.isascii() for lit in _LITERALS)
_LITERAL_GROUPS = sig.anchor_groups(_LITERALS)
_LITERAL_BYTES = tuple(
    (anchor.encode(), tuple((lit, lit.encode()) for lit in members))
    for anchor, members in sig.anchor_groups(_LITERALS)
    if _LITERALS_ASCII
)


def _union(where: str) -> re.Pattern[str] | None:
    """One regex matching where any row of ``where`` matches (None if unsafe)."""
    rows = [row.pattern for row in sig.SIGNATURES if row.where == where]
    if not rows or any(p.groups or p.flags != rows[0].flags for p in rows):
        return None  # numbered groups would shift; flags must agree
    return re.compile("|".join(f"(?:{p.pattern})" for p in rows), rows[0].flags)


_UNIONS = {where: _union(where) for where in ("title", "h1")}
_SHORT_HITS: Memo[tuple[str, str], tuple[tuple[str, str, str], ...]] = Memo(4096)
# The largest visible-text gate of any hit but a header one (see _gate).
_LARGEST_GATE = max(
    sig.MAX_TEXT_FOR_TITLE,
    *sig.MAX_TEXT_FOR_TITLE_BY_REASON.values(),
    sig.MAX_TEXT_FOR_MARKUP,
    sig.MAX_TEXT_FOR_MESSAGE,
)
_Markup = TypeVar("_Markup", bytes, str)
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
    ``<article>``), which vetoes the weak ``lead`` hits; ``published`` that it
    declares a publication date, which vetoes every title, heading and text hit.
    """

    title: str
    headings: tuple[str, ...]
    text_chars: int
    message: str
    hits: tuple[tuple[str, str, str], ...]
    article: bool = False
    published: bool = False

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
        signals = _signals(headers, body, root, verdict_only=True)
        verdict = _decide(signals, challenges_only=True)
        if verdict is not None:
            return verdict
        return PageVerdict(f"status_{status}", f"status={status}", status == 429)
    if not 200 <= status < 300:
        return None
    verdict = _redirect_verdict(url, redirect_urls)
    if verdict is not None:
        return verdict
    return _decide(_signals(headers, body, root, verdict_only=True))


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
    return _signals(headers, body, root, verdict_only=False)


def _signals(
    headers: Mapping[str, str] | None,
    body: bytes | str,
    root: html.HtmlElement | None,
    *,
    verdict_only: bool,
) -> PageSignals:
    """:func:`page_signals`; ``verdict_only`` skips the title on pages whose
    paragraph text passes every gate (no hit but a header one could decide)."""
    tree = root if isinstance(root, etree._Element) else _parse(body)
    hits = [*_header_hits(headers)]
    paragraphs = 0 if tree is None else int(_PARAGRAPH_CHARS(tree))
    if verdict_only and not hits and paragraphs >= _LARGEST_GATE:
        return PageSignals("", (), paragraphs, "", ())
    title = "" if tree is None else _title(tree)
    hits.extend(_short_hits("title", _segments(title)))
    headings: tuple[str, ...] = ()
    chars, message = 0, ""
    if tree is not None:
        quick = _quick_signals(tree, title, hits, paragraphs)
        if isinstance(quick, PageSignals):
            return quick
        headings = quick
        chars, message = _visible_text(tree)
    else:
        message = _plain_message(body)
    hits.extend(_short_hits("h1", headings))
    if chars < sig.MAX_TEXT_FOR_MESSAGE:
        hits.extend(_search_hits("text", message))
        hits.extend(_search_hits("lead", message[: sig.LEAD_CHARS]))
    if chars < sig.MAX_TEXT_FOR_MARKUP:
        present = _present_literals(_markup(body, tree))
        hits.extend(_literal_hits("markup", present))
        if chars == 0 and tree is not None and _is_stub(tree):
            hits.extend(_literal_hits("stub", present))
    if tree is None or not _PASSWORD_INPUT(tree):
        hits = [hit for hit in hits if hit[0] != "login_wall"]
    article = any(hit[1] == "lead" for hit in hits) and _is_article(tree)
    published = tree is not None and _is_published(tree, hits)
    return PageSignals(title, headings, chars, message, tuple(hits), article, published)


def _quick_signals(
    tree: etree._Element, title: str, hits: list[tuple[str, str, str]], paragraphs: int
) -> PageSignals | tuple[str, ...]:
    """Signals of a text-rich page (no verdict possible), else its ``<h1>`` texts.

    The paragraph text is taken as a lower bound of the visible text. It is
    first held against the largest gate any hit could have; then, with the
    headings read, against the gates of the hits found so far and of the
    markup and message hits still to come (the estimate keeps the first gate).
    """
    gate = _largest_gate(hits)
    if paragraphs >= gate:
        return PageSignals(title, (), paragraphs, "", tuple(hits))
    headings = tuple(_normalize(h.text_content()) for h in islice(tree.iter("h1"), 3))
    found = [*hits, *_short_hits("h1", headings)]
    decided = any(hit[1] == "header" for hit in hits)  # its detail shows the size
    if not decided and paragraphs >= _largest_gate(found, sig.MAX_TEXT_FOR_MARKUP):
        return PageSignals(title, headings, paragraphs, "", tuple(found))
    if not any(hit[1] == "title" for hit in hits):
        # The estimate counts hidden obfuscated scripts too (challenge pages
        # pad with them): only without a title hit, and with a margin.
        size = int(_TEXT_ESTIMATE(tree))
        if size >= gate * 5 // 4:
            return PageSignals(title, (), size, "", tuple(hits))
    return headings


def _largest_gate(
    hits: Iterable[tuple[str, str, str]], floor: int = sig.MAX_TEXT_FOR_TITLE
) -> int:
    """Visible-text size from which none of ``hits`` counts, nor any later hit
    whose gate is at most ``floor`` (the title/h1 gate, or the markup gate once
    the headings are read)."""
    gates = [_gate(reason, where) for reason, where, _ in hits if where != "header"]
    return max([floor, *gates])


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
        if where in sig.PUBLISHED_VETOES and signals.published:
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
    """Hits where the matched phrase is (nearly) all the text: no headlines.

    Results are memoised per text: a site's name segment recurs in its titles.
    """
    for text in texts:
        if not text or len(text) > 300 or sig.QUOTED_START.match(text):
            continue
        found = _SHORT_HITS.get((where, text))
        if found is None:
            found = tuple(_text_short_hits(where, text))
            _SHORT_HITS.put((where, text), found)
        yield from found


def _text_short_hits(where: str, text: str) -> Iterable[tuple[str, str, str]]:
    union = _UNIONS.get(where)
    if union is not None and union.search(text) is None:
        return  # no row matches: one scan instead of one per row
    for row in sig.SIGNATURES:
        if row.where != where:
            continue
        match = row.pattern.search(text)
        if match is None or sig.QUOTE_BEFORE.search(text, 0, match.start()):
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


def _literal_hits(
    where: str, present: Collection[str]
) -> Iterable[tuple[str, str, str]]:
    """Hits of the rows of ``where``: each row's first literal in ``present``."""
    for row in sig.SIGNATURES:
        if row.where == where:
            found = next((lit for lit in row.literals if lit in present), None)
            if found is not None:
                yield row.reason, where, found


def _present_literals(markup: bytes | str) -> set[str]:
    """The markup/stub literals that occur in the (lowercased) markup."""
    present: set[str] = set()
    if isinstance(markup, bytes):
        for anchor, members in _LITERAL_BYTES:
            if anchor in markup:
                present.update(lit for lit, data in members if data in markup)
        return present
    for text_anchor, text_members in _LITERAL_GROUPS:
        if text_anchor in markup:
            present.update(lit for lit in text_members if lit in markup)
    return present


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


def _is_published(tree: etree._Element, hits: Iterable[tuple[str, str, str]]) -> bool:
    """Whether a hit that a publication date vetoes came with one (then the
    page is an article quoting the phrase: see ``sig.PUBLISHED_VETOES``)."""
    if not any(hit[1] in sig.PUBLISHED_VETOES for hit in hits):
        return False
    return bool(_PUBLISHED(tree))


def _is_code(text: str) -> bool:
    """Mostly symbols (obfuscated JavaScript in a hidden element), not prose."""
    return len(_SYMBOLS.sub("", text)) * 2 < len(text)


def _is_stub(tree: etree._Element) -> bool:
    """A body holding nothing but scripts loaded from the site's own CDN paths."""
    if _BODY_NON_SCRIPT(tree):
        return False
    return all(str(src).startswith("/cdn-cgi/") for src in _SCRIPT_SRCS(tree))


def _markup(body: bytes | str, tree: etree._Element | None) -> bytes | str:
    """The head and tail of the raw markup, lowercased (serialized when no body).

    Bytes stay bytes: the literals are ASCII, and lowering Latin-1 text never
    makes an ASCII character, so ``bytes.lower`` finds the same literals as
    lowering the Latin-1 decoded text, several times faster.
    """
    if not body and tree is not None:
        body = str(etree.tostring(tree, encoding="unicode", method="html"))
    if isinstance(body, bytes):
        if not _LITERALS_ASCII:
            return _window(body.decode("latin-1")).lower()
        return _window(body).lower()
    return _window(body).lower()


def _window(markup: _Markup) -> _Markup:
    """The first and last bytes of the markup (all of it when short)."""
    head, tail = sig.MARKUP_HEAD_BYTES, sig.MARKUP_TAIL_BYTES
    if len(markup) > head + tail:
        return markup[:head] + markup[-tail:]
    return markup


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

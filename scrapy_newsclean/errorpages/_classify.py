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

import sys
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree, html

from scrapy_newsclean import _defaults
from scrapy_newsclean._sites import site_of
from scrapy_newsclean.errorpages import _signatures as sig
from scrapy_newsclean.errorpages._hits import (
    header_hits,
    literal_hits,
    markup_window,
    present_literals,
    search_hits,
    short_hits,
    title_segments,
)
from scrapy_newsclean.errorpages._page_reading import (
    PARAGRAPH_CHARS,
    PASSWORD_INPUT,
    TEXT_ESTIMATE,
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
DEFAULT_DROP_STATUSES: frozenset[int] = frozenset(_defaults.NEWSCLEAN_DROP_STATUSES)
# Statuses whose body may be a vendor challenge worth retrying.
_CHALLENGE_STATUSES = frozenset({403, 429, 503})
# The largest visible-text gate of any hit but a header one (see _gate).
_LARGEST_GATE = max(
    sig.MAX_TEXT_FOR_TITLE,
    *sig.MAX_TEXT_FOR_TITLE_BY_REASON.values(),
    sig.MAX_TEXT_FOR_MARKUP,
    sig.MAX_TEXT_FOR_MESSAGE,
)


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

    A status in ``drop_statuses`` always gives a verdict; another 4xx status
    only a vendor challenge; 2xx pages every kind of soft error. ``root`` is an
    already-parsed lxml tree of ``body`` (never re-parsed when given). Never
    raises: unparsable bodies are judged on status and headers.
    """
    if status in drop_statuses:
        if status not in _CHALLENGE_STATUSES:
            return PageVerdict(f"status_{status}", f"status={status}", False)
        verdict = _challenge(headers, body, root)
        if verdict is not None:
            return verdict
        return PageVerdict(f"status_{status}", f"status={status}", status == 429)
    if 400 <= status < 500:
        # Other client errors (Akamai's 428, AWS WAF's 405) count only as a
        # vendor challenge.
        return _challenge(headers, body, root)
    if not 200 <= status < 300:
        return None
    verdict = _redirect_verdict(url, redirect_urls)
    if verdict is not None:
        return verdict
    return _decide(_signals(headers, body, root, verdict_only=True))


def _challenge(
    headers: Mapping[str, str] | None,
    body: bytes | str,
    root: html.HtmlElement | None,
) -> PageVerdict | None:
    """The vendor challenge the page shows, if any (no other kind of verdict)."""
    return _decide(
        _signals(headers, body, root, verdict_only=True), challenges_only=True
    )


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
    tree = root if isinstance(root, etree._Element) else parse_page(body)
    hits = [*header_hits(headers)]
    paragraphs = 0 if tree is None else int(PARAGRAPH_CHARS(tree))
    if verdict_only and not hits and paragraphs >= _LARGEST_GATE:
        return PageSignals("", (), paragraphs, "", ())
    title = "" if tree is None else page_title(tree)
    hits.extend(short_hits("title", title_segments(title)))
    headings: tuple[str, ...] = ()
    chars, message = 0, ""
    if tree is not None:
        quick = _quick_signals(tree, title, hits, paragraphs, verdict_only)
        if isinstance(quick, PageSignals):
            return quick
        headings, (chars, message) = quick
    else:
        message = plain_message(body)
    hits.extend(short_hits("h1", headings))
    if chars < sig.MAX_TEXT_FOR_MESSAGE:
        hits.extend(search_hits("text", message))
        hits.extend(search_hits("lead", message[: sig.LEAD_CHARS]))
    if chars < sig.MAX_TEXT_FOR_MARKUP:
        present = present_literals(markup_window(body, tree))
        hits.extend(literal_hits("markup", present))
        if chars == 0 and tree is not None and is_stub(tree):
            hits.extend(literal_hits("stub", present))
    if any(hit[0] == "login_wall" for hit in hits) and (
        tree is None or not PASSWORD_INPUT(tree)
    ):
        hits = [hit for hit in hits if hit[0] != "login_wall"]
    article = any(hit[1] == "lead" for hit in hits) and is_article(tree)
    published = tree is not None and _is_published(tree, hits)
    return PageSignals(title, headings, chars, message, tuple(hits), article, published)


def _quick_signals(
    tree: etree._Element,
    title: str,
    hits: list[tuple[str, str, str]],
    paragraphs: int,
    verdict_only: bool,
) -> PageSignals | tuple[tuple[str, ...], tuple[int, str]]:
    """Signals of a text-rich page (no verdict possible), else its ``<h1>`` texts
    and its :func:`visible_text`.

    The paragraph text is taken as a lower bound of the visible text. It is
    first held against the largest gate any hit could have; then, with the
    headings read, against the gates of the hits found so far and of the
    markup and message hits still to come (the estimate keeps the first gate).
    When only the verdict is wanted and no header hit decides, the visible
    text is measured before the estimate: the signals returned on either
    exit give no verdict, and the measure settles most pages (the estimate is
    then read only when a hit could still pass its gate).
    """
    gate = _largest_gate(hits)
    if paragraphs >= gate:
        return PageSignals(title, (), paragraphs, "", tuple(hits))
    headings = tuple(
        normalize_text(h.text_content()) for h in islice(tree.iter("h1"), 3)
    )
    found = [*hits, *short_hits("h1", headings)]
    decided = any(hit[1] == "header" for hit in hits)  # its detail shows the size
    floor = _largest_gate(found, sig.MAX_TEXT_FOR_MARKUP)
    if not decided and paragraphs >= floor:
        return PageSignals(title, headings, paragraphs, "", tuple(found))
    measured = None
    if verdict_only and not decided:
        measured = visible_text(tree)
        if measured[0] >= floor:
            return PageSignals(title, headings, measured[0], "", tuple(found))
    if not any(hit[1] == "title" for hit in hits):
        # The estimate counts hidden obfuscated scripts too (challenge pages
        # pad with them): only without a title hit, and with a margin.
        size = int(TEXT_ESTIMATE(tree))
        if size >= gate * 5 // 4:
            return PageSignals(title, (), size, "", tuple(hits))
    return headings, measured or visible_text(tree)


def _largest_gate(
    hits: Iterable[tuple[str, str, str]], floor: int = sig.MAX_TEXT_FOR_TITLE
) -> int:
    """Visible-text size from which none of ``hits`` counts, nor any later hit
    whose gate is at most ``floor`` (the title/h1 gate, or the markup gate once
    the headings are read)."""
    gates = [_gate(reason, where) for reason, where, _ in hits if where != "header"]
    return max([floor, *gates])


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


def _is_published(tree: etree._Element, hits: Iterable[tuple[str, str, str]]) -> bool:
    """Whether a hit that a publication date vetoes came with one (then the
    page is an article quoting the phrase: see ``sig.PUBLISHED_VETOES``)."""
    if not any(hit[1] in sig.PUBLISHED_VETOES for hit in hits):
        return False
    return declares_publication(tree)


def _redirect_verdict(url: str, redirect_urls: Sequence[str]) -> PageVerdict | None:
    """``redirect_404``/``redirect_home`` when an article URL was redirected away."""
    if not redirect_urls:
        return None
    try:
        first, final = urlsplit(str(redirect_urls[0])), urlsplit(str(url))
    except ValueError:
        return None
    detail = f"redirected from {redirect_urls[0]!s:.200}"
    final_target = final.path + (f"?{final.query}" if final.query else "")
    if sig.ERROR_PATH.search(final_target) and not sig.ERROR_PATH.search(first.path):
        return PageVerdict("redirect_404", detail, False)
    if (
        sig.HOME_PATH.fullmatch(final.path)
        and not sig.HOME_PATH.fullmatch(first.path)
        and _same_site(str(redirect_urls[0]), str(url))
    ):
        return PageVerdict("redirect_home", detail, False)
    return None


def _same_site(first_url: str, final_url: str) -> bool:
    """Whether both URLs have a host and the same registered domain."""
    site = site_of(first_url)
    return bool(site) and site == site_of(final_url)

"""Error, block and challenge page signatures: the data files, compiled once.

The rows are data, one file per language or vendor set under
``errorpages/signatures/`` (read by
:mod:`~scrapy_newsclean.errorpages._signature_files`). Each compiled
:class:`Signature` of :data:`SIGNATURES` is ``(reason, where, pattern, slack)``:

``reason``
    snake_case token reported by :func:`scrapy_newsclean.errorpages._classify.classify`.
``where``
    ``header``: searched in ``"name: value"`` lines (lowercase names); decisive alone.
    ``title`` / ``h1``: searched in each segment of the normalized (lowercase)
    title or in each ``<h1>``; a hit counts only when the words left around the
    match, fillers (:data:`FILLER`) aside, are at most ``slack``, and never
    when the phrase is quoted (a headline quoting an error message).
    ``text``: searched in the first characters of the visible text, only on
    pages with little visible text; ``lead``: the same, in its first
    :data:`LEAD_CHARS` only (the page's main message, for generic phrases).
    ``markup``: substrings of the lowercased raw markup (its head and tail),
    only on pages with little visible text; ``stub``: the same, on pages whose
    body holds nothing but scripts.
``pattern``
    a regular expression without nested quantifiers (no catastrophic
    backtracking), matched case-insensitively; for ``markup`` and ``stub``,
    lowercase literals (``literals``).
"""

# Patterns hold non-ASCII letters and quotes on purpose (multilingual phrases).
# ruff: noqa: RUF001

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from scrapy_newsclean._regex_safety import nested_unbounded
from scrapy_newsclean.errorpages._signature_files import (
    LITERAL_WHERES,
    SLACK_WHERES,
    ErrorPageRow,
    read_signature_rows,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from os import PathLike


class Signature(NamedTuple):
    reason: str
    where: str
    pattern: re.Pattern[str]
    slack: int
    literals: tuple[str, ...]  # markup/stub rows: lowercase substrings


# Raw markup is lowercased once and searched for plain substrings (fast on
# large pages): their patterns are "|"-separated lowercase literals.
_LITERAL = LITERAL_WHERES


# Most specific first: when several reasons match, the earliest wins.
REASON_PRIORITY: tuple[str, ...] = (
    "challenge_cloudflare",
    "challenge_akamai",
    "challenge_imperva",
    "challenge_distil",
    "challenge_datadome",
    "challenge_perimeterx",
    "challenge_aws_waf",
    "challenge_sucuri",
    "challenge_ddos_guard",
    "challenge_kasada",
    "challenge_vercel",
    "challenge_radware",
    "challenge_reblaze",
    "challenge_captcha",
    "blocked",
    "login_wall",
    "site_unavailable",
    "server_error",
    "soft_404",
)

# Reasons for which a retry (new session, slower pace, proxy) could help.
RETRYABLE_REASONS: frozenset[str] = frozenset(
    r for r in REASON_PRIORITY if r.startswith("challenge_")
) | {"blocked", "server_error"}

# Visible text (characters outside links, scripts and styles) under which each
# kind of evidence may decide. Real articles are far above these.
MAX_TEXT_FOR_TITLE = 2500
# Anchored vendor and not-found titles are strong enough on larger pages
# (branded 404 pages with site chrome, challenges hiding obfuscated scripts).
MAX_TEXT_FOR_TITLE_BY_REASON: Mapping[str, int] = MappingProxyType(
    {"soft_404": 5000, "challenge_cloudflare": 5000, "challenge_distil": 5000}
)
MAX_TEXT_FOR_MARKUP = 1500
MAX_TEXT_FOR_MESSAGE = 1000
MESSAGE_CHARS = 600
LEAD_CHARS = 200
# Markup is scanned in its first and last bytes (challenge markers sit in the
# head or after padding at the end).
MARKUP_HEAD_BYTES = 64 * 1024
MARKUP_TAIL_BYTES = 32 * 1024

# Words that may surround an error phrase in a title or heading without making
# it a headline: interjections, apologies, "error", status codes.
FILLER = re.compile(
    r"\b(?:oops|whoops|uh[- ]oh|oh no|sorry|error|err|http|ups|hoppla|huch|"
    r"fehler|erreur|d[ée]sol[ée]e?|oups|oh là là|errore|ops|oh oh|ci dispiace|"
    r"errou?|erro|lo sentimos|lo siento|perd[óo]n|vaya|desculpe|fout|helaas|"
    r"oeps|упс|ой|извините|ошибка|hata|üzgünüz|hay aksi|błąd|ups|przepraszamy|"
    r"hoppsan|tyvärr|fel|beklager|virhe|hups|chyba|hiba|σφάλμα|שגיאה|خطأ|"
    r"عذرا|عفوا|maaf|lỗi|page|seite|pagina|página|sidan|sivu|strona|sayfa|"
    r"the|this|that|we|you|a|an|is|was|it|oh)\b"
    r"|\b[45]\d\d\b|\b\d\b|エラー|申し訳ございません|申し訳ありません|すみません|"
    r"错误|錯誤|抱歉|对不起|오류|에러|죄송합니다|[^\w\s]+",
    re.IGNORECASE,
)

# Splits a title into its parts ("Page not found | Site name").
# (no \s* around the bare separators: the parts are stripped, and \s*X\s*
# would make a title of whitespace quadratic to split)
TITLE_SEPARATORS = re.compile(r"\s[-|–—·:»/]\s|[|–—·»]")

# A phrase right after an opening quote is quoted by a headline ("„Seite nicht
# gefunden“ - warum ...", «Доступ запрещён»), never an error page's own message.
# An apostrophe after a letter is an elision ("l'articolo"), not a quote.
_QUOTES = '"“”„«»‚‹›「『《'
_APOSTROPHES = "'‘’"
UNQUOTED = (
    f"(?<![{_QUOTES}])(?<![{_QUOTES}{_APOSTROPHES}] )(?<!(?<!\\w)[{_APOSTROPHES}])"
)
# A title part or heading opening with a quote quotes what follows: no hit in it.
QUOTED_START = re.compile(f"[{_QUOTES}{_APOSTROPHES}]")
# An opening quote ending a text: searched up to a title or heading hit (which
# is then quoted: "マイナポータルで障害 「ページが見つかりません」と表示").
QUOTE_BEFORE = re.compile(f"(?:[{_QUOTES}]|(?<!\\w)[{_APOSTROPHES}]) ?\\Z")
# Rows whose patterns hold the UNQUOTED guard (title and h1 rows check
# QUOTE_BEFORE after a match instead: a guard in front of every alternative
# would cost their union its fast scan, on every page's title).
_PHRASE_WHERE = frozenset({"text", "lead"})


def load_signatures(
    files: Iterable[str | PathLike[str]] = (),
) -> tuple[Signature, ...]:
    """The packaged signature rows (plus those of extra data ``files``), compiled.

    One :class:`Signature` per row and place; header rows first (each decides
    alone), then by :data:`REASON_PRIORITY`. Raises :class:`ValueError` naming
    the file for an unknown reason, an invalid regex or one that nests
    unbounded quantifiers.
    """
    found = [sig for row in read_signature_rows(files) for sig in _compile(row)]
    rank = {reason: index for index, reason in enumerate(REASON_PRIORITY)}
    headers = [sig for sig in found if sig.where == "header"]
    others = sorted(
        (s for s in found if s.where != "header"), key=lambda s: rank[s.reason]
    )
    return (*headers, *others)


def _compile(row: ErrorPageRow) -> list[Signature]:
    if row.reason not in REASON_PRIORITY:
        raise ValueError(f"{row.source}: unknown reason {row.reason!r}")
    if nested_unbounded(row.pattern):
        raise ValueError(
            f"{row.source}: nested unbounded quantifier in {row.pattern!r}"
        )
    compiled = []
    for where in row.where:
        if where in _LITERAL:
            source = "|".join(map(re.escape, row.literals))
        elif where in _PHRASE_WHERE:
            source = f"{UNQUOTED}(?:{row.pattern})"
        else:
            source = row.pattern
        try:
            pattern = re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(
                f"{row.source}: invalid pattern {row.pattern!r}: {exc}"
            ) from exc
        slack = row.slack if where in SLACK_WHERES else 0
        compiled.append(Signature(row.reason, where, pattern, slack, row.literals))
    return compiled


SIGNATURES: tuple[Signature, ...] = load_signatures()


def anchor_groups(
    literals: Iterable[str], min_anchor: int = 6
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Literals grouped under a shared substring (the anchor), for scanning.

    A literal can only occur where its anchor does, so a markup without the
    anchor skips the whole group: one scan instead of one per literal. Greedy:
    the substring (at least ``min_anchor`` characters) shared by most literals
    first; a literal sharing none is its own anchor.
    """
    left = list(dict.fromkeys(literals))
    groups: list[tuple[str, tuple[str, ...]]] = []
    while left:
        subs = {
            lit[i : i + n]
            for lit in left
            for n in range(min_anchor, len(lit) + 1)
            for i in range(len(lit) - n + 1)
        }
        best = max(sorted(subs), key=lambda a: (sum(a in lit for lit in left), len(a)))
        members = tuple(lit for lit in left if best in lit)
        if len(members) < 2:
            groups.extend((lit, (lit,)) for lit in left)
            break
        groups.append((best, members))
        left = [lit for lit in left if lit not in members]
    return tuple(groups)


# A page declaring when it was published is an article (error, block and
# challenge pages never do): its title, headings and text may quote error
# phrases ("Accès refusé - des milliers d'allocataires...", a film review called
# "Forbidden", a brief quoting a Cloudflare error), so hits found there do not
# count. Only vendor markers in the markup and headers decide on such pages.
# (JSON-LD and microdata dates count only on article types: WordPress gives
# every page a WebPage with a datePublished, a seized-domain notice included.)
PUBLISHED_XPATH = (
    "/html/head/meta[@property='article:published_time' or "
    "@name='article:published_time' or @name='pubdate' or @name='publishdate' or "
    "@name='publish-date' or @name='parsely-pub-date' or @name='sailthru.date']"
    " | /html/descendant::*[@itemprop='datePublished'][ancestor::*"
    "[contains(@itemtype, 'Article') or contains(@itemtype, 'BlogPosting')]]"
    " | /html/descendant::script[@type='application/ld+json']"
    "[contains(., '\"datePublished\"')][contains(., 'Article\"') or "
    "contains(., 'BlogPosting\"')]"
)
PUBLISHED_VETOES: frozenset[str] = frozenset({"title", "h1", "text", "lead"})


# Final URL paths (after a redirect) that name an error page.
ERROR_PATH = re.compile(
    r"/(?:40[034]|41[05]|50[0-3]|error|errors|not-?found|page-?not-?found|"
    r"pagenotfound|404-?error|error-?404|missing|gone)(?:\.\w{2,5})?/?$"
    r"|[?&](?:error|status|code)=40[34]\b",
    re.IGNORECASE,
)

# Home-page-like paths: "/", "/index.html", "/en/", "/home".
HOME_PATH = re.compile(
    r"^/?(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?(?:(?:index|default|home|start)"
    r"(?:\.\w{2,5})?)?$",
    re.IGNORECASE,
)

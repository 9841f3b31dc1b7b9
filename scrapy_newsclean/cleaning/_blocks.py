# ruff: noqa: RUF001  (multilingual punctuation is the data here)
"""Pure text cleaning: drop boilerplate and repeated blocks from article text.

:func:`clean` splits a text into blocks (lines) and :func:`clean_blocks` removes,
in this order of precedence:

1. blocks matching the multilingual signature library
   (:mod:`scrapy_newsclean.cleaning._signatures`): disclaimers, copyright
   lines, calls to action, advertisement labels, cookie notices, empty comment
   widgets, error banners;
2. link-list sections: a header such as "Most popular" or "関連記事" and the
   teasers that follow it (short headline-like blocks, bullet items, blocks
   followed by a "read more" line), up to the first ordinary paragraph; and a
   short keyword line just above such a header (site chrome). Before the
   first prose paragraph a byline ("By ...", "Von ...", "... 記者") ends the
   section and the headline just above it is given back: the article starts;
3. blocks learned as the site's template (:mod:`scrapy_newsclean.cleaning._site_templates`);
4. repeats (:mod:`scrapy_newsclean.cleaning._repeats`: exact and near-exact
   copies only, as defined there; blocks that merely share a template, such
   as two quotations differing in a name or a liveblog's updated count, are
   never repeats), first occurrence kept, only when they look like
   boilerplate. The *article zone* runs from the first prose paragraph to the
   first section header, comment widget or copyright line. Removed: a copy of
   a long block (>= 10 tokens); any repeat outside the zone (menus, share
   bars, teaser widgets); a run of consecutive blocks copying consecutive
   earlier ones (a pasted article, a menu shown twice; an edited paragraph
   between two copied paragraphs joins it); a short repeat next to a
   link-list section; a copy of a teaser that a section removed. Kept: short
   repeats inside the zone ("Photo: AP", "Q:", a tweet's attribution line,
   table headers), and *records* inside the zone, runs whose blocks mostly
   occur three or more times or are all fields (the days of a meal plan,
   product boxes, the rows of a stats table, the venue and price lines of
   event listings), except their sentences;
5. runs of three or more headline-like lines (menus, teaser lists without a
   header) outside the article's *core*, the densest stretch of paragraphs
   (:func:`_mark_short_runs`): recognised by shape, never by their words.

With the page the blocks came from (``evidence``, see
:mod:`scrapy_newsclean.cleaning._page_evidence`), a block the page places in
boilerplate goes with the page's reason (``page_nav``, ``page_footer``...), and
a block the page protects (long, in the main container) is immune to the rules
of 2. and to near repeats; any block in the main container, to 5.

Kept blocks are never rewritten or reordered. Cost is linear in the text size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy_newsclean import _accel
from scrapy_newsclean.cleaning._repeats import (
    NEAR_MIN_TOKENS,
    BlockForms,
    copy_runs,
    find_repeats,
    normalize,
    short_key,
)
from scrapy_newsclean.cleaning._signatures import (
    DEFAULT_SIGNATURES,
    Rule,
    Signatures,
    compile_signatures,
)
from scrapy_newsclean.cleaning._site_templates import digest_key

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from scrapy_newsclean.cleaning._page_evidence import PageEvidence
    from scrapy_newsclean.cleaning._site_templates import TemplateLookup

__all__ = [
    "DEFAULT_SIGNATURES",
    "CleanResult",
    "Removal",
    "Signatures",
    "clean",
    "clean_blocks",
    "compile_signatures",
    "normalize",
    "split_blocks",
]

_BULLET = re.compile(r"[-•*·►▶▸◦–—»›→]\s|\d{1,2}[.)]\s")
_SENTENCE_END = re.compile(r"[.!?。！？]['\"’”」)]?\Z")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)\s?[»›]?\Z")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_BYLINE = re.compile(
    r"(?i:by|von|par|por|door|av|af|от|автор)[:\s]\s?\S[^\n]{0,80}\Z"
    r"|\S{0,20}\s?(?:記者|기자)\Z"
)
_DIGIT = re.compile(r"\d")
#: A teaser's rank or a headline's leading count ("3 Police call...", "7 simple
#: ways..."): one or two digits, then words (no further figure).
_RANKED = re.compile(r"\d{1,2}[.)]?\s+(?=\D)")
_STATEMENT_END = re.compile(r"[.!。！]['\"’”」)]?\Z")
_KEYWORD_SEP = re.compile(r"\s?[,、|·/]\s?")

TEASER_MAX_WORDS = 20
TEASER_MAX_CJK_CHARS = 60
TEASER_MAX_CHARS = 500
PROSE_MIN_WORDS = 30
#: Cleaning passes at most (a pass after the first only when repeats survive).
MAX_PASSES = 3
#: Text rules a block the page protects (``keep``) is immune to: they judge by
#: shape and neighbourhood (teaser lists, chrome, near repeats), which the
#: page's own structure overrules. Signatures, site templates and pasted
#: copies (``repeated_run``) of an identical earlier block still apply.
_WEAK_TEXT_REASONS = frozenset(
    {"link_list", "site_chrome", "repeated_block", "short_line_run"}
)
# Lines that end the article zone (repeats after them are page furniture).
_ZONE_END = frozenset({"comment_widget", "copyright"})


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed block, for audit: its input index, reason token and text."""

    index: int
    reason: str
    text: str


@dataclass(frozen=True, slots=True)
class CleanResult:
    r"""Kept blocks (unchanged, in order), their ``"\\n"`` join, and removals."""

    text: str
    blocks: tuple[str, ...]
    removed: tuple[Removal, ...]
    judged: int = 0  # blocks found on the page (with page evidence)
    overruled: bool = False  # the page would have emptied it: the text rules judged


def split_blocks(text: str) -> list[str]:
    """Lines of ``text`` with surrounding whitespace stripped; blank lines dropped."""
    # str.splitlines() breaks lines at \r\n, \n, \r, \v, \f, \x1c-\x1e, \x85,
    # \u2028 and \u2029 (a trailing break adds no empty line: none is kept).
    return [s for line in text.splitlines() if (s := line.strip())]


def clean(text: str, **kw: Any) -> CleanResult:
    """:func:`split_blocks` then :func:`clean_blocks` (same keyword arguments)."""
    return clean_blocks(split_blocks(text), **kw)


def clean_blocks(
    blocks: Sequence[str],
    *,
    signatures: Signatures = DEFAULT_SIGNATURES,
    template: TemplateLookup | None = None,
    evidence: PageEvidence | None = None,
) -> CleanResult:
    """Remove boilerplate and repeated blocks; blank blocks are kept as they are.

    When a pass removed repeats and exact repeats survive it (a record's
    fields kept beside removed copies), the kept blocks are cleaned again, at
    most :data:`MAX_PASSES` times, so that cleaning cleaned text changes
    nothing.

    With *evidence* (the page the blocks came from), a block the page judges
    ``remove`` goes with the page's reason, a block it judges ``keep`` is
    immune to the weak text rules (link-list sections, chrome, near repeats;
    a pasted copy only when identical to an earlier block), and every other
    block follows the text rules. When the page would remove every block
    while the text rules keep a paragraph (:func:`_is_prose`), the page is
    overruled (``overruled``): the text rules' result is returned.
    """
    result = _clean_text(blocks, signatures, template)
    if not evidence:  # none, or a page with no block
        return result
    return _with_evidence(blocks, result, evidence)


def _with_evidence(
    blocks: Sequence[str], result: CleanResult, evidence: PageEvidence
) -> CleanResult:
    text_reasons: dict[int, str] = {r.index: r.reason for r in result.removed}
    removed: list[Removal] = []
    seen: set[str] = set()
    found = 0
    for i, block in enumerate(blocks):
        judged = evidence.judge(block) if block.strip() else None
        found += judged is not None
        reason = text_reasons.get(i)
        exact_repeat = block in seen
        seen.add(block)
        if judged is not None and judged.verdict == "remove":
            reason = judged.reason
        elif judged is not None and judged.in_main and reason == "short_line_run":
            reason = None  # a list of the article (the page says so)
        elif (
            judged is not None
            and judged.verdict == "keep"
            and (
                reason in _WEAK_TEXT_REASONS
                or (reason == "repeated_run" and not exact_repeat)
            )
        ):
            reason = None
        if reason is not None:
            removed.append(Removal(i, reason, block))
    gone = {r.index for r in removed}
    kept = tuple(b for i, b in enumerate(blocks) if i not in gone)
    if not any(b.strip() for b in kept) and any(_is_prose(b) for b in result.blocks):
        # The page would leave nothing where the text rules keep a paragraph:
        # its main container is not where the spider's text came from.
        return CleanResult(result.text, result.blocks, result.removed, found, True)
    return CleanResult("\n".join(kept), kept, tuple(removed), found)


def _clean_text(
    blocks: Sequence[str],
    signatures: Signatures,
    template: TemplateLookup | None,
) -> CleanResult:
    """The text rules alone (up to :data:`MAX_PASSES` passes)."""
    current = list(blocks)
    positions = list(range(len(current)))
    removed: list[Removal] = []
    for _ in range(MAX_PASSES):
        result = _clean_once(current, signatures, template)
        removed.extend(
            Removal(positions[r.index], r.reason, r.text) for r in result.removed
        )
        if not _repeat_removed(result) or not _exact_repeats_left(result.blocks):
            break
        gone = {r.index for r in result.removed}
        positions = [p for i, p in enumerate(positions) if i not in gone]
        current = list(result.blocks)
    removed.sort(key=lambda r: r.index)
    return CleanResult(result.text, result.blocks, tuple(removed))


def _repeat_removed(result: CleanResult) -> bool:
    return any(r.reason.startswith("repeated_") for r in result.removed)


def _exact_repeats_left(blocks: Sequence[str]) -> bool:
    keys = [short_key(b) for b in blocks if b.strip()]
    return len(keys) != len(set(keys))


def _clean_once(
    blocks: list[str], signatures: Signatures, template: TemplateLookup | None
) -> CleanResult:
    """One pass of every rule over the blocks."""
    rules = [_classify(b, signatures) for b in blocks]
    reasons: list[str | None] = [
        r.reason if r is not None and r.role != "weak" else None for r in rules
    ]
    _mark_sections(blocks, rules, reasons)
    _mark_weak(blocks, rules, reasons)
    # The forms the item's template lookup computed already (SiteTemplateView).
    forms = BlockForms(blocks, getattr(template, "block_forms", None))
    if template is not None:
        _mark_template(blocks, reasons, template, forms)
    _mark_repeats(blocks, rules, reasons, forms)
    _mark_short_runs(blocks, reasons)
    kept = tuple(b for b, r in zip(blocks, reasons, strict=False) if r is None)
    removed = tuple(
        Removal(i, r, blocks[i]) for i, r in enumerate(reasons) if r is not None
    )
    return CleanResult("\n".join(kept), kept, removed)


def _classify(block: str, signatures: Signatures) -> Rule | None:
    stripped = block.strip()
    return signatures.classify(stripped) if stripped else None


def _word_count(text: str) -> int:
    """Word count; CJK characters count one third of a word each."""
    cjk = len(_CJK_CHAR.findall(text)) if not text.isascii() else 0
    return len(text.split()) + cjk // 3


#: :func:`_word_count` of the active path (:mod:`scrapy_newsclean._accel`).
_words: Callable[[str], int] = (
    _word_count if _accel.speedups is None else _accel.speedups.word_count
)


def _next_index(blocks: Sequence[str], i: int) -> int | None:
    for j in range(i + 1, min(len(blocks), i + 4)):
        if blocks[j].strip():
            return j
    return None


def _is_prose(text: str) -> bool:
    """A long ordinary paragraph (ends a link-list section)."""
    return _words(text) >= PROSE_MIN_WORDS and bool(_SENTENCE_END.search(text))


def _is_sentence(forms: BlockForms, i: int) -> bool:
    """A long block ending like a sentence (never a record field)."""
    long = len(forms.toks(i)) >= NEAR_MIN_TOKENS
    return long and bool(_SENTENCE_END.search(forms.blocks[i].rstrip()))


def _headline_like(text: str) -> bool:
    # a CJK paragraph has no spaces: _words counts its characters
    return _headline_shape(text, _words(text), None)


def _headline_shape(text: str, words: int, ends: bool | None) -> bool:
    """:func:`_headline_like` given the text's words and (if known) whether it
    ends like a sentence."""
    if words <= 6:
        return True
    if _CJK_CHAR.search(text) and len(text) <= TEASER_MAX_CJK_CHARS:
        return True
    if words > TEASER_MAX_WORDS:
        return False
    return not (ends if ends is not None else _SENTENCE_END.search(text))


def _is_teaser(
    blocks: Sequence[str], rules: Sequence[Rule | None], k: int, consumed: int
) -> bool:
    """Whether block ``k`` continues a link-list section."""
    text = blocks[k].strip()
    nxt = _next_index(blocks, k)
    if len(text) <= TEASER_MAX_CHARS:
        if nxt is not None and _is_read_more(rules[nxt]):
            return True
        if _BULLET.match(text) or _ELLIPSIS.search(text):
            return True
    if not _headline_like(text):
        return False
    # A subheading right above resumed prose is article text, not a teaser.
    return consumed >= 2 or nxt is None or not _is_prose(blocks[nxt])


def _is_read_more(rule: Rule | None) -> bool:
    return rule is not None and rule.reason == "link_list"


def _is_keyword_line(text: str) -> bool:
    """A short line of comma-separated keywords ("日本 最新ニュース, 日本 見出し")."""
    text = text.strip()
    if len(text) > 100 or _SENTENCE_END.search(text):
        return False
    parts = _KEYWORD_SEP.split(text)
    if len(parts) < 2 or not all(
        0 < len(p) <= 25 and len(p.split()) <= 3 for p in parts
    ):
        return False
    # Two parts must share a word ("Japan news, Japan headlines"), so that a
    # signature such as "XX, Die Redaktion" is not taken for keywords.
    words = [set(p.casefold().split()) for p in parts]
    return len(parts) >= 3 or bool(words[0] & words[1])


def _mark_sections(
    blocks: Sequence[str], rules: Sequence[Rule | None], reasons: list[str | None]
) -> None:
    """Remove each link-list section's teasers and the keyword line above it."""
    i = 0
    lead = next((j for j, b in enumerate(blocks) if _is_prose(b)), len(blocks))
    while i < len(blocks):
        rule = rules[i]
        if rule is None or rule.role != "section" or reasons[i] != "link_list":
            i += 1
            continue
        for j in range(i - 1, max(-1, i - 3), -1):
            if reasons[j] is None and _is_keyword_line(blocks[j]):
                reasons[j] = "site_chrome"
        k, consumed, last = i + 1, 0, None
        while k < len(blocks):
            if reasons[k] is None and blocks[k].strip():
                if k < lead and _BYLINE.match(blocks[k].strip()):
                    # A byline before the article's prose: the article starts
                    # here (with the headline just above it, if any).
                    if last is not None and _headline_like(blocks[last].strip()):
                        reasons[last] = None
                    break
                if not _is_teaser(blocks, rules, k, consumed):
                    break
                reasons[k] = "link_list"
                consumed += 1
                last = k
            k += 1
        i = k


def _mark_weak(
    blocks: Sequence[str], rules: Sequence[Rule | None], reasons: list[str | None]
) -> None:
    """Remove weak matches ("Sorry!!", "Comments") next to a removed block."""
    weak = [i for i, r in enumerate(rules) if r is not None and r.role == "weak"]
    for order in (weak, weak[::-1]):
        for i in order:
            if reasons[i] is None and _near_removed(blocks, reasons, i):
                rule = rules[i]
                assert rule is not None
                reasons[i] = rule.reason


def _near_removed(blocks: Sequence[str], reasons: Sequence[str | None], i: int) -> bool:
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(blocks) and not blocks[j].strip():
            j += step
        if 0 <= j < len(blocks) and reasons[j] is not None:
            return True
    return False


def _mark_template(
    blocks: Sequence[str],
    reasons: list[str | None],
    template: TemplateLookup,
    forms: BlockForms,
) -> None:
    """Remove learned template blocks, unless nothing would be left."""
    known = forms.known
    hits = [
        i
        for i, b in enumerate(blocks)
        if reasons[i] is None
        and b.strip()
        and template.is_template(
            k[0] if (k := known.get(b)) is not None else digest_key(forms.short(i))
        )
    ]
    kept = sum(1 for i, b in enumerate(blocks) if reasons[i] is None and b.strip())
    if hits and len(hits) < kept:
        for i in hits:
            reasons[i] = "site_template"


def _article_zone(
    blocks: Sequence[str], rules: Sequence[Rule | None], reasons: Sequence[str | None]
) -> range:
    """From the first prose paragraph to the first section/comment/copyright line."""
    start = next(
        (i for i, b in enumerate(blocks) if reasons[i] is None and _is_prose(b)), None
    )
    if start is None:
        return range(0)
    for j in range(start + 1, len(blocks)):
        rule = rules[j]
        if rule is not None and (rule.role == "section" or rule.reason in _ZONE_END):
            return range(start, j)
    return range(start, len(blocks))


def _mark_repeats(
    blocks: Sequence[str],
    rules: Sequence[Rule | None],
    reasons: list[str | None],
    forms: BlockForms,
) -> None:
    """Remove repeats that look like boilerplate (see the module docstring)."""
    active = [i for i, r in enumerate(reasons) if r is None and blocks[i].strip()]
    source = find_repeats(blocks, active, forms)
    runs = copy_runs(blocks, active, source, forms) if source else {}
    zone = _article_zone(blocks, rules, reasons) if source else range(0)
    for i in source:
        if i in runs:
            # A recurring record field inside the article is content, unless
            # it is a sentence (an article pasted three times).
            if not (runs[i] and i in zone and not _is_sentence(forms, i)):
                reasons[i] = "repeated_run"
        elif (
            i not in zone
            or len(forms.toks(i)) >= NEAR_MIN_TOKENS
            or _next_to(blocks, reasons, i, "link_list")
        ):
            reasons[i] = "repeated_block"
    _mark_teaser_repeats(blocks, reasons, active, forms)


def _next_to(
    blocks: Sequence[str], reasons: Sequence[str | None], i: int, reason: str
) -> bool:
    """Whether the nearest non-blank block on either side was removed as ``reason``."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(blocks) and not blocks[j].strip():
            j += step
        if 0 <= j < len(blocks) and reasons[j] == reason:
            return True
    return False


def _mark_teaser_repeats(
    blocks: Sequence[str],
    reasons: list[str | None],
    active: Sequence[int],
    forms: BlockForms,
) -> None:
    """Remove copies of teasers that a link-list section removed.

    Any later copy goes; an earlier one only when it is a label of at most
    three words (a menu item), as a longer one may be the article's own title.
    """
    teasers: dict[str, int] = {}
    for i, reason in enumerate(reasons):
        if reason == "link_list" and _headline_like(blocks[i].strip()):
            teasers.setdefault(forms.short(i), i)
    if not teasers:
        return
    for i in active:
        text = blocks[i].strip()
        if reasons[i] is not None or len(text) > TEASER_MAX_CHARS:
            continue
        first = teasers.get(forms.short(i))
        if (
            first is not None
            and (first < i or _words(text) <= 3)
            and _headline_like(text)
        ):
            reasons[i] = "repeated_block"


#: :func:`_run_line`: a menu line anywhere outside the article's core, or only
#: after it (a ranked teaser).
MENU_LINE = 2
TRAILING_MENU_LINE = 1
#: Words a ranked line needs after its rank to be a teaser ("1 onion, chopped"
#: is an ingredient).
RANKED_MIN_WORDS = 4
#: Runs of at least this many menu lines (:func:`_run_line`) outside the
#: article's core go.
SHORT_RUN_MIN_LINES = 3
#: What a headline-like line costs the article core (in words of prose).
SHORT_LINE_COST = 5
#: A core paragraph: at least this many words, ending like a sentence.
CORE_MIN_WORDS = 12
#: Least prose (words, net of the lines' cost) that makes an article core.
CORE_MIN_PROSE = 25


def _shapes(
    blocks: Sequence[str], active: Sequence[int]
) -> tuple[list[int], list[int]]:
    """Each active block's weight for :func:`_core`, and whether it is a menu
    line (:func:`_run_line`: 0, :data:`MENU_LINE` or :data:`TRAILING_MENU_LINE`);
    every block measured once."""
    scores: list[int] = []
    menu: list[int] = []
    for i in active:
        text = blocks[i].strip()
        words = _words(text)
        ends = _SENTENCE_END.search(text) is not None
        if words >= CORE_MIN_WORDS and ends:
            scores.append(words)
            menu.append(0)
        elif _headline_shape(text, words, ends):
            scores.append(-SHORT_LINE_COST)
            menu.append(_run_line(text))
        else:
            scores.append(0)
            menu.append(0)
    return scores, menu


def _core(scores: Sequence[int]) -> tuple[int, int] | None:
    """The article's core: the first and last position of the densest stretch.

    *scores* (from :func:`_shapes`): each paragraph adds its words
    (:func:`_words`: CJK text counts by its characters), each headline-like
    line costs :data:`SHORT_LINE_COST`; the core is the stretch of the
    highest sum (one pass, as body-text extraction does with a page's
    tokens). ``None`` when that sum is under :data:`CORE_MIN_PROSE`: no
    article to measure runs by.
    """
    best, best_span = 0, None
    total, start = 0, 0
    for pos, score in enumerate(scores):
        if total <= 0:
            total, start = 0, pos
        total += score
        if total > best:
            best, best_span = total, (start, pos)
    return best_span if best >= CORE_MIN_PROSE else None


def _mark_short_runs(blocks: Sequence[str], reasons: list[str | None]) -> None:
    """Remove runs of headline-like lines (menus, teaser lists) outside the core.

    Recognised by shape, not words: :data:`SHORT_RUN_MIN_LINES` or more
    consecutive menu-like lines (:func:`_run_line`) before or after the
    article's core (see :func:`_core`). Kept: lists inside the core (steps,
    specifications, a Q&A's questions), a lone line (a subtitle, a byline),
    a list after the core introduced by a line ending in a colon, and the
    byline and headline (or standfirst) just above the core.
    """
    active = [i for i, r in enumerate(reasons) if r is None and blocks[i].strip()]
    scores, menu = _shapes(blocks, active)
    core = _core(scores)
    if core is None:
        return
    leading = range(core[0])
    for span in (leading, range(core[1] + 1, len(active))):
        runs: list[list[int]] = [[]]
        introduced = False
        # A ranked teaser ("3 Police call...") only after the article: above
        # it, "1 onion, chopped" is an ingredient list.
        least = MENU_LINE if span is leading else TRAILING_MENU_LINE
        for pos in span:
            if menu[pos] >= least:
                if not introduced:
                    runs[-1].append(active[pos])
                continue
            runs.append([])
            # After the article, "What's new:" announces a list of its own;
            # before it, "Skip to:" or "In this section:" a menu.
            introduced = span is not leading and _introduces(blocks[active[pos]])
        last = next((run for run in reversed(runs) if run), None)
        if span is leading and last is not None:
            # The article's headline may sit above its dateline or byline.
            _give_back_headline(blocks, last)
        for run in runs:
            if len(run) >= SHORT_RUN_MIN_LINES:
                for j in run:
                    reasons[j] = "short_line_run"


def _give_back_headline(blocks: Sequence[str], run: list[int]) -> None:
    """Keep the byline and the headline (or standfirst) just above the article."""
    if run and _BYLINE.match(blocks[run[-1]].strip()):
        run.pop()
    if run and _words(blocks[run[-1]]) >= 5:
        run.pop()


def _run_line(text: str) -> int:
    """Whether a headline-like line can be a menu or teaser line: no figures
    (data rows, specifications and schedules carry figures; menus and
    headlines seldom), not ending like a statement ("Thanks, Junior!" closes
    an article; a teaser may ask a question), not announcing a list
    (:data:`MENU_LINE`). A leading rank or count before a headline of
    :data:`RANKED_MIN_WORDS` words ("3 Police call disappearance of bar
    owner", a numbered most-read list) makes a :data:`TRAILING_MENU_LINE`."""
    if _introduces(text) or _STATEMENT_END.search(text):
        return 0
    ranked = _RANKED.match(text)
    if ranked is None:
        return 0 if _DIGIT.search(text) else MENU_LINE
    rest = text[ranked.end() :]
    if _DIGIT.search(rest) or _words(rest) < RANKED_MIN_WORDS:
        return 0
    return TRAILING_MENU_LINE


def _introduces(text: str) -> bool:
    """A line announcing a list ("What's new:", "Zutaten:")."""
    return text.rstrip().endswith((":", "："))

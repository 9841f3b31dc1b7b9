# ruff: noqa: RUF001  (multilingual punctuation is the data here)
"""Pure: normalisation for comparison and repeated-block detection.

A later block *repeats* an earlier one only when it is a near-exact copy of
it. Both are compared by their :func:`short_key` (casefolded words and numbers;
punctuation, symbols and whitespace ignored); the later block is a copy when:

1. the keys are equal (``"Share this!"`` and ``"share this"``);
2. or, for blocks of at least :data:`NEAR_MIN_TOKENS` tokens, their
   :func:`normalize` forms (numbers dropped too) are equal and the numbers of
   one are a subsequence of the other's: a date or a count added or dropped
   (``"... (2024)"``), never a number changed (a liveblog's new
   count, a reference's other year, "7-2" then "6-3");
3. or, for blocks of at least :data:`NEAR_MIN_TOKENS` tokens, the later key
   lies inside the earlier one and:

   a. what surrounds it is a short label of at most :data:`LABEL_CHARS`
      characters of key (``"Read more: <title>"``, a breadcrumb glued to a
      title, ``"<title> | Health"``, ``"<teaser> 6 days ago"``);
   b. or the earlier block is the later one plus one more sentence (a teaser
      repeated with its next sentence);
   c. or the earlier block is the one just before it, or the one that the
      block just before it lies in by this rule, at most :data:`MAX_NESTED`
      lines up (the texts of nested elements read again after their parent's:
      a card's description after the whole card);
4. or the later block ends with an ellipsis (and at most two words, "... more")
   and its key before the ellipsis begins the earlier key: a truncated copy.

Nothing else is a copy: a word changed, added or dropped makes another text
(two quotations differing in one name, "X is streaming on Hulu" and "Y is
streaming on HBO Go", two references to one author's papers), and a sentence
taken out of a longer paragraph (a pull quote, a how-to bullet restating the
paragraph above it) is not a copy of the paragraph either (the one exception:
an edited paragraph between two pasted paragraphs joins their run, see
:func:`fill_edited`). Candidates for 3a, 3b and 4 come from an inverted index probed with each block's rarest tokens
(prefix filtering), kept only when the later block's token set and token
bigrams are mostly contained in the earlier one's (>= :data:`TOKEN_CONTAINMENT`,
>= :data:`BIGRAM_CONTAINMENT`), with a cap per block, so the cost stays linear
in the document size.

:func:`copy_runs` finds runs of consecutive blocks that copy consecutive earlier
blocks, and tells a region copied once (a pasted article, a duplicated menu)
from a *record* (a meal plan's days, product boxes, the venue and price lines
of event listings): fields that recur three or more times, or a run whose
blocks are all fields (``"Venue: Town Hall, 8pm"``, ``"Tickets: £12"``: a short
label and a colon, or a number). :mod:`scrapy_newsclean.cleaning._blocks`
decides what to remove.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from typing import TYPE_CHECKING

from scrapy_newsclean import _accel
from scrapy_newsclean._bounded_memo import Memo

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

NEAR_MIN_TOKENS = 10
TOKEN_CONTAINMENT = 0.9
BIGRAM_CONTAINMENT = 0.7
MAX_CANDIDATES = 48
GAP_CONTAINMENT = 0.5
MAX_ALIGN = 16
RECORD_MIN_COPIES = 3
MAX_NESTED = 4
#: Characters of key around a contained copy that still make it a copy (a
#: label such as "read more", a breadcrumb, a site name or a date).
LABEL_CHARS = 32
# Blocks shorter than this usually need their short key too (templates,
# exact repeats of short blocks): see :class:`BlockForms`.
SHORT_KEY_CHARS = 300

_NON_WORD = re.compile(r"[\W\d_]+")
_NON_ALNUM = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d+")
# The last sentence break of a text (not the final stop): the text before it,
# and a truncating ellipsis with at most two words after it ("... more").
_SENTENCE_BREAK = re.compile(r"[.!?]+[\"'’”»)\]]*(?=\s)|[。！？][」』”)]*")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)(?:\s{0,3}[^\s.…]{1,20}){0,2}\s*\Z")
_FIELD_LABEL = re.compile(r"[^\W\d_][^:：]{0,29}[:：]\s?\S")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# ASCII bytes that are not letters (or letters/digits) become spaces; UTF-8
# bytes >= 128 stay, so non-ASCII words are split only at ASCII separators.
_LETTERS = bytes(c if chr(c).isalpha() or c >= 128 else 32 for c in range(256))
_ALNUM = bytes(c if chr(c).isalnum() or c >= 128 else 32 for c in range(256))


# The Latin-1 and General Punctuation symbols (curly quotes, dashes, ellipsis,
# no-break space, guillemets, bullets...): none is a word character, so
# blanking them first changes no result, and an English text with curly quotes
# then takes the fast ASCII path of :func:`_fast_sub`.
_PUNCTUATION = re.compile(
    "["
    + "".join(
        re.escape(char)
        for char in map(chr, (*range(0xA0, 0xC0), 0xD7, 0xF7, *range(0x2000, 0x2070)))
        if re.fullmatch(r"\W", char)  # removed by both _NON_WORD and _NON_ALNUM
    )
    + "]"
)


def _fast_sub(text: str, table: bytes, regex: re.Pattern[str]) -> str:
    """``regex.sub(" ", text.casefold()).strip()``, with a fast path for ASCII.

    ``bytes.translate`` is 20x faster than a Unicode regex; only the words
    with non-ASCII characters go through the regex.
    """
    folded = text.casefold()
    if not folded.isascii():
        folded = _PUNCTUATION.sub(" ", folded)
    data = folded.encode("utf-8", "surrogatepass").translate(table)
    out = data.decode("utf-8", "surrogatepass")
    if out.isascii():
        return " ".join(out.split())
    # A word of letters only (letters or digits for the short key) has
    # nothing the regex would remove.
    kept = str.isalpha if table is _LETTERS else str.isalnum
    words = [w if kept(w) else regex.sub(" ", w) for w in out.split()]
    return " ".join(" ".join(words).split())


def _normal_form(text: str) -> str:
    """Casefolded words separated by single spaces; punctuation and digits dropped."""
    return _fast_sub(text, _LETTERS, _NON_WORD)


def _alnum_form_of(text: str) -> str:
    """:func:`short_key` before its fallback (empty for symbols-only blocks)."""
    return _fast_sub(text, _ALNUM, _NON_ALNUM)


def _forms_of(text: str) -> tuple[str, str]:
    """``(_alnum_form(text), normalize(text))`` in one pass."""
    alnum = _alnum_form_of(text)
    return alnum, _without_digits(alnum)


def _post_tokens(
    tokens: Iterable[str], i: int, df: Counter[str], postings: dict[str, list[int]]
) -> None:
    """Post block ``i`` under each of its ``tokens`` found in another block too."""
    for tok in tokens:
        if df[tok] > 1:  # a token of one block only links no pair
            postings.setdefault(tok, []).append(i)


# The kernels of the active path (:mod:`scrapy_newsclean._accel`); the pure
# functions above are the reference (``tests/test_accel_cleaning.py``).
_K = _accel.speedups
#: Casefolded words separated by single spaces; punctuation and digits dropped.
normalize: Callable[[str], str] = _normal_form if _K is None else _K.normal_form
_alnum_form: Callable[[str], str] = _alnum_form_of if _K is None else _K.alnum_form
_forms: Callable[[str], tuple[str, str]] = _forms_of if _K is None else _K.forms
_post_block: Callable[
    [Iterable[str], int, Counter[str], dict[str, list[int]]], None
] = _post_tokens if _K is None else _K.post


def _without_digits(alnum: str) -> str:
    """:func:`normalize` of a text from its :func:`_alnum_form`.

    Both keep maximal runs of kept characters; the normal form keeps the same
    characters minus digits, so dropping the digits of the alphanumeric form
    (then collapsing spaces) gives exactly the normal form.
    """
    if _DIGIT.search(alnum) is None:
        return alnum
    return " ".join(_DIGIT.sub(" ", alnum).split())


def short_key(text: str) -> str:
    """Exact-repeat key of a short block: like :func:`normalize`, digits kept.

    ("Step 1" and "Step 2", or two match scores, are different blocks.)
    """
    if len(text) < SHORT_KEY_CHARS:
        return short_forms(text)[0]
    key = _alnum_form(text)
    return key or " ".join(text.casefold().split())


# Short blocks recur across a site's pages (chrome): their keys are memoised.
_SHORT_FORMS: Memo[str, tuple[str, str]] = Memo()


def short_forms(text: str) -> tuple[str, str]:
    """``(short_key(text), normalize(text))`` in one pass, memoised for short texts."""
    forms = _SHORT_FORMS.get(text)
    if forms is None:
        alnum, norm = _forms(text)
        forms = (alnum or " ".join(text.casefold().split()), norm)
        if len(text) < SHORT_KEY_CHARS:
            _SHORT_FORMS.put(text, forms)
    return forms


class BlockForms:
    """The comparison forms of one document's blocks, each computed once.

    :func:`normalize`, :func:`short_key` and :func:`tokens` of ``blocks[i]``,
    cached per index; a block short enough to need both keys gets its normal
    form derived from its short key (one pass over the text instead of two).
    """

    __slots__ = ("_norms", "_shorts", "_toks", "blocks", "known")

    def __init__(
        self,
        blocks: Sequence[str],
        known: Mapping[str, tuple[int, str, str]] | None = None,
    ) -> None:
        self.blocks = blocks
        #: Block text -> (its template key, short key, normal form), computed
        #: already by the item's template lookup (``block_template_keys``).
        self.known: Mapping[str, tuple[int, str, str]] = known or {}
        self._norms: dict[int, str] = {}
        self._shorts: dict[int, str] = {}
        self._toks: dict[int, list[str]] = {}

    def short(self, i: int) -> str:
        """``short_key(blocks[i])``."""
        key = self._shorts.get(i)
        if key is None:
            known = self.known.get(self.blocks[i])
            key, norm = short_forms(self.blocks[i]) if known is None else known[1:]
            self._shorts[i] = key
            self._norms.setdefault(i, norm)
        return key

    def norm(self, i: int) -> str:
        """``normalize(blocks[i])``."""
        norm = self._norms.get(i)
        if norm is None:
            if len(self.blocks[i]) < SHORT_KEY_CHARS or self.blocks[i] in self.known:
                self.short(i)
                return self._norms[i]
            norm = self._norms[i] = normalize(self.blocks[i])
        return norm

    def toks(self, i: int) -> list[str]:
        """``tokens(normalize(blocks[i]))``."""
        toks = self._toks.get(i)
        if toks is None:
            toks = self._toks[i] = tokens(self.norm(i))
        return toks


def tokens(norm: str) -> list[str]:
    """Tokens of a normalised text; CJK runs become character bigrams."""
    words = norm.split()
    if norm.isascii() or not _CJK.search(norm):
        return words
    out: list[str] = []
    for word in words:
        if len(word) > 2 and _CJK.search(word):
            out.extend(word[k : k + 2] for k in range(len(word) - 1))
        else:
            out.append(word)
    return out


def _bigrams(toks: Sequence[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(toks))


class _Index:
    """Inverted index of earlier blocks, for containment candidates.

    Built lazily: ``seen`` (the union of the indexed blocks' tokens) rules out
    most queries with one set intersection, and the document frequencies and
    postings are only computed when a query gets past it (postings are then
    filled in indexing order, exactly as if built eagerly).
    """

    __slots__ = ("_df", "added", "forms", "posted", "postings", "seen", "sets", "toks")

    def __init__(self, toks: dict[int, list[str]], forms: BlockForms) -> None:
        self.toks = toks
        self.forms = forms
        self.sets = {i: frozenset(t) for i, t in toks.items()}
        self.seen: set[str] = set()
        self.added: list[int] = []
        self.posted = 0
        self.postings: dict[str, list[int]] = {}
        self._df: Counter[str] | None = None

    @property
    def df(self) -> Counter[str]:
        """Number of indexable blocks holding each token."""
        if self._df is None:
            self._df = Counter(itertools.chain.from_iterable(self.sets.values()))
        return self._df

    def add(self, i: int) -> None:
        self.added.append(i)
        self.seen.update(self.sets[i])

    def _post(self) -> None:
        """Index the added blocks not yet in the postings."""
        df, postings = self.df, self.postings
        for i in self.added[self.posted :]:
            _post_block(self.sets[i], i, df, postings)
        self.posted = len(self.added)

    def container(self, i: int) -> int | None:
        """An earlier indexed block that block ``i`` is a contained copy of, if any."""
        tset = self.sets[i]
        need = math.ceil(TOKEN_CONTAINMENT * len(tset))
        if len(tset & self.seen) < need:  # no indexed block shares enough
            return None
        size = len(tset) - need + 1
        df = self.df
        shared = [t for t in tset if df[t] > 1]
        if len(shared) < need:  # too many tokens found in no other block
            return None
        self._post()
        prefix = sorted(shared, key=lambda t: (df[t], t))[
            : size - len(tset) + len(shared)
        ]
        seen: set[int] = set()
        for tok in prefix:
            for j in reversed(self.postings.get(tok, ())):
                if j in seen:
                    continue
                seen.add(j)
                if self._contains(j, i, need):
                    return j
                if len(seen) >= MAX_CANDIDATES:
                    return None
        return None

    def _contains(self, j: int, i: int, need: int) -> bool:
        if len(self.sets[j]) < need or len(self.sets[i] & self.sets[j]) < need:
            return False
        small = _bigrams(self.toks[i])
        if small and len(small & _bigrams(self.toks[j])) < BIGRAM_CONTAINMENT * len(
            small
        ):
            return False
        return contained_copy(self.forms, i, j)


def contained_copy(forms: BlockForms, i: int, j: int) -> bool:
    """Block ``i`` is a contained or truncated copy of block ``j`` (rules 3-4)."""
    later, earlier = forms.short(i), forms.short(j)
    if later in earlier:
        if len(earlier) - len(later) <= LABEL_CHARS:
            return True
        return (
            earlier.startswith(later)
            and _alnum_form(_without_last_sentence(forms.blocks[j])) == later
        )
    text = forms.blocks[i].rstrip()
    if "." not in text[-40:] and "…" not in text[-40:]:
        return False
    cut = _TRUNCATED.search(text, max(0, len(text) - 50))
    if cut is None:
        return False
    head = _alnum_form(text[: cut.start()])
    return len(head.split()) >= NEAR_MIN_TOKENS and earlier.startswith(head)


def _without_last_sentence(text: str) -> str:
    """``text`` up to its last sentence break (all of it when it has none)."""
    text = text.rstrip()
    last = None
    for last in _SENTENCE_BREAK.finditer(text):  # noqa: B007 (the last one)
        pass
    return text[: last.end()] if last is not None and last.end() < len(text) else text


def find_repeats(
    blocks: Sequence[str], active: Sequence[int], forms: BlockForms | None = None
) -> dict[int, int]:
    """Map each repeated block index to the index of its first occurrence.

    Only the ``active`` indices (in increasing order) take part, so a block
    already removed for another reason is neither a source nor a repeat.
    ``forms`` may hold the blocks' forms already computed.
    """
    if forms is None:
        forms = BlockForms(blocks)
    big = {i: t for i in active if len(t := forms.toks(i)) >= NEAR_MIN_TOKENS}
    index = _Index(big, forms)
    first: dict[str, int] = {}  # short blocks by short key
    words: dict[str, list[int]] = {}  # long blocks by normal form (no numbers)
    source: dict[int, int] = {}
    parents: dict[int, int] = {}  # rule 3c
    for p, i in enumerate(active):
        if not forms.norm(i):  # numbers and symbols only (table cells): never a repeat
            continue
        if i in big:
            # Equal short keys have equal normal forms: rule 1 is rule 2 here.
            same = words.get(forms.norm(i))
            j = None if same is None else _same_numbers(forms, i, same)
            if j is None:
                # A near copy is kept for the exact copies after it.
                if same is None:
                    words[forms.norm(i)] = [i]
                else:
                    same.append(i)
                indexed = len(index.sets[i]) >= NEAR_MIN_TOKENS
                j = index.container(i) if indexed else None
                if j is None and p:
                    j = _parent(forms, i, active[p - 1], parents)
                if j is None and indexed:
                    index.add(i)
        else:
            j = first.setdefault(forms.short(i), i)
            if j == i:
                continue
        if j is not None:
            source[i] = j
    return source


def _parent(
    forms: BlockForms, i: int, previous: int, parents: dict[int, int]
) -> int | None:
    """The block that block ``i`` lies in by rule 3c, if any (then recorded
    in ``parents``)."""
    for j in (previous, parents.get(previous)):
        if j is not None and i - j <= MAX_NESTED and _nested(forms, i, j):
            parents[i] = j
            return j
    return None


def _nested(forms: BlockForms, i: int, j: int) -> bool:
    """Block ``i`` lies inside block ``j``."""
    if len(forms.blocks[i]) >= len(forms.blocks[j]):
        return False
    # The normal forms (computed already) rule out most pairs.
    return forms.norm(i) in forms.norm(j) and forms.short(i) in forms.short(j)


def _same_numbers(forms: BlockForms, i: int, same: list[int]) -> int | None:
    """The first block of ``same`` (the words of block ``i``) whose numbers and
    block ``i``'s are one a subsequence of the other: a number added or
    dropped, none changed."""
    mine = _DIGIT.findall(forms.short(i))
    for j in same[:MAX_CANDIDATES]:
        theirs = _DIGIT.findall(forms.short(j))
        short, long = sorted((mine, theirs), key=len)
        rest = iter(long)
        if all(n in rest for n in short):
            return j
    return None


def fill_edited(
    blocks: Sequence[str],
    active: Sequence[int],
    source: dict[int, int],
    forms: BlockForms | None = None,
) -> None:
    """Add to ``source`` a single edited long block inside a copied run.

    Its neighbours are long blocks (paragraphs, not labels) copying the blocks
    around its own source: the block is the edited copy of the block between
    them (a pasted article with one paragraph edited). Lines between repeated
    labels ("Where to watch" / <line> / "Stream it") are not.
    """
    if forms is None:
        forms = BlockForms(blocks)
    for a, k, b in zip(active, active[1:], active[2:], strict=False):
        if a in source and b in source and k not in source:
            mid = source[a] + 1
            if (
                source[b] == mid + 1
                and len(forms.toks(a)) >= NEAR_MIN_TOKENS
                and len(forms.toks(b)) >= NEAR_MIN_TOKENS
                and _edited_copy(forms, k, mid)
            ):
                source[k] = mid


def _edited_copy(forms: BlockForms, block: int, original: int) -> bool:
    """A long block sharing at least half its tokens with block ``original``."""
    s = set(forms.toks(block))
    if len(s) < NEAR_MIN_TOKENS:
        return False  # short blocks repeat exactly or not at all
    return len(s & set(forms.toks(original))) >= GAP_CONTAINMENT * len(s)


def copy_runs(
    blocks: Sequence[str],
    active: Sequence[int],
    source: dict[int, int],
    forms: BlockForms | None = None,
) -> dict[int, bool]:
    """Members of copied runs, each mapped to whether its run is a *record*.

    A run is two or more consecutive blocks copying consecutive earlier ones
    (an article pasted twice, a menu shown twice, or the recurring fields of a
    list such as a weekly menu or product boxes). The run is a record when most
    of its members occur at least :data:`RECORD_MIN_COPIES` times in the
    document, or when all of them are :func:`fields <is_field>`: one structure
    repeated with variations, not one region copied.
    A single edited long block inside a run joins it (``source`` is updated).
    """
    fill_edited(blocks, active, source, forms)
    root = {i: source.get(i, i) for i in active}
    copies = Counter(root.values())
    members: dict[int, bool] = {}
    for run in _aligned_runs(active, root):
        frequent = sum(copies[root[i]] >= RECORD_MIN_COPIES for i in run)
        record = 2 * frequent > len(run) or all(is_field(blocks[i]) for i in run)
        members.update(dict.fromkeys(run, record))
    return members


def is_field(text: str) -> bool:
    """A record's field: a short label and a colon, or a number ("Tickets: £12")."""
    text = text.strip()
    label = _FIELD_LABEL.match(text)
    if label is not None and len(text[: label.end()].split()) <= 4:
        return True
    return _DIGIT.search(text) is not None


def _aligned_runs(active: Sequence[int], root: dict[int, int]) -> list[list[int]]:
    """Maximal runs of consecutive blocks copying consecutive earlier blocks.

    Block ``p`` continues a run when some earlier occurrence of its text is
    directly preceded by an occurrence of the text of block ``p - 1`` (a
    diagonal of the document's dot plot) and that earlier pair lies wholly
    before this one: "A B A B" is a run, "A A A" is not.
    """
    seen: dict[int, list[int]] = {}
    runs: list[list[int]] = []
    current: list[int] = []
    for p, i in enumerate(active):
        group = root[i]
        prev = root[active[p - 1]] if p else group
        linked = group not in (i, prev) and any(
            0 < q < p - 1 and root[active[q - 1]] == prev
            for q in seen.get(group, [])[-MAX_ALIGN:]
        )
        if linked:
            current = current or [active[p - 1]]
            current.append(i)
        else:
            if len(current) >= 2:
                runs.append(current)
            current = []
        seen.setdefault(group, []).append(p)
    if len(current) >= 2:
        runs.append(current)
    return runs

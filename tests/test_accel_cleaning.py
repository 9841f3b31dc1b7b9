# ruff: noqa: RUF001  (multilingual test data)
"""The compiled cleaning kernels equal the pure Python reference.

Each kernel of ``scrapy_newsclean._speedups`` used by the cleaning (block
forms, word counts, hint words, the repeat index) is compared
with its pure reference on generated text in many scripts (lone surrogates
included) and on the real texts of ``tests/fixtures``. Then the cleaning
decisions themselves: :func:`clean_blocks` removes the same blocks for the
same reasons on both paths, in this process (the kernels swapped, every memo
emptied) and against a separate ``NEWSCLEAN_PURE=1`` process.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from hashlib import blake2b
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from scrapy_newsclean import _accel
from scrapy_newsclean import _bounded_memo as memo
from scrapy_newsclean.cleaning import (
    _blocks,
    _page_evidence,
    _repeats,
    _signatures,
    _site_templates,
)
from scrapy_newsclean.cleaning._site_templates import (
    SiteTemplateView,
    block_template_keys,
    template_keys,
)
from tests._fuzz import examples
from tests.spiders import lazy_lines
from tests.test_accel import ALPHABET, REAL_TEXTS, _compiled

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

    from scrapy_newsclean.cleaning._blocks import CleanResult

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def cleaning_texts() -> list[str]:
    """Every text fixture the cleaning tests use, and the fingerprint ones."""
    paths = [
        *sorted((FIXTURES / "text").glob("*.txt")),
        *sorted((FIXTURES / "redteam" / "clean").glob("*.txt")),
    ]
    texts = [p.read_text("utf-8") for p in paths]
    multilingual = json.loads((FIXTURES / "text" / "multilingual.json").read_text())
    for kinds in multilingual.values():
        # one document per language: every boilerplate kind around a paragraph
        languages = sorted({lang for kind in kinds.values() for lang in kind})
        for lang in languages:
            lines = [kind[lang] for kind in kinds.values() if lang in kind]
            texts.append("\n".join([*lines, REAL_TEXTS[0], *lines]))
    return [*texts, *REAL_TEXTS]


CLEANING_TEXTS = cleaning_texts()
LINES = sorted({line for text in CLEANING_TEXTS for line in text.splitlines()})

# Block-like text: words of the real fixtures, generated words in many
# scripts, digits, punctuation and the separators blocks are split on.
TEXTS = st.text(ALPHABET, max_size=200)
WORD = st.one_of(
    st.sampled_from([w for line in LINES[:400] for w in line.split()][:3000]),
    st.text(ALPHABET, min_size=1, max_size=12),
    st.sampled_from(["2024", "7-2", "…", "...", "Read more:", "|", "•", "ß", "ǅ"]),
)
BLOCK = st.lists(WORD, max_size=30).map(" ".join)
COPY = st.sampled_from(
    [
        lambda b: b,
        lambda b: f"Read more: {b}",  # a label around a contained copy
        lambda b: b.upper(),
        lambda b: f"{b} (2024)",  # a number added
        lambda b: f"{b[: len(b) * 2 // 3]}…",  # a truncated copy
        lambda b: f"{b}. One more sentence follows here.",
    ]
)
DOCUMENT = st.tuples(
    st.lists(st.one_of(BLOCK, st.sampled_from(LINES)), min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(0, 29), COPY), max_size=12),
).map(
    # copies of earlier blocks, exact or edited, as boilerplate repeats itself
    lambda doc: [*doc[0], *(copy(doc[0][k % len(doc[0])]) for k, copy in doc[1])]
)


@pytest.fixture(scope="module")
def compiled() -> ModuleType:
    return _compiled()


class TestBlockForms:
    def check(self, compiled: ModuleType, text: str) -> None:
        alnum, norm = compiled.forms(text)
        assert alnum == _repeats._alnum_form_of(text)
        assert norm == _repeats._normal_form(text)
        assert (alnum, norm) == _repeats._forms_of(text)
        assert compiled.alnum_form(text) == alnum
        assert compiled.normal_form(text) == norm

    @pytest.mark.parametrize(
        "text",
        ["", " ", "Share this!", "Step 1", "STRASSE Straße", "ǅemal ﬁne",
         "Ⅻ ² ½ ①", "٣ ७ x١y", "a_b", "ｆｕｌｌ", "東京は晴れ", "สวัสดีครับ",
         "مرحبا بالعالم", "I\u0307stanbul İ", "x\ud800y", "\U0001f600ok",
         "\u00a0nbsp\u3000ideographic\u2028line", "A\u0300 e\u0301"],
        ids=lambda t: f"{len(t)}:{t[:4]!a}",
    )  # fmt: skip
    def test_edges(self, compiled: ModuleType, text: str) -> None:
        self.check(compiled, text)

    @pytest.mark.fuzz
    @settings(max_examples=examples(300))
    @given(text=st.one_of(TEXTS, BLOCK))
    def test_generated(self, compiled: ModuleType, text: str) -> None:
        self.check(compiled, text)

    def test_real_lines(self, compiled: ModuleType) -> None:
        for line in LINES:
            self.check(compiled, line)

    def test_non_str_is_refused(self, compiled: ModuleType) -> None:
        with pytest.raises(TypeError, match="must be str"):
            compiled.forms(b"bytes")


class TestSmallKernels:
    @pytest.mark.fuzz
    @settings(max_examples=examples(300))
    @given(text=st.one_of(TEXTS, BLOCK, st.sampled_from(LINES)))
    def test_word_count(self, compiled: ModuleType, text: str) -> None:
        assert compiled.word_count(text) == _blocks._word_count(text)

    def test_word_count_of_every_whitespace(self, compiled: ModuleType) -> None:
        spaces = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
        for text in (spaces, f"a{spaces}b", "a\x1cb\x1fc\x85d", "日本語の文章です"):
            assert compiled.word_count(text) == _blocks._word_count(text)

    @pytest.mark.fuzz
    @settings(max_examples=examples(300))
    @given(text=st.one_of(TEXTS, BLOCK, st.sampled_from(LINES)))
    def test_block_key(self, compiled: ModuleType, text: str) -> None:
        key = compiled.block_key(text)
        assert key == _page_evidence.block_key(text)
        assert type(key) is str

    def test_block_key_of_every_whitespace(self, compiled: ModuleType) -> None:
        spaces = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
        # equal str values have equal kinds: a wide space dropped narrows the key
        for text in ("", spaces, f"a{spaces}b", "a\u3000b", "日 本", "\U0001f600 x"):
            assert compiled.block_key(text) == _page_evidence.block_key(text)

    def test_block_key_of_a_str_subclass_is_a_str(self, compiled: ModuleType) -> None:
        class Text(str):
            __slots__ = ()

        key = compiled.block_key(Text("abc"))
        assert type(key) is str
        assert key == "abc"
        with pytest.raises(TypeError, match="must be str"):
            compiled.block_key(b"bytes")

    @pytest.mark.fuzz
    @settings(max_examples=examples(200))
    @given(
        text=st.one_of(TEXTS, BLOCK),
        words=st.lists(st.one_of(WORD, st.text(ALPHABET, max_size=3)), max_size=8),
    )
    def test_any_in(self, compiled: ModuleType, text: str, words: list[str]) -> None:
        for sequence in (tuple(words), words):
            expected = _signatures._any_word_in(text, tuple(words))
            assert compiled.any_in(text, sequence) is expected

    @pytest.mark.fuzz
    @settings(max_examples=examples(200))
    @given(
        blocks=st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=8), max_size=8)
    )
    def test_post(self, compiled: ModuleType, blocks: list[list[str]]) -> None:
        sets = [frozenset(b) for b in blocks]
        df = Counter(tok for s in sets for tok in s)
        pure: dict[str, list[int]] = {}
        fast: dict[str, list[int]] = {"a": [99]}  # existing postings are kept
        pure["a"] = [99]
        for i, tokens in enumerate(sets):
            _repeats._post_tokens(tokens, i, df, pure)
            compiled.post(tokens, i, df, fast)
        assert fast == pure
        assert list(fast) == list(pure)  # same insertion order
        # a token missing from the counts counts 0 (Counter), as in Python
        compiled.post(["zz"], 0, df, fast)
        assert "zz" not in fast


class TestLearnableKeys:
    """``learnable_keys``: each block's template key, forms and eligibility."""

    def check(self, compiled: ModuleType, blocks: list[str]) -> None:
        memo.clear_all()
        expected = _site_templates.learnable_keys(blocks)
        assert compiled.learnable_keys(blocks) == expected
        assert compiled.learnable_keys(tuple(blocks)) == expected
        for block, found in zip(blocks, expected, strict=True):
            if found is not None:  # the forms are the ones cleaning uses
                key, short, norm = found[0]
                assert (short, norm) == _repeats.short_forms(block)
                assert key == _site_templates.block_key(block)
                assert found[1] is _site_templates.eligible(block)

    @pytest.mark.parametrize(
        "block",
        ["", " \t\u3000", "Share this!", "...", "© 2024 —", "x" * 299, "x" * 300,
         "y " * 200, "w " * 14 + "end.", "w " * 13 + "end.", "A short one.", "“Quoted prose.”", "(Aside.)", ".",
         "。", "！", "Ends?'", "Ends'?", "a ) .", "東京は晴れ。", "ǅemal ﬁne",
         "STRASSE Straße", "I\u0307stanbul", "\u00a0 nbsp \u00a0", "Ⅻ ² ½ ①",
         "\U0001f600 ok", "!!! ??? ...", "—\u00a0—"],
        ids=lambda t: f"{len(t)}:{t[:4]!a}",
    )  # fmt: skip
    def test_edges(self, compiled: ModuleType, block: str) -> None:
        self.check(compiled, [block])

    def test_lone_surrogates(self, compiled: ModuleType) -> None:
        # Dropped from the alphanumeric form; a symbols-only key keeps them
        # and is hashed as encode("utf-8", "surrogatepass") writes it.
        self.check(compiled, ["x\ud800y", "word \udfff."])
        self.check(compiled, ["\ud800", "! \udc80 !"])
        found = _site_templates.learnable_keys(["\ud800"])[0]
        assert found is not None
        assert found[0][0] == int.from_bytes(
            blake2b(b"\xed\xa0\x80", digest_size=8).digest(), "big"
        )

    @pytest.mark.fuzz
    @settings(max_examples=examples(300))
    @given(blocks=st.lists(st.one_of(TEXTS, BLOCK, st.sampled_from(LINES))))
    def test_generated(self, compiled: ModuleType, blocks: list[str]) -> None:
        self.check(compiled, blocks)

    def test_real_lines_and_huge_blocks(self, compiled: ModuleType) -> None:
        self.check(compiled, LINES)
        self.check(compiled, [" ".join(LINES[:500]), "\n".join(CLEANING_TEXTS[:3])])

    def test_non_str_is_refused(self, compiled: ModuleType) -> None:
        with pytest.raises(TypeError, match="must be str"):
            compiled.learnable_keys(["ok", b"bytes"])
        with pytest.raises(TypeError, match="sequence"):
            compiled.learnable_keys(42)


# --- the cleaning decisions -------------------------------------------------

PURE_KERNELS = {
    _repeats: {
        "normalize": _repeats._normal_form,
        "_alnum_form": _repeats._alnum_form_of,
        "_forms": _repeats._forms_of,
        "_post_block": _repeats._post_tokens,
    },
    _blocks: {"normalize": _repeats._normal_form, "_words": _blocks._word_count},
    _signatures: {"_any_in": _signatures._any_word_in},
    _page_evidence: {"_block_key": _page_evidence.block_key},
    _site_templates: {"_LEARNABLE_KEYS": _site_templates.learnable_keys},
}


@contextmanager
def pure_kernels() -> Iterator[None]:
    """The pure Python kernels in every module, every memo emptied before and after."""
    memo.clear_all()
    with pytest.MonkeyPatch.context() as patch:
        for module, kernels in PURE_KERNELS.items():
            for name, kernel in kernels.items():
                assert hasattr(module, name), name
                patch.setattr(module, name, kernel)
        yield
    memo.clear_all()


def cleaned(
    blocks: list[str], template_of: list[str] | None = None, *, shared: bool = False
) -> CleanResult:
    """``shared``: the view holds the blocks' forms, as an item's view does."""
    template = None
    if template_of is not None:
        keys = template_keys(template_of)
        known = block_template_keys(blocks)[1] if shared else None
        template = SiteTemplateView(dict.fromkeys(keys.plain | keys.spread, 3), known)
    return _blocks.clean_blocks(blocks, template=template)


def both_paths(blocks: list[str], template_of: list[str] | None = None) -> None:
    memo.clear_all()
    active = cleaned(blocks, template_of)
    with pure_kernels():
        pure = cleaned(blocks, template_of)
    assert active == pure
    if template_of is not None:  # the forms shared by the template lookup
        memo.clear_all()
        assert cleaned(blocks, template_of, shared=True) == pure
        with pure_kernels():
            assert cleaned(blocks, template_of, shared=True) == pure


def test_the_swap_covers_every_kernel_binding(compiled: ModuleType) -> None:
    # every module attribute bound to a compiled cleaning kernel is swapped
    names = ("forms", "alnum_form", "normal_form", "word_count", "block_key")
    names = (*names, "learnable_keys")
    kernels = {id(getattr(compiled, n)) for n in (*names, "any_in", "post")}

    def bound(module: ModuleType) -> set[str]:
        return {n for n, v in vars(module).items() if id(v) in kernels}

    if _accel.speedups is not None:
        assert bound(_repeats) == {"normalize", "_alnum_form", "_forms", "_post_block"}
    for module, kernels in PURE_KERNELS.items():
        assert bound(module) <= set(kernels), module.__name__
    with pure_kernels():
        for module in PURE_KERNELS:
            assert not bound(module)


class TestCleaningDecisions:
    @pytest.mark.parametrize("index", range(len(CLEANING_TEXTS)))
    def test_real_texts(self, index: int) -> None:
        blocks = _blocks.split_blocks(CLEANING_TEXTS[index])
        both_paths(blocks)
        # with the next fixture's blocks learned as the site's template
        other = _blocks.split_blocks(CLEANING_TEXTS[index - 1])
        both_paths(blocks, other + blocks[:3])

    @pytest.mark.fuzz
    @settings(max_examples=examples(150), deadline=None)
    @given(blocks=DOCUMENT)
    def test_generated_documents(self, blocks: list[str]) -> None:
        both_paths(blocks)
        both_paths(blocks, blocks[1::2])


SITES = Path(__file__).parent / "sites"


def evidence_pages() -> list[str]:
    """The HTML of every test site page and page evidence fixture."""
    pages = [p.read_text("utf-8") for p in sorted(SITES.glob("*.html"))]
    packed = sorted((FIXTURES / "page_evidence").glob("*.html.gz"))
    pages.extend(gzip.decompress(p.read_bytes()).decode("utf-8") for p in packed)
    return pages


EVIDENCE_PAGES = evidence_pages()


@pytest.mark.parametrize("index", range(len(EVIDENCE_PAGES)))
def test_page_evidence_on_both_paths(index: int) -> None:
    """Page evidence for every block, a lazy spider's lines and text nodes."""
    response = HtmlResponse("https://example.com/", body=EVIDENCE_PAGES[index].encode())
    wanted_sets = [
        None,
        {_page_evidence.block_key(line) for line in lazy_lines(response)},
        {_page_evidence.block_key(t) for t in response.css("p::text").getall()},
    ]
    root = response.selector.root
    for wanted in wanted_sets:
        active = _page_evidence.page_evidence(root, wanted)
        with pure_kernels():
            pure = _page_evidence.page_evidence(root, wanted)
        assert active == pure


CLEAN_SCRIPT = """
import json, sys
from scrapy_newsclean import _accel
from scrapy_newsclean.cleaning._blocks import clean, clean_blocks, split_blocks
texts = json.loads(sys.stdin.read())
out = []
for text in texts:
    result = clean(text)
    out.append([result.text, [[r.index, r.reason, r.text] for r in result.removed]])
print(json.dumps([_accel.ACTIVE, out]))
"""


def test_a_pure_process_removes_the_same_blocks() -> None:
    """Against a process on the pure path (its own imports, memos, kernels)."""
    done = subprocess.run(
        [sys.executable, "-c", CLEAN_SCRIPT],
        input=json.dumps(CLEANING_TEXTS),
        env={**os.environ, _accel.PURE_VARIABLE: "1"},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    active, results = json.loads(done.stdout)
    assert active == "pure (NEWSCLEAN_PURE=1)"
    removed_any = 0
    for text, (kept, removed) in zip(CLEANING_TEXTS, results, strict=True):
        result = _blocks.clean(text)
        assert result.text == kept
        assert [[r.index, r.reason, r.text] for r in result.removed] == removed
        removed_any += bool(removed)
    assert removed_any > len(CLEANING_TEXTS) // 4  # the fixtures hold boilerplate

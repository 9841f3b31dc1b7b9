# ruff: noqa: RUF001  (multilingual text is the data here)
"""The bounded per-block memo and the memoised paths that use it."""

from __future__ import annotations

import pytest

from scrapy_newsclean._bounded_memo import Memo, clear_all
from scrapy_newsclean.cleaning._repeats import (
    BlockForms,
    _alnum_form,
    normalize,
    short_key,
)
from scrapy_newsclean.cleaning._signatures import DEFAULT_SIGNATURES
from scrapy_newsclean.cleaning._site_templates import block_key, digest_key
from scrapy_newsclean.errorpages import _classify as errorpages


def test_memo_keeps_at_most_two_generations() -> None:
    memo: Memo[int, str] = Memo(size=3)
    for key in range(10):
        memo.put(key, str(key))
    assert len(memo) <= 6
    assert memo.get(9) == "9"
    assert memo.get(0) is None


def test_memo_promotes_old_hits() -> None:
    memo: Memo[str, int] = Memo(size=2)
    memo.put("a", 1)
    memo.put("b", 2)
    memo.put("c", 3)  # "a" and "b" become the old generation
    assert memo.get("a") == 1  # promoted next to "c"
    memo.put("d", 4)  # the young generation ("c", "a") ages; "b" is dropped
    assert memo.get("b") is None
    assert memo.get("a") == 1


def test_clear_all_empties_every_memo() -> None:
    memo: Memo[str, int] = Memo()
    memo.put("x", 1)
    clear_all()
    assert memo.get("x") is None
    assert len(memo) == 0


def test_memo_rejects_bad_size() -> None:
    with pytest.raises(ValueError, match="memo size"):
        Memo(size=0)


BLOCKS = [
    "Share this article",
    "Copyright 2024 Example News. All rights reserved.",
    "Sign up for our newsletter",
    "The council voted 7-2 on Tuesday to approve the new budget.",
    "Step 1",
    "Step 2",
    "★★★",
    "Ⅻ  ＡＢＣ  ’quoted’",
    "広告",
    "",
]


@pytest.mark.parametrize("block", BLOCKS)
def test_memoised_classify_equals_uncached(block: str) -> None:
    clear_all()
    first = DEFAULT_SIGNATURES.classify(block)
    again = DEFAULT_SIGNATURES.classify(block)  # a memo hit
    assert first is again
    assert first is DEFAULT_SIGNATURES._classify(block)


@pytest.mark.parametrize("block", BLOCKS)
def test_memoised_forms_equal_direct_ones(block: str) -> None:
    clear_all()
    for _ in range(2):  # cold, then from the memo
        forms = BlockForms([block])
        assert forms.short(0) == (
            _alnum_form(block) or " ".join(block.casefold().split())
        )
        assert forms.norm(0) == normalize(block)
        assert short_key(block) == forms.short(0)
        assert block_key(block) == digest_key(short_key(block))


def test_block_key_golden_value_survives_the_memo() -> None:
    clear_all()
    values = [block_key("Share this article") for _ in range(3)]
    assert len(set(values)) == 1
    assert values[0] == int.from_bytes(
        __import__("hashlib").blake2b(b"share this article", digest_size=8).digest(),
        "big",
    )


TEXT_RICH = (
    "<html><head><title>Page not found | Example</title></head><body>"
    "<p>" + "word " * 1200 + "</p></body></html>"
)
THIN_404 = (
    "<html><head><title>Page not found | Example</title></head>"
    "<body><p>Sorry, we could not find that page.</p></body></html>"
)


@pytest.mark.parametrize("page", [TEXT_RICH, THIN_404])
def test_verdict_fast_path_agrees_with_full_signals(page: str) -> None:
    from lxml import html

    root = html.document_fromstring(page)
    body = page.encode()
    full = errorpages._decide(errorpages.page_signals(body=body, root=root))
    fast = errorpages.classify(
        status=200, url="https://example.com/a/1", body=body, root=root
    )
    assert fast == full
    assert (fast is None) == (page is TEXT_RICH)


def test_template_keys_from_the_memo_equal_direct_ones() -> None:
    from scrapy_newsclean.cleaning._site_templates import eligible, template_keys

    blocks = [
        *BLOCKS,
        "A sentence that is long enough to be prose and not learnable at all here.",
        "x" * 400,
    ]
    expected = (
        {block_key(b) for b in blocks if b.strip() and eligible(b)},
        {block_key(b) for b in blocks if b.strip() and not eligible(b)},
    )
    clear_all()
    assert template_keys(blocks) == expected
    assert template_keys(blocks) == expected  # from the memo

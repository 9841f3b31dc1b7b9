"""What happens to one item (scrapy_newsclean.itemflow.ItemProcessor).

The processor runs here with a real :class:`MemoryStore` and a recording
:class:`~scrapy_newsclean.itemflow.Effects`, as the pipelines and the CLI
run it with theirs.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from itemadapter import ItemAdapter
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean.itemflow import (
    RECENT_FINGERPRINTS,
    RECENT_MAX_CHARS,
    DirectStore,
    ItemProcessor,
    ProcessConfig,
    RecentFingerprints,
)
from scrapy_newsclean.neardup import SimhashConfig, fingerprint
from scrapy_newsclean.stores import Reservation, StoreUnavailable
from scrapy_newsclean.stores._memory import MemoryStore
from tests.template_texts import ABOUT_US, BACKGROUND, follow_ups, unrelated_articles

if TYPE_CHECKING:
    from scrapy_newsclean.stores import FingerprintStore

FIXTURES = Path(__file__).parent / "fixtures" / "simhash"
STORY = (FIXTURES / "000_f0605b7f478a5237.expected.txt").read_text("utf-8")
OTHER_STORY = (FIXTURES / "003_52c365f2d776a0bf.expected.txt").read_text("utf-8")
FOOTER = "Reader service of the Example Times: weekdays from 8 am to 6 pm"


class Dropped(Exception):
    def __init__(self, stage: str, reason: str, extra: dict[str, Any]) -> None:
        super().__init__(reason)
        self.stage, self.reason, self.extra = stage, reason, extra


class Recorder:
    """:class:`~scrapy_newsclean.itemflow.Effects` that keeps what it got."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.sites: Counter[tuple[str, str]] = Counter()
        self.notes: list[tuple[str | None, str]] = []
        self.warnings: list[tuple[str | None, str]] = []

    def inc(self, event: str, count: int = 1, site: str | None = None) -> None:
        self.counts[event] += count
        if site is not None:
            self.sites[event, site] += count

    def note(self, url: str | None, message: str) -> None:
        self.notes.append((url, message))

    def warn(self, url: str | None, message: str) -> None:
        self.warnings.append((url, message))

    def drop(
        self, stage: str, reason: str, url: str | None, detail: str, **extra: Any
    ) -> NoReturn:
        raise Dropped(stage, reason, extra)


class DownStore:
    async def ready(self) -> FingerprintStore:
        raise StoreUnavailable("connection refused")


@dataclass
class Article:
    url: str
    body: str
    tags: list[str] = field(default_factory=list)


async def _no_sleep(delay: float) -> None:
    pass


def processor(
    store: MemoryStore | None = None, **config: Any
) -> tuple[ItemProcessor, Recorder]:
    effects = Recorder()
    access = DirectStore(store if store is not None else MemoryStore())
    return ItemProcessor(ProcessConfig(**config), access, effects, _no_sleep), effects


def page(n: int, site: str = "example.com") -> dict[str, str]:
    body = (
        f"Paragraph {n}: the council voted on proposal {n} after a long debate "
        f"that lasted until late in the evening of day {n}.\n{FOOTER}\n"
        f"A closing paragraph {n} with reactions from residents and officials."
    )
    return {"url": f"https://www.{site}/news/{n}", "body": body}


async def store_item(proc: ItemProcessor, item: dict[str, str]) -> None:
    """Clean the item and learn its template keys, as a crawl that stores it."""
    entry = await proc.clean(ItemAdapter(item), item["url"])
    if entry is not None:
        await proc.learn(entry)


@deferred_f_from_coro_f
async def test_site_template_learned_from_stored_items_only() -> None:
    proc, effects = processor()
    for n in range(3):
        item = page(n)
        await store_item(proc, item)
        assert FOOTER in item["body"]  # seen in fewer than 3 stored items so far
    fourth = page(3)
    entry = await proc.clean(ItemAdapter(fourth), fourth["url"])
    assert FOOTER not in fourth["body"]
    assert entry is not None
    assert entry.site == "example.com"
    assert (
        effects.sites["clean/blocks_removed/reason_count/site_template", "example.com"]
        == 1
    )
    other_site = page(4, site="example.org")
    await proc.clean(ItemAdapter(other_site), other_site["url"])
    assert FOOTER in other_site["body"]


@deferred_f_from_coro_f
async def test_about_us_paragraph_of_unrelated_articles_is_learned() -> None:
    proc, effects = processor()
    items = [
        {"url": f"https://www.example.com/news/{n}", "body": "\n".join(lines)}
        for n, lines in enumerate(unrelated_articles())
    ]
    for item in items:
        await store_item(proc, item)
    assert [ABOUT_US in item["body"] for item in items] == [
        True,
        True,
        True,
        False,  # learned from the first three
        False,
    ]
    site_template = "clean/blocks_removed/reason_count/site_template"
    assert effects.counts[site_template] == 2


@deferred_f_from_coro_f
async def test_background_paragraph_of_follow_up_stories_is_kept() -> None:
    proc, effects = processor()
    items = [
        {"url": f"https://www.example.com/event/{n}", "body": "\n".join(lines)}
        for n, lines in enumerate(follow_ups() * 2)  # and each one again
    ]
    for item in items:
        await store_item(proc, item)
    assert all(BACKGROUND in item["body"] for item in items)
    assert effects.counts["clean/blocks_removed/reason_count/site_template"] == 0


@deferred_f_from_coro_f
async def test_learned_template_expires_with_the_ttl() -> None:
    store = MemoryStore(ttl=0.5)
    proc, _ = processor(store)
    for n in range(3):
        await store_item(proc, page(n))
    learned = page(3)
    await proc.clean(ItemAdapter(learned), learned["url"])
    assert FOOTER not in learned["body"]
    await asyncio.sleep(0.6)
    expired = page(4)
    await proc.clean(ItemAdapter(expired), expired["url"])
    assert FOOTER in expired["body"]


@deferred_f_from_coro_f
async def test_template_min_pages_and_switch() -> None:
    proc, _ = processor(template_min_pages=2)
    for n in range(2):
        await store_item(proc, page(n))
    item = page(2)
    await proc.clean(ItemAdapter(item), item["url"])
    assert FOOTER not in item["body"]
    off, _ = processor(templates=False)
    for n in range(4):
        assert await off.clean(ItemAdapter(page(n)), page(n)["url"]) is None


@deferred_f_from_coro_f
async def test_copy_is_dropped_once_the_first_is_committed() -> None:
    proc, effects = processor()
    first = {"url": "https://a.example/1", "body": STORY}
    kept = await proc.dedup(ItemAdapter(first), first["url"])
    assert isinstance(kept, Reservation)
    await proc.commit(kept)
    copy = {"url": "https://b.example/2", "body": STORY + "\nAdvertisement"}
    with pytest.raises(Dropped) as dropped:
        await proc.dedup(ItemAdapter(copy), copy["url"])
    assert dropped.value.reason == "near_duplicate"
    assert dropped.value.extra["duplicate_of"] == "https://a.example/1"
    other = {"url": "https://b.example/3", "body": OTHER_STORY}
    assert isinstance(await proc.dedup(ItemAdapter(other), other["url"]), Reservation)
    assert effects.counts["duplicate/kept"] == 2
    assert effects.counts["duplicate/committed"] == 1


@deferred_f_from_coro_f
async def test_released_fingerprint_does_not_drop_a_later_copy() -> None:
    proc, effects = processor()
    first = await proc.dedup(ItemAdapter({"body": STORY}), "https://a.example/1")
    assert first is not None
    await proc.release(first)
    again = await proc.dedup(ItemAdapter({"body": STORY}), "https://a.example/2")
    assert isinstance(again, Reservation)
    assert effects.counts["duplicate/released"] == 1


@deferred_f_from_coro_f
async def test_tag_action_and_site_scope() -> None:
    proc, effects = processor(duplicate_action="tag", scope="site")
    kept = await proc.dedup(ItemAdapter({"body": STORY}), "https://example.com/1")
    assert kept is not None
    await proc.commit(kept)
    same_site = {"body": STORY}
    assert (
        await proc.dedup(ItemAdapter(same_site), "https://news.example.com/2") is None
    )
    assert same_site["newsclean_duplicate"]["of"] == "https://example.com/1"
    other_site = {"body": STORY}
    assert await proc.dedup(ItemAdapter(other_site), "https://example.org/1")
    assert "newsclean_duplicate" not in other_site
    assert effects.counts["duplicate/tagged"] == 1


@deferred_f_from_coro_f
async def test_tag_on_an_item_without_the_field_is_counted() -> None:
    proc, effects = processor(duplicate_action="tag")
    kept = await proc.dedup(ItemAdapter({"body": STORY}), "u1")
    assert kept is not None
    await proc.commit(kept)
    article = Article(url="u2", body=STORY)
    assert await proc.dedup(ItemAdapter(article), "u2") is None
    assert effects.counts["duplicate/field_undeclared"] == 1


@deferred_f_from_coro_f
async def test_items_without_text_pass_or_drop() -> None:
    proc, effects = processor()
    assert await proc.dedup(ItemAdapter({"title": "x"}), "u") is None
    assert await proc.dedup(ItemAdapter({"body": " — … "}), "u") is None
    assert effects.counts["duplicate/no_text/reason_count/missing"] == 1
    assert effects.counts["duplicate/no_text/reason_count/no_words"] == 1
    strict, _ = processor(no_text_action="drop")
    with pytest.raises(Dropped, match="no_text"):
        await strict.dedup(ItemAdapter({"body": ""}), "u")


@deferred_f_from_coro_f
async def test_text_shorter_than_min_words_is_no_text() -> None:
    proc, effects = processor()
    for n in range(3):  # never near-duplicates of each other
        assert (
            await proc.dedup(ItemAdapter({"body": "four words of text"}), f"u{n}")
            is None
        )
    assert effects.counts["duplicate/no_text/reason_count/too_short"] == 3
    assert effects.counts["duplicate/kept"] == 0
    five = await proc.dedup(ItemAdapter({"body": "five words of text here"}), "u")
    assert five is not None  # fingerprinted
    assert effects.warnings == []  # 3 in a row, fewer than PLACEHOLDER_RUN


@deferred_f_from_coro_f
async def test_placeholder_run_warns_once() -> None:
    proc, effects = processor()
    for n in range(12):
        await proc.dedup(ItemAdapter({"title": "t", "article_text": "NULL"}), f"u{n}")
    [(url, message)] = effects.warnings
    assert url is None
    assert message.startswith(
        "5 items in a row have the same text 'NULL' in field 'article_text'"
    )


@deferred_f_from_coro_f
async def test_emptied_item_is_dropped_unless_kept() -> None:
    boilerplate = {"body": "Share this article\nSign up for our newsletter"}
    proc, _ = processor()
    with pytest.raises(Dropped) as dropped:
        await proc.clean(ItemAdapter(dict(boilerplate)), "u")
    assert dropped.value.reason == "empty_after_clean"
    assert dropped.value.extra["removed"] == {"call_to_action": 2}
    keep, _ = processor(keep_empty=True, report_field="newsclean")
    item = dict(boilerplate)
    await keep.clean(ItemAdapter(item), "u")
    assert item["body"] == ""
    assert item["newsclean"]["blocks_removed"] == {"call_to_action": 2}


@deferred_f_from_coro_f
async def test_store_down_passes_or_drops() -> None:
    effects = Recorder()
    down = ItemProcessor(ProcessConfig(), DownStore(), effects, _no_sleep)
    item = page(1)
    assert await down.dedup(ItemAdapter(item), item["url"]) is None
    entry = await down.clean(ItemAdapter(item), item["url"])
    assert entry is not None
    assert entry.site == "example.com"  # learnt later, if the store is back
    assert FOOTER in item["body"]  # cleaned without templates
    assert effects.counts["store/unavailable"] == 2  # one per failed call
    assert effects.counts["duplicate/store_unavailable_passed"] == 1
    assert effects.counts["clean/template_store_unavailable"] == 1
    strict = ItemProcessor(
        ProcessConfig(store_failure="drop"), DownStore(), Recorder(), _no_sleep
    )
    with pytest.raises(Dropped, match="store_unavailable"):
        await strict.dedup(ItemAdapter({"body": STORY}), "u")


def test_needs_store() -> None:
    assert ProcessConfig().needs_store
    assert ProcessConfig(dedup=False).needs_store  # templates read the store
    assert not ProcessConfig(dedup=False, templates=False).needs_store
    assert not ProcessConfig(dedup=False, clean=None).needs_store


def test_recent_fingerprints_are_computed_once_and_bounded() -> None:
    recent = RecentFingerprints()
    config = SimhashConfig()
    first = recent.fingerprint(STORY, config)
    assert first == fingerprint(STORY, config)
    assert recent.fingerprint(STORY, config) is first  # the cached one
    for n in range(RECENT_FINGERPRINTS):
        recent.fingerprint(f"{OTHER_STORY} {n}", config)
    assert recent.fingerprint(STORY, config) is not first  # the oldest went
    huge = STORY * (RECENT_MAX_CHARS // len(STORY) + 1)
    assert recent.fingerprint(huge, config) is not recent.fingerprint(huge, config)

"""The fingerprint store contract, as a pytest suite any store can run.

A store (built-in or third-party) passes the suite by subclassing
:class:`StoreContract` in a test module and defining the ``store_factory``
fixture::

    from scrapy_newsclean.stores import build_store
    from scrapy_newsclean.testing import StoreContract


    class TestMyStore(StoreContract):
        @pytest.fixture
        def store_factory(self, tmp_path):
            stores = {"my": "my_package.MyStore"}
            return lambda options: build_store(
                f"my://{tmp_path}/state", options, stores=stores
            )

The factory gets :class:`~scrapy_newsclean.stores.StoreOptions` (the suite
varies ``ttl``) and returns a store that is not opened yet. Within one test,
every store it returns sees the same data (the same file, the same server
prefix); an in-process store may return the same object each time.

Each test drives the store from its own asyncio event loop, in a worker
thread, so the suite needs no async pytest plugin and runs under any reactor.
Importing this module imports pytest: only test code imports it.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeAlias

import pytest

from scrapy_newsclean.neardup import Fingerprint, fingerprint
from scrapy_newsclean.stores._base import (
    Match,
    Reservation,
    StoreOptions,
    TemplateSighting,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from scrapy_newsclean.stores._base import FingerprintStore

#: What ``store_factory`` returns: options in, a store (not opened) out.
StoreFactory: TypeAlias = "Callable[[StoreOptions], FingerprintStore]"

STORY = (
    "The city council voted on Tuesday to extend the night bus network to the "
    "northern suburbs, ending a two-year dispute over funding between the "
    "transport authority and the regional government. Under the plan, four new "
    "lines will run every thirty minutes between midnight and five in the "
    "morning from next spring, and the region will cover half of the cost."
)
#: A near duplicate of :data:`STORY` (a headline and a byline added).
COPY = "Night buses to reach the suburbs\n" + STORY + " Reporting by A. Ruiz."
#: An unrelated article.
OTHER = (
    "The national archive's website was unreachable for most of Monday after a "
    "firewall rule blocked every request from outside the building. The "
    "director said engineers rolled back the change in the evening and that "
    "the launch of the digitised census would go ahead as planned next week."
)
#: Every value with bit 63 set (SQLite integers are signed).
HIGH_BIT = Fingerprint(
    simhash=(1 << 63) | 0x1234, sketch=(1 << 63) | 7, content=(1 << 63) | 9, size=40
)


def bit_print(bits: range) -> Fingerprint:
    """A fingerprint whose simhash has *bits* set (so its distance to another
    is the bits they do not share); one sketch, a distinct content per set."""
    simhash = sum(1 << b for b in bits)
    return Fingerprint(simhash=simhash, sketch=0x5A5A5, content=simhash + 1, size=40)


def run_in_loop(
    test: Callable[..., Coroutine[Any, Any, None]],
) -> Callable[..., None]:
    """*test* (a coroutine function) run to completion in a fresh event loop.

    The loop runs in a worker thread, so a loop already running in the test
    process (pytest-twisted's asyncio reactor, pytest-asyncio) is left alone.
    """

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        with ThreadPoolExecutor(max_workers=1) as worker:
            worker.submit(asyncio.run, test(*args, **kwargs)).result()

    return run


async def reserve(
    store: FingerprintStore, text: str, now: float = 1000.0, scope: str = ""
) -> Match | Reservation:
    """Check and reserve the fingerprint of *text* (URL ``u:`` + its start)."""
    return await store.check_and_reserve(scope, fingerprint(text), f"u:{text[:9]}", now)


class StoreContract:
    """What every :class:`~scrapy_newsclean.stores.FingerprintStore` must do.

    Subclass it as ``Test<Name>`` and define the ``store_factory`` fixture
    (see the module docstring).
    """

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """Builds the store under test: a subclass defines it."""
        pytest.fail(f"{type(self).__name__} must define the store_factory fixture")

    @run_in_loop
    async def test_reserve_commit_then_near_duplicate_matches(
        self, store_factory: StoreFactory
    ) -> None:
        store = store_factory(StoreOptions(ttl=None))
        await store.open()
        first = await reserve(store, STORY)
        assert isinstance(first, Reservation)
        await store.commit(first, 1000.0)
        match = await reserve(store, COPY)
        assert isinstance(match, Match)
        assert match.url == first.url
        assert not match.pending
        assert isinstance(await reserve(store, OTHER), Reservation)
        await store.close()

    @run_in_loop
    async def test_pending_reservation_is_visible_and_release_forgets_it(
        self, store_factory: StoreFactory
    ) -> None:
        store = store_factory(StoreOptions(ttl=None))
        await store.open()
        first = await reserve(store, STORY)
        assert isinstance(first, Reservation)
        match = await reserve(store, COPY)
        assert isinstance(match, Match)
        assert match.pending
        await store.release(first)
        assert isinstance(await reserve(store, COPY), Reservation)
        await store.close()

    @run_in_loop
    async def test_committed_fingerprints_persist_across_open(
        self, store_factory: StoreFactory
    ) -> None:
        store = store_factory(StoreOptions(ttl=None))
        await store.open()
        kept = await reserve(store, STORY)
        dropped = await reserve(store, OTHER)
        assert isinstance(kept, Reservation)
        assert isinstance(dropped, Reservation)
        await store.commit(kept, 1000.0)
        await store.close()  # `dropped` was never committed: as after a crash
        again = store_factory(StoreOptions(ttl=None))
        await again.open()
        assert isinstance(await reserve(again, COPY), Match)
        assert isinstance(await reserve(again, OTHER), Reservation)
        await again.close()

    @run_in_loop
    async def test_ttl_expiry(self, store_factory: StoreFactory) -> None:
        store = store_factory(StoreOptions(ttl=100.0))
        await store.open()
        first = await reserve(store, STORY, now=1000.0)
        assert isinstance(first, Reservation)
        await store.commit(first, 1000.0)
        assert isinstance(await reserve(store, COPY, now=1050.0), Match)
        assert isinstance(await reserve(store, COPY, now=1101.0), Reservation)
        await store.close()

    @run_in_loop
    async def test_scopes_are_separate(self, store_factory: StoreFactory) -> None:
        store = store_factory(StoreOptions(ttl=None))
        await store.open()
        first = await reserve(store, STORY, scope="a.example")
        assert isinstance(first, Reservation)
        await store.commit(first, 1000.0)
        assert isinstance(await reserve(store, COPY, scope="b.example"), Reservation)
        assert isinstance(await reserve(store, COPY, scope="a.example"), Match)
        await store.close()

    @run_in_loop
    async def test_same_host_needs_a_closer_match(
        self, store_factory: StoreFactory
    ) -> None:
        """A kept article on the item's host under another URL counts only
        within ``same_host_distance`` (8); the same URL, another host, or no
        URL follow ``distance`` (17)."""
        store = store_factory(StoreOptions(ttl=None))
        await store.open()

        async def check(bits: range, url: str | None) -> Match | Reservation:
            return await store.check_and_reserve("", bit_print(bits), url, 1000.0)

        kept = await check(range(0), "https://www.news.example/a")
        assert isinstance(kept, Reservation)
        await store.commit(kept, 1000.0)
        # 12 bits away, same host (www. and the port do not matter): another article
        sibling = await check(range(12), "http://News.Example:8080/b")
        assert isinstance(sibling, Reservation)
        await store.release(sibling)
        # 12 bits away on another host, or without a URL: a copy
        for url in ("https://wire.example/a", None):
            match = await check(range(20, 32), url)
            assert isinstance(match, Match)
            assert (match.url, match.distance) == ("https://www.news.example/a", 12)
        # the same URL again, and a close copy on the same host
        for bits, url in (
            (range(40, 52), "https://www.news.example/a"),
            (range(40, 48), "https://news.example/a?utm_source=feed"),
        ):
            match = await check(bits, url)
            assert isinstance(match, Match)
            assert match.url == "https://www.news.example/a"
        await store.close()

    @run_in_loop
    async def test_a_same_host_candidate_does_not_hide_another_hosts_copy(
        self, store_factory: StoreFactory
    ) -> None:
        store = store_factory(StoreOptions(ttl=None))
        await store.open()
        for bits, url in ((range(10), "https://news.example/1"),
                          (range(20, 35), "https://wire.example/2")):  # fmt: skip
            kept = await store.check_and_reserve("", bit_print(bits), url, 1000.0)
            assert isinstance(kept, Reservation)
            await store.commit(kept, 1000.0)
        item = await store.check_and_reserve(
            "", bit_print(range(0)), "https://news.example/3", 1000.0
        )
        assert isinstance(item, Match)
        assert (item.url, item.distance) == ("https://wire.example/2", 15)
        await store.close()

    @run_in_loop
    async def test_bit_63_and_empty_fingerprints(
        self, store_factory: StoreFactory
    ) -> None:
        store = store_factory(StoreOptions(ttl=None))
        await store.open()
        first = await store.check_and_reserve("", HIGH_BIT, "u:high", 1000.0)
        assert isinstance(first, Reservation)
        await store.commit(first, 1000.0)
        match = await store.check_and_reserve("", HIGH_BIT, "u:again", 1000.0)
        assert isinstance(match, Match)
        assert match.url == "u:high"
        assert match.distance == 0
        empty = fingerprint("")
        for _ in range(2):
            reservation = await store.check_and_reserve("", empty, None, 1000.0)
            assert isinstance(reservation, Reservation)
            await store.commit(reservation, 1000.0)
        await store.close()

    @run_in_loop
    async def test_template_counts(self, store_factory: StoreFactory) -> None:
        store = store_factory(StoreOptions(ttl=None))
        await store.open()
        high = (1 << 63) + 5
        await store.add_template_keys(sighting("a.example", [1, 2, high]), 1000.0)
        await store.add_template_keys(sighting("a.example", [1, high]), 1000.0)
        await store.add_template_keys(sighting("b.example", [1]), 1000.0)
        counts = await store.template_counts("a.example", [1, 2, 3, high], 1000.0)
        assert dict(counts) == {1: 2, 2: 1, high: 2}
        await store.close()
        again = store_factory(StoreOptions(ttl=None))
        await again.open()
        counts = await again.template_counts("a.example", [1, 2], 1000.0)
        assert dict(counts) == {1: 2, 2: 1}
        await again.close()

    @run_in_loop
    async def test_spread_keys_count_on_unrelated_pages_only(
        self, store_factory: StoreFactory
    ) -> None:
        store = store_factory(StoreOptions(ttl=None))
        await store.open()
        pages = [
            0,
            (1 << 63) | 0xFFFF,  # 17 bits from the first: unrelated
            0b111,  # 3 bits from the first: related, not counted
            0xFFFF_FFFF << 20,  # 32 and 33 bits from the sample: unrelated
            ((1 << 64) - 1) ^ 0xFFFF_FFFF,  # unrelated (the sample is full)
            (0xFFFF_FFFF << 20) ^ 1,  # related to the fourth: not counted
        ]
        for simhash in pages:
            page = sighting("a.example", [1], spread=[7], simhash=simhash)
            await store.add_template_keys(page, 1000.0)
        counts = await store.template_counts("a.example", [1, 7], 1000.0)
        assert dict(counts) == {1: 6, 7: 4}
        await store.close()
        again = store_factory(StoreOptions(ttl=None))
        await again.open()
        related = sighting("a.example", [], spread=[7], simhash=0b1)
        await again.add_template_keys(related, 1000.0)  # the sample persisted
        assert dict(await again.template_counts("a.example", [7], 1000.0)) == {7: 4}
        await again.close()

    @run_in_loop
    async def test_template_ttl_expiry(self, store_factory: StoreFactory) -> None:
        store = store_factory(StoreOptions(ttl=100.0))
        await store.open()
        await store.add_template_keys(sighting("a.example", [1, 2]), 1000.0)
        await store.add_template_keys(sighting("a.example", [1]), 1060.0)
        counts = await store.template_counts("a.example", [1, 2], 1101.0)
        assert dict(counts) == {1: 2}  # 2 was last counted 101 s ago
        await store.add_template_keys(sighting("a.example", [2]), 1102.0)
        counts = await store.template_counts("a.example", [1, 2], 1102.0)
        assert dict(counts) == {1: 2, 2: 1}  # counted again from 0
        assert dict(await store.template_counts("a.example", [1, 2], 1161.0)) == {2: 1}
        await store.close()


def sighting(
    site: str,
    plain: list[int],
    spread: list[int] | None = None,
    simhash: int = 0,
) -> TemplateSighting:
    """A page of *site* teaching *plain* and *spread* keys (17 bits: unrelated)."""
    return TemplateSighting(
        site, frozenset(plain), frozenset(spread or ()), simhash, 17, 3
    )

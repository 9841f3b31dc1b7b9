"""One contract for every fingerprint store: memory, SQLite files, a real Redis."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean.neardup import DEFAULT, Fingerprint, fingerprint
from scrapy_newsclean.stores import (
    Match,
    Reservation,
    StoreLocked,
    build_store,
    redact,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from scrapy_newsclean.stores import FingerprintStore
    from tests.conftest import RedisServer

STORY = (
    "The city council voted on Tuesday to extend the night bus network to the "
    "northern suburbs, ending a two-year dispute over funding between the "
    "transport authority and the regional government. Under the plan, four new "
    "lines will run every thirty minutes between midnight and five in the "
    "morning from next spring, and the region will cover half of the cost."
)
COPY = "Night buses to reach the suburbs\n" + STORY + " Reporting by A. Ruiz."
OTHER = (
    "The national archive's website was unreachable for most of Monday after a "
    "firewall rule blocked every request from outside the building. The "
    "director said engineers rolled back the change in the evening and that "
    "the launch of the digitised census would go ahead as planned next week."
)
HIGH_BIT = Fingerprint(
    simhash=(1 << 63) | 0x1234, sketch=(1 << 63) | 7, content=(1 << 63) | 9, size=40
)


@pytest.fixture(params=["memory", "sqlite", "redis"])
def make_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[..., FingerprintStore]:
    """Build stores of one kind that share state (same file / Redis prefix)."""
    if request.param == "memory":
        shared: list[FingerprintStore] = []

        def memory(ttl: float | None = None) -> FingerprintStore:
            if not shared:
                shared.append(build_store("memory://", config=DEFAULT, ttl=ttl))
            return shared[0]

        return memory
    if request.param == "sqlite":
        path = tmp_path / "state.db"
        return lambda ttl=None: build_store(
            f"sqlite:///{path}", config=DEFAULT, ttl=ttl
        )
    server: RedisServer = request.getfixturevalue("redis_server")
    prefix = f"test-{uuid.uuid4().hex}"
    return lambda ttl=None: build_store(
        server.url, config=DEFAULT, ttl=ttl, prefix=prefix
    )


async def reserve(
    store: FingerprintStore, text: str, now: float = 1000.0, scope: str = ""
) -> Match | Reservation:
    return await store.check_and_reserve(scope, fingerprint(text), f"u:{text[:9]}", now)


class TestStoreContract:
    @deferred_f_from_coro_f
    async def test_reserve_commit_then_near_duplicate_matches(
        self, make_store: Callable[..., FingerprintStore]
    ) -> None:
        store = make_store()
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

    @deferred_f_from_coro_f
    async def test_pending_reservation_is_visible_and_release_forgets_it(
        self, make_store: Callable[..., FingerprintStore]
    ) -> None:
        store = make_store()
        await store.open()
        first = await reserve(store, STORY)
        assert isinstance(first, Reservation)
        match = await reserve(store, COPY)
        assert isinstance(match, Match)
        assert match.pending
        await store.release(first)
        assert isinstance(await reserve(store, COPY), Reservation)
        await store.close()

    @deferred_f_from_coro_f
    async def test_committed_fingerprints_persist_across_open(
        self,
        make_store: Callable[..., FingerprintStore],
        request: pytest.FixtureRequest,
    ) -> None:
        store = make_store()
        await store.open()
        kept = await reserve(store, STORY)
        dropped = await reserve(store, OTHER)
        assert isinstance(kept, Reservation)
        assert isinstance(dropped, Reservation)
        await store.commit(kept, 1000.0)
        await store.close()  # `dropped` was never committed: as after a crash
        again = make_store()
        await again.open()
        assert isinstance(await reserve(again, COPY), Match)
        assert isinstance(await reserve(again, OTHER), Reservation)
        await again.close()

    @deferred_f_from_coro_f
    async def test_ttl_expiry(
        self, make_store: Callable[..., FingerprintStore]
    ) -> None:
        store = make_store(ttl=100.0)
        await store.open()
        first = await reserve(store, STORY, now=1000.0)
        assert isinstance(first, Reservation)
        await store.commit(first, 1000.0)
        assert isinstance(await reserve(store, COPY, now=1050.0), Match)
        assert isinstance(await reserve(store, COPY, now=1101.0), Reservation)
        await store.close()

    @deferred_f_from_coro_f
    async def test_scopes_are_separate(
        self, make_store: Callable[..., FingerprintStore]
    ) -> None:
        store = make_store()
        await store.open()
        first = await reserve(store, STORY, scope="a.example")
        assert isinstance(first, Reservation)
        await store.commit(first, 1000.0)
        assert isinstance(await reserve(store, COPY, scope="b.example"), Reservation)
        assert isinstance(await reserve(store, COPY, scope="a.example"), Match)
        await store.close()

    @deferred_f_from_coro_f
    async def test_bit_63_and_empty_fingerprints(
        self, make_store: Callable[..., FingerprintStore]
    ) -> None:
        store = make_store()
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

    @deferred_f_from_coro_f
    async def test_template_counts(
        self, make_store: Callable[..., FingerprintStore]
    ) -> None:
        store = make_store()
        await store.open()
        await store.add_template_keys("a.example", [1, 2, (1 << 63) + 5])
        await store.add_template_keys("a.example", [1, (1 << 63) + 5])
        await store.add_template_keys("b.example", [1])
        counts = await store.template_counts("a.example", [1, 2, 3, (1 << 63) + 5])
        assert dict(counts) == {1: 2, 2: 1, (1 << 63) + 5: 2}
        await store.close()
        again = make_store()
        await again.open()
        counts = await again.template_counts("a.example", [1, 2])
        assert dict(counts) == {1: 2, 2: 1}
        await again.close()


class TestSQLiteStore:
    @deferred_f_from_coro_f
    async def test_second_process_on_same_file_is_refused(self, tmp_path: Path) -> None:
        uri = f"sqlite:///{tmp_path / 'state.db'}"
        first = build_store(uri, config=DEFAULT, ttl=None)
        await first.open()
        second = build_store(uri, config=DEFAULT, ttl=None)
        with pytest.raises(StoreLocked, match="in use by another process"):
            await second.open()
        await first.close()
        await second.open()
        await second.close()

    def test_uri_forms(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="NEWSCLEAN_STORE"):
            build_store("sqlite://", config=DEFAULT, ttl=None)
        with pytest.raises(ValueError, match="NEWSCLEAN_STORE"):
            build_store("ftp://x", config=DEFAULT, ttl=None)


def test_redact_hides_passwords() -> None:
    assert redact("redis://:s3cret@127.0.0.1:6379/0") == "redis://:***@127.0.0.1:6379/0"
    assert "s3cret" not in redact("redis://user:s3cret@host/1")
    assert redact("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"

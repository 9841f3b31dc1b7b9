"""The shipped store contract (scrapy_newsclean.testing) over memory, SQLite files
and a real Redis; what is particular to the SQLite store; lazy backend imports."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean.stores import (
    StoreLocked,
    StoreOptions,
    build_store,
    redact,
)
from scrapy_newsclean.testing import StoreContract

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy_newsclean.stores import FingerprintStore
    from scrapy_newsclean.testing import StoreFactory
    from tests.conftest import RedisServer


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """One store object: memory does not outlive it."""
        shared: list[FingerprintStore] = []

        def memory(options: StoreOptions) -> FingerprintStore:
            if not shared:
                shared.append(build_store("memory://", options))
            return shared[0]

        return memory


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        uri = f"sqlite:///{tmp_path / 'state.db'}"
        return lambda options: build_store(uri, options)

    @deferred_f_from_coro_f
    async def test_second_process_on_same_file_is_refused(self, tmp_path: Path) -> None:
        uri = f"sqlite:///{tmp_path / 'state.db'}"
        first = build_store(uri)
        await first.open()
        second = build_store(uri)
        with pytest.raises(StoreLocked, match="in use by another process"):
            await second.open()
        await first.close()
        await second.open()
        await second.close()

    def test_uri_forms(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="NEWSCLEAN_STORE"):
            build_store("sqlite://")
        with pytest.raises(ValueError, match="NEWSCLEAN_STORE"):
            build_store("ftp://x")


class TestRedisStore(StoreContract):
    """The default layout: a match's URL comes from this store object's own
    reservations (or the item's URL fetched again)."""

    option = ""

    @pytest.fixture
    def store_factory(self, redis_server: RedisServer) -> StoreFactory:
        prefix = f"test-{uuid.uuid4().hex}"
        return lambda options: build_store(
            redis_server.url + self.option, replace(options, prefix=prefix)
        )


class TestRedisStoreWithUrls(TestRedisStore):
    """``?urls=1``: every kept URL is stored in Redis too."""

    option = "?urls=1"


def test_redact_hides_passwords() -> None:
    assert redact("redis://:s3cret@127.0.0.1:6379/0") == "redis://:***@127.0.0.1:6379/0"
    assert "s3cret" not in redact("redis://user:s3cret@host/1")
    assert redact("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"

"""NEWSCLEAN_STORES: a third-party backend registered by scheme, without editing
the package; backends imported only when used."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean import Addon
from scrapy_newsclean.crawl._settings import store_classes, store_options
from scrapy_newsclean.neardup import (
    Fingerprint,
    SimhashConfig,
    counts_as_duplicate,
    is_near_duplicate,
)
from scrapy_newsclean.stores import (
    Match,
    MemoryStore,
    Reservation,
    StoreOptions,
    TemplateSighting,
    build_store,
)
from scrapy_newsclean.testing import StoreContract
from tests.spiders import ArticleSpider, crawl

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from scrapy_newsclean.testing import StoreFactory
    from tests.conftest import MockServer

ROOT = Path(__file__).resolve().parents[1]
TOY = "tests.test_store_registry.ToyStore"


class ToyStore:
    """A third-party backend: fingerprints in a dict, compared one by one.

    ``toy://<name>?opt=<value>``; its own setting ``NEWSCLEAN_TOY_FILE`` names
    the JSON file that keeps its data between opens (written at close, with
    what the store was built with).
    """

    def __init__(self, uri: str, options: StoreOptions) -> None:
        self.uri, self.options, self.display_uri = uri, options, uri
        self.opt = parse_qs(urlsplit(uri).query).get("opt", [None])[0]
        self.path = Path(options.settings["NEWSCLEAN_TOY_FILE"])
        self.rows: dict[int, dict[str, Any]] = {}
        # site -> key -> [count, seen, sample simhashes]
        self.templates: dict[str, dict[int, list[Any]]] = {}
        self.next_ref = 1

    @classmethod
    def from_uri(cls, uri: str, options: StoreOptions) -> ToyStore:
        return cls(uri, options)

    async def open(self) -> None:
        if self.path.exists():
            data = json.loads(self.path.read_text())
            self.rows = {int(ref): row for ref, row in data["rows"].items()}
            self.templates = {
                site: dict(counts) for site, counts in data["templates"].items()
            }
            self.next_ref = max(self.rows, default=0) + 1

    async def close(self) -> None:
        self.rows = {ref: row for ref, row in self.rows.items() if not row["pending"]}
        built = {"uri": self.uri, "opt": self.opt, "prefix": self.options.prefix}
        built |= {"ttl": self.options.ttl, "distance": self.options.config.distance}
        templates = {
            site: list(counts.items()) for site, counts in self.templates.items()
        }
        self.path.write_text(
            json.dumps({**built, "rows": self.rows, "templates": templates})
        )

    async def check_and_reserve(
        self, scope: str, fingerprint: Fingerprint, url: str | None, now: float
    ) -> Match | Reservation:
        best: tuple[dict[str, Any], int] | None = None
        ttl = self.options.ttl
        for ref, row in list(self.rows.items()):
            if row["scope"] != scope:
                continue
            if ttl is not None and not row["pending"] and row["time"] < now - ttl:
                del self.rows[ref]
                continue
            near, distance = is_near_duplicate(
                Fingerprint(**row["fp"]), fingerprint, self.options.config
            )
            if (
                near
                and (best is None or distance < best[1])
                and counts_as_duplicate(distance, url, row["url"], self.options.config)
            ):
                best = (row, distance)
        if best is not None:
            return Match(best[0]["url"], best[1], best[0]["pending"])
        ref, self.next_ref = self.next_ref, self.next_ref + 1
        if not fingerprint.empty:
            fp = asdict(fingerprint)
            row = {"scope": scope, "fp": fp, "url": url, "time": now, "pending": True}
            self.rows[ref] = row
        return Reservation(scope, fingerprint, url, ref)

    async def commit(self, reservation: Reservation, now: float) -> None:
        row = self.rows.get(reservation.ref)
        if row is not None:
            row.update(pending=False, time=now)

    async def release(self, reservation: Reservation) -> None:
        self.rows.pop(reservation.ref, None)

    def _live(self, entry: list[Any] | None, now: float) -> bool:
        ttl = self.options.ttl
        return entry is not None and (ttl is None or entry[1] >= now - ttl)

    async def template_counts(
        self, site: str, keys: Iterable[int], now: float
    ) -> Mapping[int, int]:
        learned = self.templates.get(site, {})
        return {
            key: learned[key][0] for key in keys if self._live(learned.get(key), now)
        }

    async def add_template_keys(self, sighting: TemplateSighting, now: float) -> None:
        learned = self.templates.setdefault(sighting.site, {})
        for key in (*sighting.plain, *sighting.spread):
            entry = learned.get(key)
            if not self._live(entry, now):
                entry = learned[key] = [0, now, []]
            assert entry is not None
            entry[1] = now
            if key in sighting.plain:
                entry[0] += 1
            elif sighting.unrelated(entry[2]):
                entry[0] += 1
                if len(entry[2]) < sighting.sample_size:
                    entry[2].append(sighting.simhash)


class LegacyStore(MemoryStore):
    """A custom store named by class path (no from_uri): the pre-registry form."""

    def __init__(self, *, config: SimhashConfig, ttl: float | None, prefix: str):
        super().__init__(config, ttl)
        self.prefix = prefix


class NoFromUri:
    pass


class TestToyStore(StoreContract):
    """The shipped contract suite, run on the third-party backend."""

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        settings = {"NEWSCLEAN_TOY_FILE": str(tmp_path / "toy.json")}
        return lambda options: build_store(
            "toy://contract", replace(options, settings=settings), stores={"toy": TOY}
        )


def toy_settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "NEWSCLEAN_STORES": {"toy": TOY},
        "NEWSCLEAN_STORE": "toy://whatever?opt=1",
        "NEWSCLEAN_TOY_FILE": str(tmp_path / "toy.json"),
        **extra,
    }


class TestRegistry:
    def test_toy_store_gets_its_uri_and_options(self, tmp_path: Path) -> None:
        settings = Settings(
            toy_settings(
                tmp_path,
                NEWSCLEAN_DEDUP_TTL=60,
                NEWSCLEAN_DEDUP_DISTANCE=5,
                NEWSCLEAN_STORE_PREFIX="p1",
            )
        )
        store = build_store(
            settings["NEWSCLEAN_STORE"],
            store_options(settings),
            stores=store_classes(settings),
        )
        assert isinstance(store, ToyStore)
        assert store.uri == "toy://whatever?opt=1"
        assert store.opt == "1"
        assert store.options.ttl == 60.0
        assert store.options.config == SimhashConfig(distance=5)
        assert store.options.prefix == "p1"
        assert store.options.settings["NEWSCLEAN_TOY_FILE"] == str(
            tmp_path / "toy.json"
        )
        assert all(name.startswith("NEWSCLEAN_") for name in store.options.settings)

    def test_builtins_merged_and_none_disables_a_scheme(self) -> None:
        classes = store_classes(
            Settings({"NEWSCLEAN_STORES": {"TOY": ToyStore, "redis": None}})
        )
        assert classes["toy"] is ToyStore
        assert classes["memory"] == "scrapy_newsclean.stores.MemoryStore"
        assert "redis" not in classes
        assert "rediss" in classes
        with pytest.raises(ValueError, match=r"NEWSCLEAN_STORES \(memory://"):
            build_store("redis://127.0.0.1:6379/0", stores=classes)
        # a JSON string from the command line (-s) works too
        as_json = json.dumps({"toy": TOY})
        classes = store_classes(Settings({"NEWSCLEAN_STORES": as_json}))
        assert classes["toy"] == TOY

    @pytest.mark.parametrize(
        ("stores", "match"),
        [
            ({"no scheme": TOY}, "keys must be URI schemes"),
            ({"toy": 3}, "values must be store classes"),
        ],
        ids=["bad_key", "bad_value"],
    )
    def test_bad_setting(self, stores: dict[str, Any], match: str) -> None:
        with pytest.raises(ValueError, match=match):
            store_classes(Settings({"NEWSCLEAN_STORES": stores}))

    def test_bad_classes(self) -> None:
        with pytest.raises(ImportError, match=r"NEWSCLEAN_STORES\['toy'\]"):
            build_store("toy://x", stores={"toy": "tests.no_such_module.Store"})
        with pytest.raises(AttributeError, match=r"NEWSCLEAN_STORES\['toy'\]"):
            build_store("toy://x", stores={"toy": "tests.test_store_registry.Nope"})
        with pytest.raises(TypeError, match="no from_uri"):
            build_store("toy://x", stores={"toy": NoFromUri})

    def test_dotted_class_path_still_builds_a_store(self) -> None:
        options = StoreOptions(ttl=5.0, prefix="p2")
        store = build_store("tests.test_store_registry.LegacyStore", options)
        assert isinstance(store, LegacyStore)
        assert (store.ttl, store.prefix) == (5.0, "p2")


@deferred_f_from_coro_f
async def test_crawl_drops_near_duplicates_through_the_toy_store(
    mockserver: MockServer, tmp_path: Path
) -> None:
    original, copy, other = (
        mockserver.url("/site/seed_000.html"),
        mockserver.other_host_url("/site/seed_000_syndicated.html"),
        mockserver.url("/site/seed_003.html"),
    )
    settings = toy_settings(
        tmp_path, ADDONS={Addon: 500}, CONCURRENT_REQUESTS=1, NEWSCLEAN_DEDUP_TTL=3600
    )
    result = await crawl([original, copy, other], settings, spidercls=ArticleSpider)
    assert result.urls == {original, other}
    assert result.stat("newsclean/duplicate/dropped/reason_count/near_duplicate") == 1
    assert result.stat("newsclean/duplicate/committed") == 2
    saved = json.loads((tmp_path / "toy.json").read_text())
    assert saved["uri"] == "toy://whatever?opt=1"
    assert (saved["opt"], saved["ttl"], saved["prefix"]) == ("1", 3600.0, "newsclean")
    assert {row["url"] for row in saved["rows"].values()} == {original, other}
    assert saved["templates"]  # the cleaning stage shares the store
    # the next crawl starts from what the toy store kept
    again = await crawl([copy], settings, spidercls=ArticleSpider)
    assert again.urls == set()
    assert again.stat("newsclean/duplicate/dropped/reason_count/near_duplicate") == 1


def imported_after(code: str, block: Iterable[str] = ()) -> set[str]:
    """Modules of interest in ``sys.modules`` after *code* ran in a fresh process.

    *block*: modules made unimportable first (as ``fcntl`` on Windows).
    """
    watched = [
        "sqlite3",
        "fcntl",
        "redis",
        "pytest",
        "scrapy",
        "scrapy_newsclean.testing",
        "scrapy_newsclean.stores._sqlite",
        "scrapy_newsclean.stores._redis",
    ]
    script = "\n".join(
        [
            "import sys",
            *(f"sys.modules[{name!r}] = None" for name in block),
            code,
            f"print(' '.join(m for m in {watched!r} if sys.modules.get(m)))",
        ]
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(proc.stdout.split())


def scrapy_imports() -> set[str]:
    """What Scrapy and tldextract import by themselves, of the modules watched.

    ``fcntl`` where it exists (``xmlrpc.server``); ``sqlite3`` too with the
    filelock releases of Python 3.10 (tldextract imports filelock).
    """
    baseline = imported_after("import scrapy, tldextract")
    assert "scrapy" in baseline
    assert not {m for m in baseline if m.startswith("scrapy_newsclean")}
    return baseline


class TestLazyBackends:
    def test_package_and_memory_store_import_no_backend(self) -> None:
        code = (
            "import scrapy_newsclean, scrapy_newsclean.stores\n"
            "from scrapy_newsclean.stores import build_store\n"
            "build_store('memory://')"
        )
        assert imported_after(code) == set()  # not even Scrapy: a pure core

    def test_pipelines_import_no_backend(self) -> None:
        code = "import scrapy_newsclean.crawl._pipelines"
        assert imported_after(code) == scrapy_imports()

    def test_memory_crawl_store_imports_no_backend(self) -> None:
        code = (
            "from scrapy import Spider\n"
            "from scrapy.utils.test import get_crawler\n"
            "from scrapy_newsclean.crawl._crawler_store import SharedStore\n"
            "crawler = get_crawler(Spider, {'NEWSCLEAN_STORE': 'memory://'})\n"
            "assert type(SharedStore.of(crawler).store).__name__ == 'MemoryStore'"
        )
        assert imported_after(code) == scrapy_imports()

    def test_each_backend_imported_when_used(self, tmp_path: Path) -> None:
        code = "from scrapy_newsclean.stores import build_store\nbuild_store({!r})"
        sqlite = imported_after(code.format(f"sqlite:///{tmp_path / 'state.db'}"))
        assert sqlite == {"sqlite3", "scrapy_newsclean.stores._sqlite"}
        redis = imported_after(code.format("redis://127.0.0.1:1/0"))
        # redis-py itself imports fcntl where it exists
        assert redis - {"fcntl"} == {"redis", "scrapy_newsclean.stores._redis"}

    def test_without_fcntl_the_package_imports_and_sqlite_says_why(
        self, tmp_path: Path
    ) -> None:
        code = (
            "import asyncio\n"
            "import scrapy_newsclean.crawl._pipelines\n"
            "from scrapy_newsclean.stores import build_store\n"
            f"store = build_store('sqlite:///{tmp_path / 'state.db'}')\n"
            "try:\n"
            "    asyncio.run(store.open())\n"
            "except ValueError as exc:\n"
            "    assert 'fcntl' in str(exc) and 'memory://' in str(exc), exc\n"
            "else:\n"
            "    raise AssertionError('opened without a lock')"
        )
        assert "fcntl" not in imported_after(code, block=["fcntl"])

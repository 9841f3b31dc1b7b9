"""What scrapy-newsclean checks and says when a crawl starts.

Every component is built through :func:`build`, so that a startup error of
newsclean (a bad setting, a store held by another process, a local store under
a shared scheduler, a missing optional package) is one ERROR line naming the
problem, and the spider closes at once with the finish reason
``newsclean_startup_error``, the way Scrapy lets a component that fails to
start ask for it (:exc:`~scrapy.exceptions.CloseSpider`): no traceback, no
"Task exception was never retrieved", no unrelated errors from other
extensions.

When the spider opens, :class:`Startup` logs which components are on (and why
the others are off) and the effective item pipeline order, and warns when a
pipeline that looks like storage or export runs before newsclean's.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.misc import load_object
from scrapy.utils.python import global_object_name

from scrapy_newsclean.crawl._per_crawler import PerCrawler
from scrapy_newsclean.crawl._settings import (
    components,
    default_store_path,
    job_dir,
    scheduler,
    store_allow_local,
    switched_off,
)
from scrapy_newsclean.stores import StoreLocked
from scrapy_newsclean.stores._memory import MemoryStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from scrapy_newsclean.stores import FingerprintStore

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Errors that stop a crawl at start with one line: bad settings
#: (ValueError), a missing optional package or store class (ImportError), a
#: store that another process holds (StoreLocked) or that cannot be used
#: (OSError, and sqlite3.Error: see is_startup_error). Anything else is a bug
#: and keeps its traceback.
STARTUP_ERRORS = (StoreLocked, ValueError, ImportError, OSError)
#: The finish reason of a crawl that newsclean refused to start.
FINISH_REASON = "newsclean_startup_error"

#: Schedulers whose request queue several processes share, by the module of
#: the scheduler class or of one of its base classes: scrapy-redis (and the
#: scrapy_redis_* forks: bloom filter, cluster, sentinel), Frontera,
#: scrapy-cluster, scrapy-rabbitmq-scheduler.
SHARED_SCHEDULER_MODULES = (
    "scrapy_redis",
    "frontera.",
    "crawling.distributed_scheduler",
    "scrapy_rabbitmq_scheduler",
)

#: Each component: its setting, its public name, the switches it obeys.
COMPONENTS = (
    ("DOWNLOADER_MIDDLEWARES", "ErrorPageMiddleware", ("NEWSCLEAN_ERRORPAGE_ENABLED",)),
    (
        "SPIDER_MIDDLEWARES",
        "PageEvidenceMiddleware",
        ("NEWSCLEAN_CLEAN_ENABLED", "NEWSCLEAN_CLEAN_PAGE_EVIDENCE"),
    ),
    ("ITEM_PIPELINES", "CleanTextPipeline", ("NEWSCLEAN_CLEAN_ENABLED",)),
    ("ITEM_PIPELINES", "NearDuplicatePipeline", ("NEWSCLEAN_DEDUP_ENABLED",)),
    ("EXTENSIONS", "CrawlReport", ()),
)

#: Words of a pipeline's module or class name that mark storage or export:
#: whole words, and prefixes of database names (``mongodb``, ``elasticsearch``).
STORAGE_WORDS = frozenset(
    [
        "store",
        "storage",
        "stores",
        "storer",
        "export",
        "exporter",
        "exporters",
        "exports",
        "writer",
        "write",
        "writes",
        "save",
        "saver",
        "persist",
        "persistence",
        "dump",
        "sink",
        "upload",
        "uploader",
        "db",
        "database",
        "sql",
        "s3",
        "gcs",
        "file",
        "feed",
        "feeds",
        "json",
        "jsonl",
        "jsonlines",
        "csv",
        "xml",
        "parquet",
    ]
)
STORAGE_PREFIXES = (
    "mongo",
    "elastic",
    "opensearch",
    "postgres",
    "mysql",
    "maria",
    "sqlite",
    "redis",
    "kafka",
    "rabbit",
    "bigquery",
    "dynamo",
    "cassandra",
    "clickhouse",
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+[a-z]*")


def looks_like_storage(component: Any) -> bool:
    """Whether a pipeline's module or class name says it stores or exports items.

    Words are split on dots, underscores and camelCase (``HtmlFileStorage``:
    html, file, storage; ``scrapy_redis.pipelines.RedisPipeline``: ... redis).
    """
    words = [w.lower() for w in _WORD.findall(global_object_name(component))]
    return any(
        word in STORAGE_WORDS or word.startswith(STORAGE_PREFIXES) for word in words
    )


def is_startup_error(exc: Exception) -> bool:
    """Whether *exc* is a startup error (:data:`STARTUP_ERRORS`, sqlite3.Error)."""
    # sqlite3 only if a store imported it: a memory:// crawl never loads it
    sqlite3 = sys.modules.get("sqlite3")
    return isinstance(exc, STARTUP_ERRORS) or (
        sqlite3 is not None and isinstance(exc, sqlite3.Error)
    )


def build(cls: type[T], crawler: Crawler) -> T:
    """``cls(crawler)``; a startup error refuses the crawl (one error line).

    The component is then skipped with a bare :exc:`NotConfigured` (Scrapy
    logs nothing) and the spider closes as soon as it opens.
    """
    startup = Startup.of(crawler)
    try:
        return cls(crawler)  # type: ignore[call-arg]
    except Exception as exc:
        if not is_startup_error(exc):
            raise
        startup.refuse(exc)
        raise NotConfigured from exc


class Startup(PerCrawler):
    """The crawler's startup checks and lines (one per crawler)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.error: str | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    def refuse(self, exc: BaseException) -> CloseSpider:
        """Log *exc* as the crawl's one startup error; the CloseSpider to raise."""
        if self.error is None:
            self.error = str(exc)
            logger.error(
                "scrapy-newsclean cannot start: %(error)s",
                {"error": self.error},
                extra={"spider": self.crawler.spider},
            )
        return CloseSpider(FINISH_REASON)

    def spider_opened(self) -> None:
        if self.error is not None:
            raise CloseSpider(FINISH_REASON)
        self.log_components()
        self.log_pipeline_order()

    def log_components(self) -> None:
        settings = self.crawler.settings
        on: list[str] = []
        off: list[str] = []
        for setting, name, switches in COMPONENTS:
            cls = load_object(f"scrapy_newsclean.{name}")
            found = [p for c, p in components(settings, setting) if _is(c, cls)]
            switch = switched_off(settings, switches)
            if switch is not None:
                off.append(f"{name} ({switch} = False)")
            elif not found:
                off.append(f"{name} (not in {setting})")
            else:
                on.append(f"{name} ({setting} {found[0]})")
        logger.info(
            "scrapy-newsclean components on: %(on)s; off: %(off)s",
            {"on": ", ".join(on) or "none", "off": ", ".join(off) or "none"},
            extra={"spider": self.crawler.spider},
        )

    def log_pipeline_order(self) -> None:
        settings = self.crawler.settings
        pipelines = components(settings, "ITEM_PIPELINES")
        ours: list[tuple[Any, int]] = []
        for _, name, switches in COMPONENTS[2:4]:
            cls = load_object(f"scrapy_newsclean.{name}")
            if switched_off(settings, switches) is None:
                ours.extend((c, p) for c, p in pipelines if _is(c, cls))
        if not ours:
            return
        names = [
            f"{p} {_short(c)}" + (" (newsclean)" if (c, p) in ours else "")
            for c, p in pipelines
        ]
        logger.info(
            "scrapy-newsclean: item pipelines in order: %(pipelines)s",
            {"pipelines": ", ".join(names)},
            extra={"spider": self.crawler.spider},
        )
        last = ours[-1]
        early = [
            f"{_short(c)} ({p})"
            for c, p in pipelines[: pipelines.index(last)]
            if (c, p) not in ours and looks_like_storage(c)
        ]
        if early:
            logger.warning(
                "scrapy-newsclean: %(early)s looks like storage or export but runs"
                " before %(last)s (%(priority)s), so it receives items not yet"
                " cleaned and deduplicated: give it a higher ITEM_PIPELINES number"
                " (README: Pipeline order)",
                {
                    "early": ", ".join(early),
                    "last": _short(last[0]),
                    "priority": last[1],
                },
                extra={"spider": self.crawler.spider},
            )


def _is(component: Any, cls: type) -> bool:
    return isinstance(component, type) and issubclass(component, cls)


def _short(component: Any) -> str:
    name = global_object_name(component)
    return name.rsplit(".", 1)[-1] if name.startswith("scrapy_newsclean.") else name


def shared_scheduler(crawler: Crawler) -> str | None:
    """The import path of the crawl's scheduler if several processes share it."""
    value = scheduler(crawler.settings)
    path = value if isinstance(value, str) else global_object_name(value)
    try:
        classes = load_object(value).__mro__ if isinstance(value, str) else ()
    except (ImportError, AttributeError, ValueError):
        classes = ()
    if isinstance(value, type):
        classes = value.__mro__
    modules = [path, *(getattr(c, "__module__", "") for c in classes)]
    if any(m.startswith(SHARED_SCHEDULER_MODULES) for m in modules):
        return path
    return None


def check_store(crawler: Crawler, store: FingerprintStore, uri: str) -> None:
    """Refuse a local store under a shared scheduler; warn where state is lost.

    Raises ValueError (a startup error) for memory:// or SQLite under a shared
    scheduler, unless :setting:`NEWSCLEAN_STORE_ALLOW_LOCAL`.
    """
    spider = {"spider": crawler.spider}
    local = isinstance(store, MemoryStore)  # SQLiteStore is one too
    scheduler_path = shared_scheduler(crawler)
    if scheduler_path is not None and local:
        if not store_allow_local(crawler.settings):
            raise ValueError(
                f"SCHEDULER {scheduler_path} shares its request queue between"
                f" worker processes, but NEWSCLEAN_STORE {uri} is local to one"
                " process: each worker would deduplicate only against itself"
                " (and a second worker on the same SQLite file is refused). Set"
                ' NEWSCLEAN_STORE = "redis://host:6379/0" (one store for every'
                " worker), or NEWSCLEAN_STORE_ALLOW_LOCAL = True if a single"
                " worker runs"
            )
        logger.warning(
            "scrapy-newsclean: SCHEDULER %(scheduler)s is shared, the store %(uri)s"
            " is not (NEWSCLEAN_STORE_ALLOW_LOCAL = True): run a single worker",
            {"scheduler": scheduler_path, "uri": uri},
            extra=spider,
        )
    elif scheduler_path is not None:
        logger.info(
            "scrapy-newsclean: SCHEDULER %(scheduler)s is shared between"
            " processes; every worker must use the same NEWSCLEAN_STORE %(uri)s",
            {"scheduler": scheduler_path, "uri": uri},
            extra=spider,
        )
    _warn_jobdir(crawler, uri)


def _warn_jobdir(crawler: Crawler, uri: str) -> None:
    jobdir = job_dir(crawler.settings)
    if jobdir is None or not uri.startswith("sqlite:///"):
        return
    path = Path(uri[len("sqlite:///") :]).resolve()
    if not path.is_relative_to(jobdir):
        return
    logger.warning(
        "scrapy-newsclean store %(uri)s is inside JOBDIR %(jobdir)s: a new job"
        " deletes that directory (news-please does at every start without"
        " --resume), and every fingerprint and learned template with it. Move the"
        " file to %(default)s (the default store when NEWSCLEAN_STORE is unset)"
        " or set NEWSCLEAN_STORE to a file outside JOBDIR",
        {"uri": uri, "jobdir": jobdir, "default": default_store_path()},
        extra={"spider": crawler.spider},
    )

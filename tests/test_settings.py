"""Settings: read and validated in one module, defaults in one place, off is quiet."""

from __future__ import annotations

import dataclasses
import importlib
import logging
import pkgutil
import re
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

import scrapy_newsclean
from scrapy_newsclean import (
    Addon,
    CleanTextPipeline,
    CrawlReport,
    ErrorPageMiddleware,
    NearDuplicatePipeline,
    _defaults,
)
from scrapy_newsclean.cleaning._item import CleanConfig
from scrapy_newsclean.cleaning._signatures import compile_signatures
from scrapy_newsclean.cli._backfill import BackfillConfig
from scrapy_newsclean.cli._settings import (
    CliError,
    backfill_config,
    build_cli_store,
    load_settings,
)
from scrapy_newsclean.crawl._settings import (
    configured_store,
    dedup_ttl,
    log_level,
    process_config,
    rejects_path,
    report_field,
    report_path,
    store_prefix,
)
from scrapy_newsclean.errorpages import ErrorPagePolicy
from scrapy_newsclean.itemflow import ProcessConfig
from scrapy_newsclean.neardup._params import SimhashConfig
from scrapy_newsclean.stores import StoreOptions
from tests.spiders import ArticleSpider, crawl

if TYPE_CHECKING:
    from tests.conftest import MockServer

PACKAGE = scrapy_newsclean.__path__[0]

#: Config dataclass field -> the NEWSCLEAN_* setting whose default it must equal.
SETTING_OF: dict[type, dict[str, str]] = {
    CleanConfig: {
        "fields": "NEWSCLEAN_TEXT_FIELDS",
        "html_field": "NEWSCLEAN_CLEAN_HTML_FIELD",
        "max_chars": "NEWSCLEAN_MAX_TEXT_CHARS",
    },
    SimhashConfig: {
        "distance": "NEWSCLEAN_DEDUP_DISTANCE",
        "same_host_distance": "NEWSCLEAN_DEDUP_SAME_HOST_DISTANCE",
    },
    ProcessConfig: {
        "dedup": "NEWSCLEAN_DEDUP_ENABLED",
        "text_fields": "NEWSCLEAN_TEXT_FIELDS",
        "dedup_fields": "NEWSCLEAN_DEDUP_FIELDS",
        "url_field": "NEWSCLEAN_URL_FIELD",
        "keep_empty": "NEWSCLEAN_KEEP_EMPTY",
        "report_field": "NEWSCLEAN_REPORT_FIELD",
        "templates": "NEWSCLEAN_TEMPLATE_ENABLED",
        "template_min_pages": "NEWSCLEAN_TEMPLATE_MIN_PAGES",
        "scope": "NEWSCLEAN_DEDUP_SCOPE",
        "duplicate_action": "NEWSCLEAN_DUPLICATE_ACTION",
        "tag_field": "NEWSCLEAN_DUPLICATE_TAG_FIELD",
        "no_text_action": "NEWSCLEAN_NO_TEXT_ACTION",
        "min_words": "NEWSCLEAN_DEDUP_MIN_WORDS",
        "store_failure": "NEWSCLEAN_STORE_FAILURE",
        "pending_wait": "NEWSCLEAN_DEDUP_PENDING_WAIT",
    },
    BackfillConfig: {},
    ErrorPagePolicy: {
        "drop_statuses": "NEWSCLEAN_DROP_STATUSES",
        "soft_errors": "NEWSCLEAN_SOFT_ERRORS",
        "retry_challenges": "NEWSCLEAN_RETRY_CHALLENGES",
    },
    StoreOptions: {
        "ttl": "NEWSCLEAN_DEDUP_TTL",
        "prefix": "NEWSCLEAN_STORE_PREFIX",
        "lease": "NEWSCLEAN_DEDUP_LEASE",
        "heartbeat": "NEWSCLEAN_DEDUP_HEARTBEAT",
    },
}
#: Fields with no setting of their own (their defaults are pinned below).
NO_SETTING: dict[type, set[str]] = {
    CleanConfig: {"signatures"},  # the built-in table + NEWSCLEAN_SIGNATURES
    SimhashConfig: {"sketch_distance", "ngram"},  # fingerprint internals
    ProcessConfig: {"clean", "simhash"},  # the nested configs
    BackfillConfig: {"process", "max_line_bytes"},  # a CLI option
    ErrorPagePolicy: set(),
    StoreOptions: {"config", "settings"},  # the nested config; the raw settings
}


def config_dataclasses() -> set[type]:
    """Every dataclass named ``*Config``, ``*Policy`` or ``*Options`` in the package."""
    found: set[type] = set()
    for module_info in pkgutil.walk_packages([PACKAGE], "scrapy_newsclean."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        found.update(
            value
            for name, value in vars(module).items()
            if name.endswith(("Config", "Policy", "Options"))
            and dataclasses.is_dataclass(value)
            and isinstance(value, type)
            and value.__module__ == module.__name__
        )
    return found


class TestDefaults:
    def test_every_config_dataclass_is_pinned(self) -> None:
        assert config_dataclasses() == set(SETTING_OF)

    @pytest.mark.parametrize("cls", list(SETTING_OF), ids=lambda c: c.__name__)
    def test_every_field_is_listed(self, cls: type) -> None:
        names = {f.name for f in dataclasses.fields(cls)}
        assert not set(SETTING_OF[cls]) & NO_SETTING[cls]
        assert set(SETTING_OF[cls]) | NO_SETTING[cls] == names

    @pytest.mark.parametrize(
        ("cls", "field", "setting"),
        [
            (cls, field, setting)
            for cls, fields in SETTING_OF.items()
            for field, setting in fields.items()
        ],
        ids=lambda v: v.__name__ if isinstance(v, type) else str(v),
    )
    def test_field_default_is_the_setting_default(
        self, cls: type, field: str, setting: str
    ) -> None:
        (default,) = [f.default for f in dataclasses.fields(cls) if f.name == field]
        expected = getattr(_defaults, setting)
        if isinstance(default, frozenset):  # a set of what the setting lists
            expected = frozenset(expected)
        assert default == expected

    def test_nested_defaults(self) -> None:
        assert _defaults.NEWSCLEAN_CLEAN_ENABLED
        assert ProcessConfig().clean == CleanConfig()
        assert ProcessConfig().simhash == SimhashConfig()
        assert BackfillConfig().process == ProcessConfig()
        signatures = compile_signatures(_defaults.NEWSCLEAN_SIGNATURES)
        assert CleanConfig().signatures == signatures

    def test_no_settings_resolve_to_the_dataclass_defaults(self) -> None:
        assert process_config(Settings()) == ProcessConfig()


#: Files allowed to read NEWSCLEAN_* settings: the settings module, and the
#: error-page decision's reads (NEWSCLEAN_DROP_STATUSES, NEWSCLEAN_SOFT_ERRORS,
#: NEWSCLEAN_RETRY_CHALLENGES), which move with that decision.
READERS = {"crawl/_settings.py"}
SETTINGS_READ = re.compile(r"settings\.get\w*\(\s*[\"']NEWSCLEAN_")


def test_settings_are_read_in_one_module() -> None:
    root = Path(PACKAGE)
    readers = {
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if SETTINGS_READ.search(path.read_text(encoding="utf-8"))
    }
    assert readers <= READERS
    assert "crawl/_settings.py" in readers


BAD_VALUES = [
    ("NEWSCLEAN_ENABLED", "maybe", "True or False"),
    ("NEWSCLEAN_DEDUP_ENABLED", "maybe", "True or False"),
    ("NEWSCLEAN_KEEP_EMPTY", "maybe", "True or False"),
    ("NEWSCLEAN_TEMPLATE_ENABLED", "maybe", "True or False"),
    ("NEWSCLEAN_MAX_TEXT_CHARS", 0, ">= 1"),
    ("NEWSCLEAN_MAX_TEXT_CHARS", "many", "a number"),
    ("NEWSCLEAN_TEMPLATE_MIN_PAGES", 1, ">= 2"),
    ("NEWSCLEAN_DEDUP_DISTANCE", 40, "in 0..31"),
    ("NEWSCLEAN_DEDUP_DISTANCE", "far", "a number"),
    ("NEWSCLEAN_DEDUP_SAME_HOST_DISTANCE", -1, "in 0..31"),
    ("NEWSCLEAN_DEDUP_SAME_HOST_DISTANCE", "near", "a number"),
    ("NEWSCLEAN_DEDUP_TTL", 0, "> 0 or None"),
    ("NEWSCLEAN_DEDUP_TTL", "a week", "a number"),
    ("NEWSCLEAN_DEDUP_PENDING_WAIT", -1, ">= 0"),
    ("NEWSCLEAN_DEDUP_LEASE", 0, "> 0"),
    ("NEWSCLEAN_DEDUP_LEASE", "long", "a number"),
    ("NEWSCLEAN_DEDUP_HEARTBEAT", 15, "> 0 and shorter than NEWSCLEAN_DEDUP_LEASE"),
    ("NEWSCLEAN_DEDUP_SCOPE", "planet", "one of"),
    ("NEWSCLEAN_DUPLICATE_ACTION", "keep", "one of"),
    ("NEWSCLEAN_NO_TEXT_ACTION", "keep", "one of"),
    ("NEWSCLEAN_STORE_FAILURE", "retry", "one of"),
    ("NEWSCLEAN_TEXT_FIELDS", [], "a list of field names"),
    ("NEWSCLEAN_DEDUP_FIELDS", ["body", ""], "a list of field names"),
    ("NEWSCLEAN_URL_FIELD", "", "a non-empty string"),
    ("NEWSCLEAN_REPORT_FIELD", 42, "a non-empty string"),
    ("NEWSCLEAN_DUPLICATE_TAG_FIELD", "", "a non-empty string"),
    ("NEWSCLEAN_SIGNATURES", [("no_such_reason", "x")], "valid signatures"),
    ("NEWSCLEAN_LOG_LEVEL", "LOUD", "a logging level"),
    ("NEWSCLEAN_REJECTS", 42, "a file path or None"),
    ("NEWSCLEAN_STORE", 42, "a URI or a class path"),
    ("NEWSCLEAN_STORE_PREFIX", "", "a non-empty string"),
]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    BAD_VALUES,
    ids=[f"{name}={value!r}" for name, value, _ in BAD_VALUES],
)
def test_bad_value_stops_the_pipeline_naming_the_setting(
    name: str, value: Any, expected: str
) -> None:
    settings = {"NEWSCLEAN_STORE": "memory://", name: value}
    crawler = get_crawler(Spider, settings)
    message = f"^{name} must be {re.escape(expected)}.*, got "
    with pytest.raises(ValueError, match=message):
        NearDuplicatePipeline(crawler)


def test_bad_report_path_stops_the_report() -> None:
    crawler = get_crawler(Spider, {"NEWSCLEAN_REPORT_PATH": 42})
    with pytest.raises(ValueError, match=r"^NEWSCLEAN_REPORT_PATH must be a file path"):
        CrawlReport(crawler)


def _cli_args(**options: Any) -> Namespace:
    defaults = {"project": False, "set": [], "no_clean": False, "no_dedup": False}
    return Namespace(**{**defaults, "max_line_bytes": 1024, **options})


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("NEWSCLEAN_TEMPLATE_MIN_PAGES", "1", ">= 2"),
        ("NEWSCLEAN_STORE_PREFIX", "", "a non-empty string"),
        ("NEWSCLEAN_DEDUP_TTL", "a week", "a number"),
    ],
    ids=["min-pages", "prefix", "ttl"],
)
def test_cli_reads_the_same_settings_functions(
    name: str, value: str, expected: str
) -> None:
    args = _cli_args(set=[(name, value)])
    settings = load_settings(args)
    with pytest.raises(CliError, match=f"^{name} must be {re.escape(expected)}"):
        build_cli_store(settings, backfill_config(settings, args))


#: Components configured by hand, as the README documents.
MANUAL: dict[str, Any] = {
    "DOWNLOADER_MIDDLEWARES": {ErrorPageMiddleware: 540},
    "ITEM_PIPELINES": {CleanTextPipeline: 300, NearDuplicatePipeline: 800},
    "EXTENSIONS": {CrawlReport: 500},
}


@pytest.mark.parametrize(
    ("settings", "stats_absent"),
    [
        (
            {"ADDONS": {Addon: 500}, "NEWSCLEAN_ENABLED": False},
            ["clean/items", "duplicate/items", "error_page/checked", "report/items_in"],
        ),
        (
            {**MANUAL, "NEWSCLEAN_ENABLED": False},
            ["clean/items", "duplicate/items", "error_page/checked", "report/items_in"],
        ),
        (
            {"ADDONS": {Addon: 500}, "NEWSCLEAN_ERRORPAGE_ENABLED": False},
            ["error_page/checked"],
        ),
        (
            {"ADDONS": {Addon: 500}, "NEWSCLEAN_CLEAN_ENABLED": False},
            ["clean/items"],
        ),
        (
            {"ADDONS": {Addon: 500}, "NEWSCLEAN_DEDUP_ENABLED": False},
            ["duplicate/items"],
        ),
    ],
    ids=["addon-off", "components-off", "errorpage-off", "clean-off", "dedup-off"],
)
@deferred_f_from_coro_f
async def test_switched_off_on_purpose_logs_no_warning(
    mockserver: MockServer,
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, Any],
    stats_absent: list[str],
) -> None:
    settings = {**settings, "NEWSCLEAN_STORE": "memory://"}
    with caplog.at_level(logging.INFO):
        result = await crawl(
            [mockserver.url("/site/seed_000.html")], settings, spidercls=ArticleSpider
        )
    assert len(result.items) == 1
    for key in stats_absent:
        assert result.stat(f"newsclean/{key}") is None, key
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []


def test_none_is_a_value_not_unset() -> None:
    # settings.get() returns the default for a setting set to None: the README's
    # "NEWSCLEAN_DEDUP_TTL = None: forever" used to give the 7-day default.
    assert dedup_ttl(Settings({"NEWSCLEAN_DEDUP_TTL": None})) is None
    assert dedup_ttl(Settings()) == _defaults.NEWSCLEAN_DEDUP_TTL
    assert dedup_ttl(Settings({"NEWSCLEAN_DEDUP_TTL": 60})) == 60.0
    assert report_field(Settings({"NEWSCLEAN_REPORT_FIELD": None})) is None


def test_store_paths_and_log_level(tmp_path: Path) -> None:
    assert configured_store(Settings()) is None
    assert store_prefix(Settings()) == _defaults.NEWSCLEAN_STORE_PREFIX
    assert log_level(Settings()) == logging.INFO
    assert log_level(Settings({"NEWSCLEAN_LOG_LEVEL": "debug"})) == logging.DEBUG
    assert rejects_path(Settings({"NEWSCLEAN_REJECTS": tmp_path / "r.jsonl"})) == (
        str(tmp_path / "r.jsonl")
    )
    assert report_path(Settings()) is None

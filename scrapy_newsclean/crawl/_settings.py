"""Read and validate ``NEWSCLEAN_*`` settings: the one place that does it.

Every function takes Scrapy settings (a crawler's, or the CLI's) and falls back
to the defaults in :mod:`scrapy_newsclean._defaults`; a bad value raises
``ValueError`` naming the setting, so a misconfigured crawl stops at start with
a clear message.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object
from scrapy.utils.project import data_path

from scrapy_newsclean import _defaults
from scrapy_newsclean.cleaning._item import CleanConfig
from scrapy_newsclean.cleaning._signatures import compile_signatures
from scrapy_newsclean.errorpages._fate import ErrorPagePolicy
from scrapy_newsclean.itemflow import ProcessConfig
from scrapy_newsclean.neardup._params import SimhashConfig
from scrapy_newsclean.stores._base import StoreOptions

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy.settings import BaseSettings


def _value(settings: BaseSettings, name: str) -> Any:
    # Not settings.get(name, default): it returns the default for a setting
    # explicitly set to None ("NEWSCLEAN_DEDUP_TTL = None" means forever).
    if name in settings:
        return settings[name]
    return getattr(_defaults, name)


def _bool(settings: BaseSettings, name: str) -> bool:
    try:
        return settings.getbool(name, getattr(_defaults, name))
    except ValueError as exc:
        value = _value(settings, name)
        raise ValueError(f"{name} must be True or False, got {value!r}") from exc


def _number(settings: BaseSettings, name: str, kind: type[float]) -> Any:
    value = _value(settings, name)
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number, got {value!r}") from exc


def _int(settings: BaseSettings, name: str, minimum: int) -> int:
    value: int = _number(settings, name, int)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return value


def _name(settings: BaseSettings, name: str) -> str:
    """A setting naming something (an item field): a non-empty string."""
    value = _value(settings, name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _optional_path(settings: BaseSettings, name: str) -> str | None:
    """A file path setting; ``None`` (or empty) for none."""
    value = _value(settings, name)
    if value is None or value == "":
        return None
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    raise ValueError(f"{name} must be a file path or None, got {value!r}")


def newsclean_enabled(settings: BaseSettings) -> bool:
    """:setting:`NEWSCLEAN_ENABLED`, the master switch."""
    return _bool(settings, "NEWSCLEAN_ENABLED")


def enabled(settings: BaseSettings, component_setting: str) -> bool:
    """Whether :setting:`NEWSCLEAN_ENABLED` and *component_setting* are on."""
    return newsclean_enabled(settings) and _bool(settings, component_setting)


def choice(settings: BaseSettings, name: str, allowed: set[str]) -> str:
    """A setting that takes one of a few lowercase words."""
    value = str(_value(settings, name)).lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value


def status_set(value: Any) -> frozenset[int]:
    """HTTP statuses from a list setting or meta value."""
    try:
        return frozenset(int(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"NEWSCLEAN_DROP_STATUSES must be a list of HTTP statuses, got {value!r}"
        ) from exc


def errorpage_policy(settings: BaseSettings) -> ErrorPagePolicy:
    """The error-page settings, as the middleware and ``check`` apply them."""
    drop_statuses = status_set(
        settings.getlist(
            "NEWSCLEAN_DROP_STATUSES", list(_defaults.NEWSCLEAN_DROP_STATUSES)
        )
    )
    soft_errors = settings.getbool(
        "NEWSCLEAN_SOFT_ERRORS", _defaults.NEWSCLEAN_SOFT_ERRORS
    )
    retry_challenges = settings.getint(
        "NEWSCLEAN_RETRY_CHALLENGES", _defaults.NEWSCLEAN_RETRY_CHALLENGES
    )
    if retry_challenges < 0:
        raise ValueError(
            f"NEWSCLEAN_RETRY_CHALLENGES must be >= 0, got {retry_challenges!r}"
        )
    return ErrorPagePolicy(drop_statuses, soft_errors, retry_challenges)


def log_level(settings: BaseSettings) -> int:
    """:setting:`NEWSCLEAN_LOG_LEVEL` as a number (a level name or number)."""
    value = _value(settings, "NEWSCLEAN_LOG_LEVEL")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    level = logging.getLevelName(str(value).upper())
    if isinstance(level, int):
        return level
    raise ValueError(f"NEWSCLEAN_LOG_LEVEL must be a logging level, got {value!r}")


def rejects_path(settings: BaseSettings) -> str | None:
    """:setting:`NEWSCLEAN_REJECTS`: the rejects file, or None for none."""
    return _optional_path(settings, "NEWSCLEAN_REJECTS")


#: The placeholders :setting:`NEWSCLEAN_REPORT_PATH` may hold.
REPORT_PLACEHOLDERS = ("hostname", "pid")


def report_path(settings: BaseSettings) -> str | None:
    """:setting:`NEWSCLEAN_REPORT_PATH`: the JSON report file, or None for none.

    It may hold the placeholders ``{hostname}`` and ``{pid}`` (``{{`` for a
    brace).
    """
    path = _optional_path(settings, "NEWSCLEAN_REPORT_PATH")
    if path is not None:
        try:
            path.format_map(dict.fromkeys(REPORT_PLACEHOLDERS, ""))
        except (KeyError, ValueError, IndexError, AttributeError) as exc:
            raise ValueError(
                "NEWSCLEAN_REPORT_PATH must be a file path whose only placeholders"
                f" are {{hostname}} and {{pid}}, got {path!r}"
            ) from exc
    return path


def _field_list(settings: BaseSettings, name: str) -> tuple[str, ...]:
    fields = tuple(settings.getlist(name, list(getattr(_defaults, name) or ())))
    if not fields or not all(isinstance(f, str) and f for f in fields):
        raise ValueError(f"{name} must be a list of field names, got {fields!r}")
    return fields


def text_fields(settings: BaseSettings) -> tuple[str, ...]:
    """:setting:`NEWSCLEAN_TEXT_FIELDS`."""
    return _field_list(settings, "NEWSCLEAN_TEXT_FIELDS")


def dedup_fields(settings: BaseSettings) -> tuple[str, ...] | None:
    """:setting:`NEWSCLEAN_DEDUP_FIELDS`, or None for "the first text field"."""
    if not _value(settings, "NEWSCLEAN_DEDUP_FIELDS"):
        return None
    return _field_list(settings, "NEWSCLEAN_DEDUP_FIELDS")


def clean_config(settings: BaseSettings) -> CleanConfig:
    """:setting:`NEWSCLEAN_MAX_TEXT_CHARS`, :setting:`NEWSCLEAN_SIGNATURES`, fields."""
    max_chars = max_text_chars(settings)
    extra = settings.getlist(
        "NEWSCLEAN_SIGNATURES", list(_defaults.NEWSCLEAN_SIGNATURES)
    )
    try:
        signatures = compile_signatures(extra)
    except ValueError as exc:
        raise ValueError(
            f"NEWSCLEAN_SIGNATURES must be valid signatures ({exc}), got {extra!r}"
        ) from exc
    return CleanConfig(
        fields=text_fields(settings),
        html_field=html_field(settings),
        signatures=signatures,
        max_chars=max_chars,
    )


def max_text_chars(settings: BaseSettings) -> int:
    """:setting:`NEWSCLEAN_MAX_TEXT_CHARS`: longer fields are not cleaned."""
    return _int(settings, "NEWSCLEAN_MAX_TEXT_CHARS", 1)


def html_field(settings: BaseSettings) -> str | None:
    """:setting:`NEWSCLEAN_CLEAN_HTML_FIELD`, or None for none."""
    if not _value(settings, "NEWSCLEAN_CLEAN_HTML_FIELD"):
        return None
    return _name(settings, "NEWSCLEAN_CLEAN_HTML_FIELD")


def page_evidence_enabled(settings: BaseSettings) -> bool:
    """Whether cleaning judges blocks with their page (:setting:`NEWSCLEAN_CLEAN_PAGE_EVIDENCE`)."""
    return enabled(settings, "NEWSCLEAN_CLEAN_ENABLED") and _bool(
        settings, "NEWSCLEAN_CLEAN_PAGE_EVIDENCE"
    )


def template_min_pages(settings: BaseSettings) -> int:
    """:setting:`NEWSCLEAN_TEMPLATE_MIN_PAGES` (at least 2)."""
    return _int(settings, "NEWSCLEAN_TEMPLATE_MIN_PAGES", 2)


def configured_store(settings: BaseSettings) -> str | None:
    """:setting:`NEWSCLEAN_STORE` as set, or None when unset."""
    uri = _value(settings, "NEWSCLEAN_STORE")
    if uri is None or uri == "":
        return None
    if isinstance(uri, str):
        return uri
    raise ValueError(f"NEWSCLEAN_STORE must be a URI or a class path, got {uri!r}")


def store_uri(settings: BaseSettings) -> str:
    """:setting:`NEWSCLEAN_STORE`, or the default SQLite file.

    The default is ``newsclean/state.db`` in the project's ``.scrapy`` data
    directory (``./.scrapy/newsclean/state.db`` outside one), as an absolute
    path. Not under :setting:`JOBDIR`: a new job deletes that directory (and
    news-please does at every start without ``--resume``), while fingerprints
    are meant to outlive a job. A ``JOBDIR/newsclean.db`` written by an older
    version is still used while it exists.
    """
    uri = configured_store(settings)
    if uri is not None:
        return uri
    jobdir = job_dir(settings)
    if jobdir is not None and (jobdir / LEGACY_JOBDIR_STORE).exists():
        return f"sqlite:///{jobdir / LEGACY_JOBDIR_STORE}"
    return f"sqlite:///{default_store_path()}"


def default_store_path() -> Path:
    """The default store file: ``newsclean/state.db`` in Scrapy's data directory.

    The folder is made here with ``exist_ok``: ``data_path``'s own
    ``createdir`` checks then creates, which fails when workers start together.
    """
    folder = Path(data_path("newsclean")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "state.db"


#: The default store's file name under JOBDIR in earlier versions (still read).
LEGACY_JOBDIR_STORE = "newsclean.db"


def job_dir(settings: BaseSettings) -> Path | None:
    """Scrapy's :setting:`JOBDIR` as an absolute path, or None when unset."""
    jobdir = settings.get("JOBDIR")
    return Path(jobdir).resolve() if jobdir else None


def switched_off(settings: BaseSettings, switches: Iterable[str]) -> str | None:
    """The first of :setting:`NEWSCLEAN_ENABLED` and *switches* that is False."""
    for name in ("NEWSCLEAN_ENABLED", *switches):
        if not _bool(settings, name):
            return name
    return None


def store_allow_local(settings: BaseSettings) -> bool:
    """:setting:`NEWSCLEAN_STORE_ALLOW_LOCAL`: a local store under a shared scheduler."""
    return _bool(settings, "NEWSCLEAN_STORE_ALLOW_LOCAL")


def scheduler(settings: BaseSettings) -> Any:
    """Scrapy's :setting:`SCHEDULER`: a class or its import path."""
    return settings.get("SCHEDULER")


def components(settings: BaseSettings, name: str) -> list[tuple[Any, int]]:
    """The enabled components of *name* (``ITEM_PIPELINES``...) with priorities.

    In Scrapy's order (by priority, ties in setting order); import paths are
    resolved to classes, ``None`` values (disabled) left out.
    """
    enabled_ = [
        (load_object(path) if isinstance(path, str) else path, priority)
        for path, priority in settings.getwithbase(name).items()
        if priority is not None
    ]
    return sorted(enabled_, key=lambda pair: pair[1])


def store_classes(settings: BaseSettings) -> dict[str, Any]:
    """:setting:`NEWSCLEAN_STORES` merged over the built-in schemes.

    As Scrapy's ``FEED_STORAGES``: values are store classes or their import
    paths, and ``None`` disables a scheme (built-in or not).
    """
    stores = settings.getdict("NEWSCLEAN_STORES", dict(_defaults.NEWSCLEAN_STORES))
    merged: dict[str, Any] = dict(_defaults.NEWSCLEAN_STORES_BASE)
    for scheme, target in stores.items():
        if not isinstance(scheme, str) or not _SCHEME.fullmatch(scheme):
            raise ValueError(
                f"NEWSCLEAN_STORES keys must be URI schemes, got {scheme!r}"
            )
        if target is not None and not isinstance(target, (str, type)):
            raise ValueError(
                "NEWSCLEAN_STORES values must be store classes, import paths or"
                f" None, got {target!r} for {scheme!r}"
            )
        merged[scheme.lower()] = target
    return {scheme: target for scheme, target in merged.items() if target is not None}


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


def store_options(settings: BaseSettings) -> StoreOptions:
    """What the store is built with: dedup parameters, TTL, prefix, ``NEWSCLEAN_*``."""
    lease, heartbeat = dedup_lease(settings)
    return StoreOptions(
        config=simhash_config(settings),
        ttl=dedup_ttl(settings),
        prefix=store_prefix(settings),
        lease=lease,
        heartbeat=heartbeat,
        settings={
            name: settings[name]
            for name in settings
            if isinstance(name, str) and name.startswith("NEWSCLEAN_")
        },
    )


def store_prefix(settings: BaseSettings) -> str:
    """:setting:`NEWSCLEAN_STORE_PREFIX`, the namespace of a shared store's keys."""
    return _name(settings, "NEWSCLEAN_STORE_PREFIX")


def simhash_config(settings: BaseSettings) -> SimhashConfig:
    """:setting:`NEWSCLEAN_DEDUP_DISTANCE` and
    :setting:`NEWSCLEAN_DEDUP_SAME_HOST_DISTANCE`."""
    names = {
        "distance": "NEWSCLEAN_DEDUP_DISTANCE",
        "same_host_distance": "NEWSCLEAN_DEDUP_SAME_HOST_DISTANCE",
    }
    values: dict[str, int] = {
        field: _number(settings, name, int) for field, name in names.items()
    }
    try:
        return SimhashConfig(**values)
    except ValueError as exc:  # SimhashConfig checks the range; name the setting
        field = str(exc).split(" ", 1)[0]
        raise ValueError(
            f"{names[field]} must be in 0..31, got {values[field]!r}"
        ) from exc


def dedup_ttl(settings: BaseSettings) -> float | None:
    """:setting:`NEWSCLEAN_DEDUP_TTL` in seconds, or None for forever."""
    if _value(settings, "NEWSCLEAN_DEDUP_TTL") is None:
        return None
    ttl: float = _number(settings, "NEWSCLEAN_DEDUP_TTL", float)
    if ttl <= 0:
        raise ValueError(f"NEWSCLEAN_DEDUP_TTL must be > 0 or None, got {ttl!r}")
    return ttl


def pending_wait(settings: BaseSettings) -> float:
    """:setting:`NEWSCLEAN_DEDUP_PENDING_WAIT` in seconds."""
    wait: float = _number(settings, "NEWSCLEAN_DEDUP_PENDING_WAIT", float)
    if wait < 0:
        raise ValueError(f"NEWSCLEAN_DEDUP_PENDING_WAIT must be >= 0, got {wait!r}")
    return wait


def dedup_lease(settings: BaseSettings) -> tuple[float, float]:
    """:setting:`NEWSCLEAN_DEDUP_LEASE` and :setting:`NEWSCLEAN_DEDUP_HEARTBEAT`."""
    lease: float = _number(settings, "NEWSCLEAN_DEDUP_LEASE", float)
    heartbeat: float = _number(settings, "NEWSCLEAN_DEDUP_HEARTBEAT", float)
    if lease <= 0:
        raise ValueError(f"NEWSCLEAN_DEDUP_LEASE must be > 0, got {lease!r}")
    if not 0 < heartbeat < lease:
        raise ValueError(
            "NEWSCLEAN_DEDUP_HEARTBEAT must be > 0 and shorter than"
            f" NEWSCLEAN_DEDUP_LEASE ({lease!r}), got {heartbeat!r}"
        )
    return lease, heartbeat


def report_field(settings: BaseSettings) -> str | None:
    """:setting:`NEWSCLEAN_REPORT_FIELD`, or None for no per-item report."""
    if not _value(settings, "NEWSCLEAN_REPORT_FIELD"):
        return None
    return _name(settings, "NEWSCLEAN_REPORT_FIELD")


def process_config(settings: BaseSettings) -> ProcessConfig:
    """Both item stages' settings; a stage switched off is absent (None/False)."""
    clean = enabled(settings, "NEWSCLEAN_CLEAN_ENABLED")
    return ProcessConfig(
        clean=clean_config(settings) if clean else None,
        dedup=enabled(settings, "NEWSCLEAN_DEDUP_ENABLED"),
        text_fields=text_fields(settings),
        dedup_fields=dedup_fields(settings),
        url_field=_name(settings, "NEWSCLEAN_URL_FIELD"),
        keep_empty=_bool(settings, "NEWSCLEAN_KEEP_EMPTY"),
        report_field=report_field(settings),
        templates=_bool(settings, "NEWSCLEAN_TEMPLATE_ENABLED"),
        template_min_pages=template_min_pages(settings),
        scope=choice(settings, "NEWSCLEAN_DEDUP_SCOPE", {"global", "site"}),
        duplicate_action=choice(
            settings, "NEWSCLEAN_DUPLICATE_ACTION", {"drop", "tag"}
        ),
        tag_field=_name(settings, "NEWSCLEAN_DUPLICATE_TAG_FIELD"),
        no_text_action=choice(settings, "NEWSCLEAN_NO_TEXT_ACTION", {"pass", "drop"}),
        min_words=_int(settings, "NEWSCLEAN_DEDUP_MIN_WORDS", 1),
        store_failure=choice(settings, "NEWSCLEAN_STORE_FAILURE", {"pass", "drop"}),
        simhash=simhash_config(settings),
        pending_wait=pending_wait(settings),
    )

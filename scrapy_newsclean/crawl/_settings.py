"""Read and validate ``NEWSCLEAN_*`` settings: the one place that does it.

Every function takes Scrapy settings and falls back to the defaults in
:mod:`scrapy_newsclean._defaults`; a bad value raises ``ValueError`` naming
the setting, so a misconfigured crawl stops at start with a clear message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.utils.project import data_path

from scrapy_newsclean import _defaults
from scrapy_newsclean.cleaning._item import CleanConfig
from scrapy_newsclean.cleaning._signatures import compile_signatures
from scrapy_newsclean.errorpages._fate import ErrorPagePolicy
from scrapy_newsclean.itemflow import ProcessConfig
from scrapy_newsclean.neardup._params import SimhashConfig
from scrapy_newsclean.stores._base import StoreOptions

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def enabled(settings: BaseSettings, component_setting: str, default: bool) -> bool:
    """Whether :setting:`NEWSCLEAN_ENABLED` and *component_setting* are on."""
    return settings.getbool(
        "NEWSCLEAN_ENABLED", _defaults.NEWSCLEAN_ENABLED
    ) and settings.getbool(component_setting, default)


def choice(settings: BaseSettings, name: str, allowed: set[str]) -> str:
    """A setting that takes one of a few lowercase words."""
    value = str(settings.get(name, getattr(_defaults, name))).lower()
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


def text_fields(settings: BaseSettings) -> tuple[str, ...]:
    fields = tuple(
        settings.getlist("NEWSCLEAN_TEXT_FIELDS", list(_defaults.NEWSCLEAN_TEXT_FIELDS))
    )
    if not fields or not all(isinstance(f, str) and f for f in fields):
        raise ValueError(f"NEWSCLEAN_TEXT_FIELDS must list field names, got {fields!r}")
    return fields


def dedup_fields(settings: BaseSettings) -> tuple[str, ...] | None:
    """:setting:`NEWSCLEAN_DEDUP_FIELDS`, or None for "the first text field"."""
    if not settings.get("NEWSCLEAN_DEDUP_FIELDS", _defaults.NEWSCLEAN_DEDUP_FIELDS):
        return None
    return tuple(settings.getlist("NEWSCLEAN_DEDUP_FIELDS"))


def clean_config(settings: BaseSettings) -> CleanConfig:
    max_chars = settings.getint(
        "NEWSCLEAN_MAX_TEXT_CHARS", _defaults.NEWSCLEAN_MAX_TEXT_CHARS
    )
    if max_chars < 1:
        raise ValueError(f"NEWSCLEAN_MAX_TEXT_CHARS must be >= 1, got {max_chars!r}")
    extra = settings.getlist(
        "NEWSCLEAN_SIGNATURES", list(_defaults.NEWSCLEAN_SIGNATURES)
    )
    try:
        signatures = compile_signatures(extra)
    except ValueError as exc:
        raise ValueError(f"NEWSCLEAN_SIGNATURES: {exc}") from exc
    return CleanConfig(
        fields=text_fields(settings), signatures=signatures, max_chars=max_chars
    )


def template_min_pages(settings: BaseSettings) -> int:
    value = settings.getint(
        "NEWSCLEAN_TEMPLATE_MIN_PAGES", _defaults.NEWSCLEAN_TEMPLATE_MIN_PAGES
    )
    if value < 2:
        raise ValueError(f"NEWSCLEAN_TEMPLATE_MIN_PAGES must be >= 2, got {value!r}")
    return value


def store_uri(settings: BaseSettings) -> str:
    """:setting:`NEWSCLEAN_STORE`, or the default SQLite file.

    The default is ``newsclean.db`` under :setting:`JOBDIR` when set (it then
    lives and dies with the job), else ``newsclean/state.db`` in the project's
    ``.scrapy`` data directory (``./.scrapy/newsclean/state.db`` outside one).
    """
    uri = settings.get("NEWSCLEAN_STORE", _defaults.NEWSCLEAN_STORE)
    if uri:
        return str(uri)
    jobdir = settings.get("JOBDIR")
    if jobdir:
        return f"sqlite:///{jobdir}/newsclean.db"
    return f"sqlite:///{Path(data_path('newsclean', createdir=True)) / 'state.db'}"


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
    return StoreOptions(
        config=simhash_config(settings),
        ttl=dedup_ttl(settings),
        prefix=str(
            settings.get("NEWSCLEAN_STORE_PREFIX", _defaults.NEWSCLEAN_STORE_PREFIX)
        ),
        settings={
            name: settings[name]
            for name in settings
            if isinstance(name, str) and name.startswith("NEWSCLEAN_")
        },
    )


def simhash_config(settings: BaseSettings) -> SimhashConfig:
    distance = settings.getint(
        "NEWSCLEAN_DEDUP_DISTANCE", _defaults.NEWSCLEAN_DEDUP_DISTANCE
    )
    try:
        return SimhashConfig(distance=distance)
    except ValueError as exc:
        raise ValueError(f"NEWSCLEAN_DEDUP_DISTANCE: {exc}") from exc


def dedup_ttl(settings: BaseSettings) -> float | None:
    ttl = settings.get("NEWSCLEAN_DEDUP_TTL", _defaults.NEWSCLEAN_DEDUP_TTL)
    if ttl is None:
        return None
    ttl = float(ttl)
    if ttl <= 0:
        raise ValueError(f"NEWSCLEAN_DEDUP_TTL must be > 0 or None, got {ttl!r}")
    return ttl


def _get(settings: BaseSettings, kind: str, name: str) -> Any:
    """``settings.get<kind>(name, <its default>)``."""
    return getattr(settings, f"get{kind}")(name, getattr(_defaults, name))


def process_config(settings: BaseSettings) -> ProcessConfig:
    """Both item stages' settings; a stage switched off is absent (None/False)."""
    clean = enabled(
        settings, "NEWSCLEAN_CLEAN_ENABLED", _defaults.NEWSCLEAN_CLEAN_ENABLED
    )
    return ProcessConfig(
        clean=clean_config(settings) if clean else None,
        dedup=enabled(
            settings, "NEWSCLEAN_DEDUP_ENABLED", _defaults.NEWSCLEAN_DEDUP_ENABLED
        ),
        text_fields=text_fields(settings),
        dedup_fields=dedup_fields(settings),
        url_field=str(_get(settings, "", "NEWSCLEAN_URL_FIELD")),
        keep_empty=_get(settings, "bool", "NEWSCLEAN_KEEP_EMPTY"),
        report_field=_get(settings, "", "NEWSCLEAN_REPORT_FIELD") or None,
        templates=_get(settings, "bool", "NEWSCLEAN_TEMPLATE_ENABLED"),
        template_min_pages=template_min_pages(settings),
        scope=choice(settings, "NEWSCLEAN_DEDUP_SCOPE", {"global", "site"}),
        duplicate_action=choice(
            settings, "NEWSCLEAN_DUPLICATE_ACTION", {"drop", "tag"}
        ),
        tag_field=str(_get(settings, "", "NEWSCLEAN_DUPLICATE_TAG_FIELD")),
        no_text_action=choice(settings, "NEWSCLEAN_NO_TEXT_ACTION", {"pass", "drop"}),
        store_failure=choice(settings, "NEWSCLEAN_STORE_FAILURE", {"pass", "drop"}),
        simhash=simhash_config(settings),
        pending_wait=_get(settings, "float", "NEWSCLEAN_DEDUP_PENDING_WAIT"),
    )

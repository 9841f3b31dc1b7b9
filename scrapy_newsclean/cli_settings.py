"""The settings of a ``scrapy-newsclean`` run: project, ``-s``, then options.

Values are read and validated by :mod:`scrapy_newsclean.config`, as the
pipelines read them, so a run and a crawl with the same settings agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings, inside_project

from scrapy_newsclean import _defaults
from scrapy_newsclean.backfill import BackfillConfig
from scrapy_newsclean.config import (
    choice,
    clean_config,
    dedup_fields,
    dedup_ttl,
    enabled,
    simhash_config,
    template_min_pages,
    text_fields,
)
from scrapy_newsclean.stores import build_store, redact

if TYPE_CHECKING:
    import argparse

    from scrapy.settings import BaseSettings

    from scrapy_newsclean.stores import FingerprintStore

#: The store of a run when neither --store nor the project names one.
DEFAULT_STORE = "memory://"


class CliError(Exception):
    """A problem the user must fix: one line on stderr, exit status 2."""


def load_settings(args: argparse.Namespace) -> Settings:
    """Project settings (when inside one), then ``-s``, then the options."""
    try:
        project = args.project and inside_project()
        settings = get_project_settings() if project else Settings()
    except Exception as exc:  # the project's settings module may raise anything
        raise CliError(f"cannot load the Scrapy project settings: {exc}") from exc
    for name, value in args.set:
        settings.set(name, value, priority="cmdline")
    options = {
        "NEWSCLEAN_STORE": getattr(args, "store", None),
        "NEWSCLEAN_TEXT_FIELDS": getattr(args, "fields", None),
        "NEWSCLEAN_DUPLICATE_ACTION": "tag" if _flag(args, "tag_duplicates") else None,
        "NEWSCLEAN_KEEP_EMPTY": True if _flag(args, "keep_empty") else None,
    }
    for name, value in options.items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    return settings


def _flag(args: argparse.Namespace, name: str) -> bool:
    return bool(getattr(args, name, False))


def backfill_config(settings: BaseSettings, args: argparse.Namespace) -> BackfillConfig:
    """What the pipelines would do with *settings*, minus the disabled stages."""
    try:
        clean = not args.no_clean and _on(settings, "NEWSCLEAN_CLEAN_ENABLED")
        return BackfillConfig(
            clean=clean_config(settings) if clean else None,
            dedup=not args.no_dedup and _on(settings, "NEWSCLEAN_DEDUP_ENABLED"),
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
            no_text_action=choice(
                settings, "NEWSCLEAN_NO_TEXT_ACTION", {"pass", "drop"}
            ),
            store_failure=choice(settings, "NEWSCLEAN_STORE_FAILURE", {"pass", "drop"}),
            simhash=simhash_config(settings),
            pending_wait=_get(settings, "float", "NEWSCLEAN_DEDUP_PENDING_WAIT"),
            max_line_bytes=args.max_line_bytes,
        )
    except (ValueError, TypeError) as exc:
        raise CliError(str(exc)) from exc


def _get(settings: BaseSettings, kind: str, name: str) -> Any:
    """``settings.get<kind>(name, <its default in _defaults>)``."""
    return getattr(settings, f"get{kind}")(name, getattr(_defaults, name))


def _on(settings: BaseSettings, name: str) -> bool:
    return enabled(settings, name, getattr(_defaults, name))


def build_cli_store(
    settings: BaseSettings, config: BackfillConfig
) -> tuple[FingerprintStore | None, str]:
    """The store (not opened; None when no stage needs one) and its display URI.

    :setting:`NEWSCLEAN_STORE` when set, else :data:`DEFAULT_STORE` (not the
    crawl's default SQLite file, which a running crawl would hold locked).
    """
    uri = str(settings.get("NEWSCLEAN_STORE") or DEFAULT_STORE)
    if not config.needs_store:
        return None, redact(uri)
    prefix = str(_get(settings, "", "NEWSCLEAN_STORE_PREFIX"))
    try:
        ttl = dedup_ttl(settings)
        store = build_store(uri, config=config.simhash, ttl=ttl, prefix=prefix)
    except (ImportError, AttributeError) as exc:
        raise CliError(f"cannot load the store class {uri!r}: {exc}") from exc
    except (ValueError, TypeError) as exc:
        raise CliError(str(exc)) from exc
    return store, redact(uri)

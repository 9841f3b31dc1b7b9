"""The settings of a ``scrapy-newsclean`` run: project, ``-s``, then options.

Only the CLI's glue lives here (loading the project's settings, ``-s`` and the
options, turning a bad value into a :exc:`CliError`): every ``NEWSCLEAN_*``
value is read and validated by :mod:`scrapy_newsclean.crawl._settings`, as the
pipelines read them, so a run and a crawl with the same settings agree.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings, inside_project

from scrapy_newsclean.cli._backfill import BackfillConfig
from scrapy_newsclean.crawl._settings import (
    configured_store,
    process_config,
    store_classes,
    store_options,
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
        process = process_config(settings)
    except (ValueError, TypeError) as exc:
        raise CliError(str(exc)) from exc
    if args.no_clean:
        process = replace(process, clean=None)
    if args.no_dedup:
        process = replace(process, dedup=False)
    return BackfillConfig(process, max_line_bytes=args.max_line_bytes)


def build_cli_store(
    settings: BaseSettings, config: BackfillConfig
) -> tuple[FingerprintStore | None, str]:
    """The store (not opened; None when no stage needs one) and its display URI.

    :setting:`NEWSCLEAN_STORE` when set, else :data:`DEFAULT_STORE` (not the
    crawl's default SQLite file, which a running crawl would hold locked).
    """
    try:
        uri = configured_store(settings) or DEFAULT_STORE
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if not config.process.needs_store:
        return None, redact(uri)
    try:
        options = replace(store_options(settings), config=config.process.simhash)
        store = build_store(uri, options, stores=store_classes(settings))
    except (ImportError, AttributeError) as exc:
        raise CliError(f"cannot load the store class {uri!r}: {exc}") from exc
    except (ValueError, TypeError) as exc:
        raise CliError(str(exc)) from exc
    return store, redact(uri)

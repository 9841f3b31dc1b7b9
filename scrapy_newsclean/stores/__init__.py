"""Fingerprint stores, chosen by URI: ``memory://``, ``sqlite:///path``, ``redis://``.

:func:`build_store` parses :setting:`NEWSCLEAN_STORE` in one place, through the
scheme registry (:setting:`NEWSCLEAN_STORES`). The store classes are imported
on first use (PEP 562), so importing this package imports neither ``sqlite3``
nor ``redis``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scrapy_newsclean.stores._base import (
    FingerprintStore,
    Match,
    Reservation,
    StoreLocked,
    StoreOptions,
    StoreUnavailable,
    TemplateSighting,
)
from scrapy_newsclean.stores._registry import build_store, redact

if TYPE_CHECKING:
    from scrapy_newsclean.stores._memory import MemoryStore
    from scrapy_newsclean.stores._redis import RedisStore
    from scrapy_newsclean.stores._sqlite import SQLiteStore

__all__ = [
    "FingerprintStore",
    "Match",
    "MemoryStore",
    "RedisStore",
    "Reservation",
    "SQLiteStore",
    "StoreLocked",
    "StoreOptions",
    "StoreUnavailable",
    "TemplateSighting",
    "build_store",
    "redact",
]

_LAZY = {
    "MemoryStore": "scrapy_newsclean.stores._memory",
    "RedisStore": "scrapy_newsclean.stores._redis",
    "SQLiteStore": "scrapy_newsclean.stores._sqlite",
}


def __getattr__(name: str) -> Any:
    """Import a store class on first use (PEP 562)."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Fingerprint stores, chosen by URI: ``memory://``, ``sqlite:///path``, ``redis://``.

:func:`build_store` parses :setting:`NEWSCLEAN_STORE` in one place. A dotted
class path is also accepted for a custom store (it receives the same keyword
arguments as the built-in ones).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from scrapy_newsclean.stores._base import (
    FingerprintStore,
    Match,
    Reservation,
    StoreLocked,
    StoreUnavailable,
)
from scrapy_newsclean.stores._memory import MemoryStore
from scrapy_newsclean.stores._redis import RedisStore
from scrapy_newsclean.stores._sqlite import SQLiteStore

if TYPE_CHECKING:
    from scrapy_newsclean.neardup._params import SimhashConfig

__all__ = [
    "FingerprintStore",
    "Match",
    "MemoryStore",
    "RedisStore",
    "Reservation",
    "SQLiteStore",
    "StoreLocked",
    "StoreUnavailable",
    "build_store",
    "redact",
]


def redact(uri: str) -> str:
    """*uri* with its password replaced by ``***`` (for logs and errors)."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{user}:***@{host}{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def build_store(
    uri: str,
    *,
    config: SimhashConfig,
    ttl: float | None,
    prefix: str = "newsclean",
) -> FingerprintStore:
    """The store named by *uri* (not opened yet)."""
    scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
    options: dict[str, Any] = {"config": config, "ttl": ttl}
    if scheme == "memory":
        return MemoryStore(**options)
    if scheme == "sqlite":
        # SQLAlchemy's convention: sqlite:///relative.db, sqlite:////absolute.db
        if not uri.startswith("sqlite:///") or len(uri) == len("sqlite:///"):
            raise ValueError(
                f"NEWSCLEAN_STORE must be sqlite:///path/to/file.db, got {uri!r}"
            )
        return SQLiteStore(uri[len("sqlite:///") :], **options)
    if scheme in {"redis", "rediss", "unix"}:
        return RedisStore(uri, prefix=prefix, **options)
    if "." in uri and "/" not in uri:
        module, _, name = uri.rpartition(".")
        store_class = getattr(importlib.import_module(module), name)
        store: FingerprintStore = store_class(prefix=prefix, **options)
        return store
    raise ValueError(
        "NEWSCLEAN_STORE must be memory://, sqlite:///path/to/state.db, "
        f"redis://host:port/db or a dotted class path, got {redact(uri)!r}"
    )

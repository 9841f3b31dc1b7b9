"""From a :setting:`NEWSCLEAN_STORE` URI to a store object: the scheme registry.

Store classes are named by import path and imported only when their scheme is
used, so a crawl on ``memory://`` never imports ``sqlite3`` or ``redis``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

from scrapy_newsclean import _defaults
from scrapy_newsclean.stores._base import StoreOptions

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy_newsclean.stores._base import FingerprintStore


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


def load_object(target: Any) -> Any:
    """The object at dotted path *target*; any other value is returned as is."""
    if not isinstance(target, str):
        return target
    module, _, name = target.rpartition(".")
    if not module:
        raise ValueError(f"{target!r} is not a dotted path (package.module.Class)")
    return getattr(importlib.import_module(module), name)


def build_store(
    uri: str,
    options: StoreOptions | None = None,
    *,
    stores: Mapping[str, Any] | None = None,
) -> FingerprintStore:
    """The store named by *uri*, built with *options* (not opened yet).

    *stores* maps lowercase URI schemes to store classes or their import paths
    (:setting:`NEWSCLEAN_STORES` merged over the built-ins); None: the built-ins.
    The class's ``from_uri(uri, options)`` builds the store. For compatibility,
    *uri* may instead be a dotted class path, constructed with the ``config``,
    ``ttl`` and ``prefix`` keyword arguments.
    """
    options = options or StoreOptions()
    registry = _defaults.NEWSCLEAN_STORES_BASE if stores is None else stores
    scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
    target = registry.get(scheme) if scheme else None
    if target is not None:
        store_class = _load(f"NEWSCLEAN_STORES[{scheme!r}]", target)
        from_uri = getattr(store_class, "from_uri", None)
        if from_uri is None:
            raise TypeError(
                f"NEWSCLEAN_STORES[{scheme!r}]: {store_class!r} has no"
                " from_uri(uri, options) classmethod"
            )
        return cast("FingerprintStore", from_uri(uri, options))
    if not scheme and "." in uri and "/" not in uri:
        store_class = _load("NEWSCLEAN_STORE", uri)
        store = store_class(
            config=options.config, ttl=options.ttl, prefix=options.prefix
        )
        return cast("FingerprintStore", store)
    known = ", ".join(f"{name}://" for name in sorted(registry))
    raise ValueError(
        f"NEWSCLEAN_STORE must be a URI of a scheme in NEWSCLEAN_STORES ({known})"
        f" or a dotted class path, got {redact(uri)!r}"
    )


def _load(name: str, target: Any) -> Any:
    try:
        return load_object(target)
    except (ImportError, AttributeError) as exc:
        raise type(exc)(f"{name}: cannot import {target!r} ({exc})") from exc

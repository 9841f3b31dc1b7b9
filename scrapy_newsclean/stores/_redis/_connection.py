"""A ``redis.asyncio`` connection whose failures raise :exc:`StoreUnavailable`.

Every redis or socket error becomes
:exc:`~scrapy_newsclean.stores._base.StoreUnavailable` with the URI and the
message free of passwords; the next call reconnects (a pooled connection that
predates a server restart gets one immediate retry).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from scrapy_newsclean import _imports
from scrapy_newsclean.stores._base import StoreUnavailable
from scrapy_newsclean.stores._registry import redact

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping


def secrets_of(uri: str) -> list[str]:
    """Passwords in *uri* (userinfo or ``?password=``), to scrub from messages."""
    found = [
        unquote(value) for value in re.findall(r"[?&]password=([^&#]+)", uri) if value
    ]
    password = urlsplit(uri).password
    if password:
        found += [password, unquote(password)]
    return found


def display(uri: str) -> str:
    """*uri* without its passwords."""
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", redact(uri))


class RedisConnection:
    """One client for *uri* (after :meth:`connect`) and its registered scripts."""

    def __init__(self, uri: str, *, connect_timeout: float, timeout: float) -> None:
        self.display_uri = display(uri)
        self._uri, self._secrets = uri, secrets_of(uri)
        self._timeouts = (connect_timeout, timeout)
        self._client: Any = None
        self._scripts: dict[str, Any] = {}

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        """Turn redis and socket errors into StoreUnavailable (password-free)."""
        try:
            yield
        except (_imports.redis.exceptions.RedisError, OSError) as exc:
            detail = f"{type(exc).__name__}: {exc}"
            for secret in self._secrets:
                detail = detail.replace(secret, "***")
            raise StoreUnavailable(
                f"Redis store {self.display_uri} failed to {action} ({detail})"
            ) from exc

    @property
    def is_open(self) -> bool:
        return self._client is not None

    @property
    def client(self) -> Any:
        if self._client is None:
            raise RuntimeError(f"{self.display_uri} is not open")
        return self._client

    def script(self, name: str) -> Any:
        """The registered script *name* (raises when not open)."""
        self.client  # noqa: B018 (raises when not open)
        return self._scripts[name]

    def connect(self, scripts: Mapping[str, str]) -> None:
        """Create the client and register *scripts* (name -> Lua); no I/O yet."""
        aredis = _imports.redis
        connect_timeout, timeout = self._timeouts
        self._client = aredis.asyncio.Redis.from_url(
            self._uri,
            socket_connect_timeout=connect_timeout,
            socket_timeout=timeout,
            # one immediate retry: a pooled connection may predate a restart
            retry=aredis.asyncio.retry.Retry(aredis.backoff.NoBackoff(), 1),
        )
        for name, lua in scripts.items():
            self._scripts[name] = self._client.register_script(lua)

    async def disconnect(self) -> None:
        """Close the client (a later :meth:`connect` opens a new one)."""
        client, self._client = self._client, None
        with self.errors("close"):
            await client.aclose()

"""Placeholder replaced by the Redis store (work in progress)."""

from __future__ import annotations

from typing import Any


class RedisStore:
    """Not implemented yet."""

    display_uri = "redis://"

    def __init__(self, uri: str, **options: Any) -> None:
        raise NotImplementedError("the Redis store is being written")

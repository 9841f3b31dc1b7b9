"""Pure: a small bounded memo for per-block results that recur across pages.

A site repeats its chrome (navigation, share bars, footers, newsletter boxes)
on every page, so the same block texts come back page after page. Results that
depend only on a block's text (its signature rule, its comparison keys) are
kept in a :class:`Memo`: two generations of at most ``size`` entries each; a
hit in the older generation is promoted, and when the young one is full the
old one is dropped (an approximate LRU at the cost of one dict lookup).
"""

from __future__ import annotations

from typing import Generic, TypeVar
from weakref import WeakSet

K = TypeVar("K")
V = TypeVar("V")

#: Entries per generation (two generations are kept).
DEFAULT_SIZE = 8192

_ALL: WeakSet[Memo[object, object]] = WeakSet()


def clear_all() -> None:
    """Empty every memo (benchmarks time cold pages; tests start afresh)."""
    for memo in list(_ALL):
        memo.clear()


class Memo(Generic[K, V]):
    """A bounded two-generation memo; ``get`` returns ``None`` on a miss."""

    __slots__ = ("__weakref__", "_old", "_young", "size")

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError(f"memo size must be >= 1, got {size!r}")
        self.size = size
        self._young: dict[K, V] = {}
        self._old: dict[K, V] = {}
        _ALL.add(self)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def clear(self) -> None:
        """Forget every entry."""
        self._young, self._old = {}, {}

    def get(self, key: K) -> V | None:
        """The value stored for ``key`` (promoted to the young generation)."""
        value = self._young.get(key)
        if value is None:
            value = self._old.pop(key, None)
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        """Store ``value`` for ``key``; may drop the old generation."""
        young = self._young
        if len(young) >= self.size:
            self._old, young = young, {}
            self._young = young
        young[key] = value

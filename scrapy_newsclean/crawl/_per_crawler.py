"""One object per crawler: the glue's shared state (store, signals, boards)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self


class PerCrawler:
    """Base of a class with one instance per crawler, made by its first
    :meth:`of` and forgotten with the crawler."""

    _instances: ClassVar[WeakKeyDictionary[Crawler, Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._instances = WeakKeyDictionary()

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def of(cls, crawler: Crawler) -> Self:
        """The crawler's instance (made on first use)."""
        instance: Self | None = cls._instances.get(crawler)
        if instance is None:
            instance = cls._instances[crawler] = cls(crawler)
        return instance

"""Count, log and record every page or item that a component drops.

One :class:`DropAuditor` per component: it turns a drop into a stat
(``newsclean/<stage>/<reason>`` and ``newsclean/<stage>/dropped``), one log line
and, when :setting:`NEWSCLEAN_REJECTS` is set, one record in the rejects file.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy_newsclean import _defaults
from scrapy_newsclean._rejects import RejectRecord, RejectsFile
from scrapy_newsclean._sites import site_of
from scrapy_newsclean.crawl._report import SiteTally

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)


def _log_level(value: object) -> int:
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value).upper())
    if isinstance(level, int):
        return level
    raise ValueError(f"NEWSCLEAN_LOG_LEVEL must be a logging level, got {value!r}")


class DropAuditor:
    """Make one drop visible: stats, a log line, a rejects record."""

    def __init__(self, crawler: Crawler, stage: str) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stage = stage
        self.level = _log_level(
            settings.get("NEWSCLEAN_LOG_LEVEL", _defaults.NEWSCLEAN_LOG_LEVEL)
        )
        path = settings.get("NEWSCLEAN_REJECTS", _defaults.NEWSCLEAN_REJECTS)
        self.rejects = RejectsFile(path) if path else None
        self.tally = SiteTally.of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler, stage: str) -> Self:
        return cls(crawler, stage)

    def inc(self, event: str, count: int = 1) -> None:
        """Increment ``newsclean/<stage>/<event>``."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsclean/{self.stage}/{event}", count)

    def drop(
        self,
        reason: str,
        *,
        url: str | None,
        status: int | None = None,
        detail: str = "",
        message: str = "Dropped",
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Record that a page or item was dropped for *reason*."""
        self.inc("dropped")
        self.inc(reason)
        self.tally.add(f"{self.stage}/{reason}", site_of(url))
        logger.log(
            self.level,
            "%(message)s %(url)s (stage %(stage)s, status %(status)s, "
            "reason %(reason)s): %(detail)s",
            {
                "message": message,
                "url": url,
                "stage": self.stage,
                "status": status,
                "reason": reason,
                "detail": detail,
            },
            extra={"spider": self.crawler.spider},
        )
        if self.rejects is not None:
            record = RejectRecord(
                url=url,
                stage=self.stage,
                reason=reason,
                status=status,
                detail=detail,
                extra=extra or {},
            )
            try:
                self.rejects.write(record)
            except OSError:
                self.inc("rejects_write_error")
                logger.exception(
                    "Could not write to the rejects file %(path)s",
                    {"path": self.rejects.path},
                    extra={"spider": self.crawler.spider},
                )

    def close(self) -> None:
        if self.rejects is not None:
            self.rejects.close()

"""Count, log and record every page or item that a component drops.

One :class:`DropAuditor` per component: it turns a drop into stats
(``newsclean/<stage>/dropped`` and, as Scrapy's retry counts reasons,
``newsclean/<stage>/dropped/reason_count/<reason>``), one log line and, when
:setting:`NEWSCLEAN_REJECTS` is set, one record in the rejects file.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy_newsclean._rejects import RejectRecord, RejectsFile
from scrapy_newsclean._sites import site_of
from scrapy_newsclean.crawl._report import SiteTally
from scrapy_newsclean.crawl._settings import log_level, rejects_path

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class DropAuditor:
    """Make one drop visible: stats, a log line, a rejects record."""

    def __init__(self, crawler: Crawler, stage: str) -> None:
        self.crawler = crawler
        self.stage = stage
        self.level = log_level(crawler.settings)
        path = rejects_path(crawler.settings)
        self.rejects = RejectsFile(path) if path else None
        self.tally = SiteTally.of(crawler)

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
        self.inc(f"dropped/reason_count/{reason}")
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

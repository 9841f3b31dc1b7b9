"""Drop error, block and soft-error pages before they reach the spider."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lxml import etree
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse

from scrapy_newsclean.crawl._audit import DropAuditor
from scrapy_newsclean.crawl._exceptions import ErrorPageIgnored
from scrapy_newsclean.crawl._settings import enabled, errorpage_policy, status_set
from scrapy_newsclean.crawl._startup import build
from scrapy_newsclean.errorpages._fate import Action, decide

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

    from scrapy_newsclean.errorpages._fate import ResponseFate

logger = logging.getLogger(__name__)


class ErrorPageMiddleware:
    """Drop error pages with :exc:`~scrapy_newsclean.crawl._exceptions.ErrorPageIgnored`.

    It sees each final response after Scrapy's RetryMiddleware, HttpCompression
    and RedirectMiddleware have handled it and, as
    :func:`scrapy_newsclean.errorpages.decide` decides (``scrapy-newsclean
    check`` calls it too), drops:

    * responses whose status is in :setting:`NEWSCLEAN_DROP_STATUSES`, even when
      the spider allows them (``HTTPERROR_ALLOWED_CODES``,
      ``handle_httpstatus_list``);
    * 2xx HTML pages that are anti-bot challenges, block pages, soft 404s or a
      dead article redirected to the home page (:setting:`NEWSCLEAN_SOFT_ERRORS`);
    * vendor challenges on other 4xx statuses (Akamai's 428, AWS WAF's 405).

    Challenge pages are retried up to :setting:`NEWSCLEAN_RETRY_CHALLENGES`
    times with Scrapy's retry helper first. Opt-outs: ``request.meta``
    ``newsclean_skip = True`` (no check at all) and ``newsclean_allow_statuses``
    (statuses not to drop) in ``request.meta`` or as a spider attribute.

    Settings: :setting:`NEWSCLEAN_ERRORPAGE_ENABLED`, :setting:`NEWSCLEAN_REJECTS`,
    :setting:`NEWSCLEAN_LOG_LEVEL`. Stats: ``newsclean/error_page/checked``,
    ``.../dropped``, ``.../dropped/reason_count/<reason>``, ``.../skipped``, ``.../passed_non_html``,
    ``.../unparsable``, ``.../retry/...``.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not enabled(crawler.settings, "NEWSCLEAN_ERRORPAGE_ENABLED"):
            raise NotConfigured  # switched off on purpose: no warning
        self.crawler = crawler
        self.policy = errorpage_policy(crawler.settings)
        self.auditor = DropAuditor(crawler, "error_page")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return build(cls, crawler)

    def close_spider(self) -> None:
        self.auditor.close()

    def process_response(
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("newsclean_skip"):
            self.auditor.inc("skipped")
            return response
        self.auditor.inc("checked")
        fate = self._decide(request, response)
        if fate.action is Action.NON_HTML:
            self.auditor.inc("passed_non_html")
        verdict = fate.verdict
        if verdict is None:
            return response
        if fate.action is Action.RETRY_THEN_DROP and not request.meta.get("dont_retry"):
            retry = get_retry_request(
                request,
                spider=self.crawler.spider,  # type: ignore[arg-type]
                reason=verdict.reason,
                max_retry_times=self.policy.retry_challenges,
                stats_base_key="newsclean/error_page/retry",
                give_up_log_level=logging.DEBUG,
            )
            if retry is not None:
                return retry
        url, extra = response.url, {}
        redirected = request.meta.get("redirect_urls")
        if redirected:
            # A dead article redirected home is audited under the article's URL.
            url, extra = str(redirected[0]), {"landed_on": response.url}
        self.auditor.drop(
            verdict.reason,
            url=url,
            status=response.status,
            detail=verdict.detail,
            message="Dropped error page",
            extra=extra,
        )
        raise ErrorPageIgnored(
            response, verdict.reason, f"newsclean dropped {url} ({verdict.reason})"
        )

    def _allowed_statuses(self, request: Request) -> frozenset[int]:
        allowed = request.meta.get("newsclean_allow_statuses")
        if allowed is None:
            allowed = getattr(self.crawler.spider, "newsclean_allow_statuses", ())
        return status_set(allowed)

    def _decide(self, request: Request, response: Response) -> ResponseFate:
        headers = {
            key.decode("latin-1").lower(): b",".join(values).decode("latin-1")
            for key, values in response.headers.items()
        }
        return decide(
            status=response.status,
            url=response.url,
            headers=headers,
            body=response.body,
            redirect_urls=request.meta.get("redirect_urls", ()),
            policy=self.policy,
            allowed_statuses=self._allowed_statuses(request),
            tree=lambda: self._tree(response),
        )

    def _tree(self, response: Response) -> Any:
        """The lxml tree Scrapy caches on the response (the spider reuses it)."""
        if not isinstance(response, HtmlResponse):
            return None
        try:
            root = response.selector.root
        except Exception:  # noqa: BLE001  # lxml/parsel errors on hostile bodies vary
            self.auditor.inc("unparsable")
            logger.warning(
                "Could not parse %(url)s; classifying its raw bytes",
                {"url": response.url},
                extra={"spider": self.crawler.spider},
            )
            return None
        return root if isinstance(root, etree._Element) else None

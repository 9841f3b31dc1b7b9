"""The fate of one response at the error-page stage: the one decision.

:class:`~scrapy_newsclean.crawl.ErrorPageMiddleware` and ``scrapy-newsclean
check`` both call :func:`decide`: the status policy (drop statuses, statuses
the spider allows, challenge-only checks of other 4xx statuses, soft errors of
2xx pages, non-HTML bodies) and the page's classification. Only the Scrapy
parts (retrying, stats, the audit, raising) stay in the middleware.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy_newsclean import _defaults
from scrapy_newsclean.errorpages._classify import classify
from scrapy_newsclean.errorpages._page_reading import is_html

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

    from scrapy_newsclean.errorpages._classify import PageVerdict

__all__ = ["Action", "ErrorPagePolicy", "ResponseFate", "decide"]

_HTTP_ERROR = (
    "left to Scrapy's HttpErrorMiddleware (dropped unless the spider allows it)"
)


class Action(enum.Enum):
    """What the crawl does with a response."""

    #: A 2xx page that goes on to the spider.
    KEEP = "keep"
    #: A 2xx response that is not HTML: passed on unread.
    NON_HTML = "non_html"
    #: Another status not dropped: passed on to Scrapy's HttpErrorMiddleware.
    HTTP_ERROR = "http_error"
    #: Dropped.
    DROP = "drop"
    #: A challenge: retried ``retry_challenges`` times, dropped if it persists.
    RETRY_THEN_DROP = "retry_then_drop"


@dataclass(frozen=True, slots=True)
class ErrorPagePolicy:
    """The error-page settings (read by ``crawl._settings.errorpage_policy``).

    ``drop_statuses`` is :setting:`NEWSCLEAN_DROP_STATUSES`, ``soft_errors``
    :setting:`NEWSCLEAN_SOFT_ERRORS`, ``retry_challenges``
    :setting:`NEWSCLEAN_RETRY_CHALLENGES`.
    """

    drop_statuses: frozenset[int] = frozenset(_defaults.NEWSCLEAN_DROP_STATUSES)
    soft_errors: bool = _defaults.NEWSCLEAN_SOFT_ERRORS
    retry_challenges: int = _defaults.NEWSCLEAN_RETRY_CHALLENGES


@dataclass(frozen=True, slots=True)
class ResponseFate:
    """What happens to one response; ``verdict`` is set when it is dropped.

    ``note`` says why in words (for ``check`` and logs), ``""`` for a drop
    whose verdict says it all.
    """

    action: Action
    note: str = ""
    verdict: PageVerdict | None = None

    @property
    def dropped(self) -> bool:
        """Whether the response ends dropped (after any retries)."""
        return self.verdict is not None

    @property
    def reason(self) -> str | None:
        """The drop reason token, or ``None`` when the response goes on."""
        return None if self.verdict is None else self.verdict.reason


def decide(
    *,
    status: int,
    url: str,
    headers: Mapping[str, str] | None = None,
    body: bytes | str = b"",
    redirect_urls: Sequence[str] = (),
    policy: ErrorPagePolicy | None = None,
    allowed_statuses: Collection[int] = (),
    tree: Callable[[], Any] | None = None,
) -> ResponseFate:
    """The fate of the final response to a request (after redirects).

    ``headers`` have lowercase names; ``redirect_urls`` are the URLs redirected
    from, first the requested one; ``allowed_statuses`` are the statuses the
    spider lets through (``newsclean_allow_statuses``): never dropped for the
    status and, outside 2xx, not checked. ``tree`` returns the parsed ``body``
    (the crawl reuses Scrapy's cached tree); it is called at most once, only
    when the page is classified; without it the body is parsed. Never raises.
    """
    policy = policy or ErrorPagePolicy()
    drop_statuses = policy.drop_statuses - frozenset(allowed_statuses)
    if status not in drop_statuses:
        unchecked = _unchecked(status, policy, allowed_statuses)
        if unchecked is not None:
            return unchecked
        if not is_html(headers, body):
            return _goes_on(status, "not HTML: passed untouched", html=False)
    verdict = classify(
        status=status,
        url=url,
        headers=headers,
        body=body,
        root=None if tree is None else tree(),
        redirect_urls=redirect_urls,
        drop_statuses=drop_statuses,
    )
    if verdict is None:
        if 200 <= status < 300:
            return ResponseFate(Action.KEEP)
        return _goes_on(
            status, f"status {status} is not in NEWSCLEAN_DROP_STATUSES, no challenge"
        )
    if verdict.challenge:
        note = (
            f"{verdict.reason} is retried up to {policy.retry_challenges} times "
            "(NEWSCLEAN_RETRY_CHALLENGES) and dropped if it persists"
        )
        return ResponseFate(Action.RETRY_THEN_DROP, note, verdict)
    return ResponseFate(Action.DROP, "", verdict)


def _unchecked(
    status: int, policy: ErrorPagePolicy, allowed: Collection[int]
) -> ResponseFate | None:
    """The fate of a status outside the drop statuses whose page is not read."""
    if 200 <= status < 300:
        if policy.soft_errors:
            return None
        return _goes_on(status, "NEWSCLEAN_SOFT_ERRORS is off: 2xx pages are kept")
    if status in allowed:
        return _goes_on(status, f"status {status} is in newsclean_allow_statuses")
    if not 400 <= status < 500:
        return _goes_on(status, f"status {status} is not in NEWSCLEAN_DROP_STATUSES")
    if not policy.soft_errors:
        return _goes_on(
            status,
            f"status {status} is not in NEWSCLEAN_DROP_STATUSES and "
            "NEWSCLEAN_SOFT_ERRORS is off (no challenge check)",
        )
    # Other client errors (Akamai's 428, AWS WAF's 405) are read for a challenge.
    return None


def _goes_on(status: int, note: str, *, html: bool = True) -> ResponseFate:
    """The response goes on: to the spider (2xx) or to HttpErrorMiddleware."""
    if not 200 <= status < 300:
        return ResponseFate(Action.HTTP_ERROR, f"{note}: {_HTTP_ERROR}")
    return ResponseFate(Action.KEEP if html else Action.NON_HTML, note)

"""Error, block, challenge and soft-404 pages (pure: no Scrapy).

``_page_reading`` reads a page (title, text sizes, parse), ``_hits`` finds the
signature table's matches in each part of it, ``_classify`` decides what a page
is (:func:`classify`), ``_fate`` what the crawl does with a response
(:func:`decide`: the status policy and the classification, shared by the
middleware and ``scrapy-newsclean check``); ``_signatures`` compiles the
signatures (data: ``signatures/*.json``, read by ``_signature_files``).
"""

from __future__ import annotations

from scrapy_newsclean.errorpages._classify import (
    DEFAULT_DROP_STATUSES,
    PageSignals,
    PageVerdict,
    classify,
    page_signals,
)
from scrapy_newsclean.errorpages._fate import (
    Action,
    ErrorPagePolicy,
    ResponseFate,
    decide,
)
from scrapy_newsclean.errorpages._page_reading import is_html

__all__ = [
    "DEFAULT_DROP_STATUSES",
    "Action",
    "ErrorPagePolicy",
    "PageSignals",
    "PageVerdict",
    "ResponseFate",
    "classify",
    "decide",
    "is_html",
    "page_signals",
]

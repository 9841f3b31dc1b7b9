"""Error, block, challenge and soft-404 pages (pure: no Scrapy).

``_page_reading`` reads a page (title, text sizes, parse), ``_hits`` finds the
signature table's matches in each part of it, ``_classify`` decides
(:func:`classify`); ``_signatures`` compiles the signatures (data:
``signatures/*.json``, read by ``_signature_files``).
"""

from __future__ import annotations

from scrapy_newsclean.errorpages._classify import (
    DEFAULT_DROP_STATUSES,
    PageSignals,
    PageVerdict,
    classify,
    page_signals,
)
from scrapy_newsclean.errorpages._page_reading import is_html

__all__ = [
    "DEFAULT_DROP_STATUSES",
    "PageSignals",
    "PageVerdict",
    "classify",
    "is_html",
    "page_signals",
]

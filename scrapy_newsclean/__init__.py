"""Stop error pages, boilerplate and near-duplicate articles at crawl time.

The Scrapy components are imported lazily, so that the pure core
(:mod:`scrapy_newsclean.errorpages`, :mod:`~scrapy_newsclean.cleaning`,
:mod:`~scrapy_newsclean.neardup`, :mod:`~scrapy_newsclean.stores`) can be used without
importing Scrapy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy_newsclean.crawl._addon import Addon
    from scrapy_newsclean.crawl._errorpage_middleware import ErrorPageMiddleware
    from scrapy_newsclean.crawl._exceptions import (
        EmptyAfterClean,
        ErrorPageIgnored,
        NearDuplicateItem,
    )
    from scrapy_newsclean.crawl._page_evidence_middleware import (
        PageEvidenceMiddleware,
    )
    from scrapy_newsclean.crawl._pipelines import (
        CleanTextPipeline,
        NearDuplicatePipeline,
    )
    from scrapy_newsclean.crawl._report import CrawlReport

__version__ = "0.1.0"

_LAZY = {
    "Addon": "scrapy_newsclean.crawl._addon",
    "ErrorPageIgnored": "scrapy_newsclean.crawl._exceptions",
    "ErrorPageMiddleware": "scrapy_newsclean.crawl._errorpage_middleware",
    "PageEvidenceMiddleware": "scrapy_newsclean.crawl._page_evidence_middleware",
    "CleanTextPipeline": "scrapy_newsclean.crawl._pipelines",
    "EmptyAfterClean": "scrapy_newsclean.crawl._exceptions",
    "NearDuplicateItem": "scrapy_newsclean.crawl._exceptions",
    "NearDuplicatePipeline": "scrapy_newsclean.crawl._pipelines",
    "CrawlReport": "scrapy_newsclean.crawl._report",
}

__all__ = [
    "Addon",
    "CleanTextPipeline",
    "CrawlReport",
    "EmptyAfterClean",
    "ErrorPageIgnored",
    "ErrorPageMiddleware",
    "NearDuplicateItem",
    "NearDuplicatePipeline",
    "PageEvidenceMiddleware",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """Import a public component on first use (PEP 562)."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

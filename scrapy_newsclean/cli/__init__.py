"""The ``scrapy-newsclean`` command line: ``clean`` (offline cleaning and dedup of
JSON Lines) and ``check`` (one page's fate, as a crawl would decide it).
"""

from __future__ import annotations

from scrapy_newsclean.cli._main import main

__all__ = ["main"]

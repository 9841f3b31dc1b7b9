"""Text cleaning: boilerplate, disclaimers and repeated blocks (pure: no Scrapy).

``_blocks`` splits a text into blocks and decides each (:func:`clean`),
``_repeats`` finds repeated and copied blocks, ``_site_templates`` learns each
site's template, ``_signatures`` compiles the boilerplate signatures (data:
``signatures/*.json``, read by ``_signature_files``) and ``_item`` cleans the
text fields of one item.
"""

from __future__ import annotations

from scrapy_newsclean.cleaning._blocks import (
    CleanResult,
    Removal,
    clean,
    clean_blocks,
    split_blocks,
)
from scrapy_newsclean.cleaning._item import CleanConfig, clean_item
from scrapy_newsclean.cleaning._page_evidence import (
    BlockEvidence,
    PageEvidence,
    page_evidence,
    page_evidence_from_html,
)

__all__ = [
    "BlockEvidence",
    "CleanConfig",
    "CleanResult",
    "PageEvidence",
    "Removal",
    "clean",
    "clean_blocks",
    "clean_item",
    "page_evidence",
    "page_evidence_from_html",
    "split_blocks",
]

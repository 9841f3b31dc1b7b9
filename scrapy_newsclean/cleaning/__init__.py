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

__all__ = [
    "CleanConfig",
    "CleanResult",
    "Removal",
    "clean",
    "clean_blocks",
    "clean_item",
    "split_blocks",
]

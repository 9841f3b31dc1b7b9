"""Stop error pages, boilerplate and near-duplicate articles at crawl time."""

from __future__ import annotations

__version__ = "0.1.0"

"""Locate the shared, read-only evaluation data beside the repository."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path:
    """The shared data folder: ``$NEWSCLEAN_SHARED`` or ``../shared`` beside the repo."""
    override = os.environ.get("NEWSCLEAN_SHARED")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared"

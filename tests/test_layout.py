"""The layout's promises: the pure core imports neither Scrapy nor Twisted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scrapy_newsclean"
GLUE = {"crawl", "cli"}


def core_modules() -> list[str]:
    """Every module outside ``crawl/`` and ``cli/`` (``testing`` imports pytest)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[1] in GLUE or parts[-1] in {"__main__", "testing"}:
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_core_modules_are_found() -> None:
    modules = core_modules()
    assert "scrapy_newsclean.itemflow" in modules
    assert "scrapy_newsclean.cleaning._page_evidence" in modules
    assert "scrapy_newsclean.errorpages._fate" in modules
    assert not any(".crawl" in name or ".cli" in name for name in modules)


def test_pure_core_imports_neither_scrapy_nor_twisted() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "from scrapy_newsclean.stores import build_store\n"
        "build_store('memory://')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'scrapy', 'twisted'})\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent)

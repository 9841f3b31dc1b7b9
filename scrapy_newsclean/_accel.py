"""Which implementation runs the hot loops: the compiled extension or pure Python.

The C extension ``scrapy_newsclean._speedups`` (built by ``pip install`` when
a C compiler is present) computes exactly what the pure Python reference
computes, only faster (``tests/test_accel.py`` compares them). It is used
unless it is missing or the environment variable ``NEWSCLEAN_PURE`` is set to
a non-empty value other than ``0`` when the package is imported. The choice
is made once, here; modules bind their kernels from :data:`speedups`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

#: Set (to ``1``) to force the pure Python path.
PURE_VARIABLE = "NEWSCLEAN_PURE"


def _load() -> tuple[ModuleType | None, str]:
    if os.environ.get(PURE_VARIABLE, "") not in {"", "0"}:
        return None, f"pure ({PURE_VARIABLE}=1)"
    try:
        from scrapy_newsclean import _speedups  # noqa: PLC0415
    except ImportError:
        return None, "pure (extension not built)"
    return _speedups, "compiled"


#: The compiled extension, or ``None`` on the pure Python path.
speedups: ModuleType | None
#: The active path, as ``scrapy-newsclean --version`` and the crawl log say it:
#: ``compiled``, ``pure (NEWSCLEAN_PURE=1)`` or ``pure (extension not built)``.
ACTIVE: str
speedups, ACTIVE = _load()

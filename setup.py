"""Build the optional C extension ``scrapy_newsclean._speedups``.

Everything else is declared in ``pyproject.toml``. ``optional=True``: without
a working C compiler the install still succeeds, and the package runs its
pure Python path (``scrapy-newsclean --version`` says which one is active).
"""

from __future__ import annotations

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "scrapy_newsclean._speedups",
            sources=["scrapy_newsclean/_speedups.c"],
            depends=["scrapy_newsclean/_speedups_sbox.h"],
            optional=True,
        )
    ]
)

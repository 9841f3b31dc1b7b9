"""``python -m scrapy_newsclean``: the ``scrapy-newsclean`` command line."""

from __future__ import annotations

from scrapy_newsclean.cli import main

raise SystemExit(main())

"""``redis://``: the store shared by many crawler processes (``_store``), its
Lua scripts (``_scripts``), key layout (``_keys``) and connection
(``_connection``).
"""

from __future__ import annotations

from scrapy_newsclean.stores._redis._store import RedisStore

__all__ = ["RedisStore"]

"""Optional imports, tried once (as ``itemadapter._imports``).

``redis`` is the ``redis`` package with ``redis.asyncio`` loaded, or ``None``
when the ``redis`` extra is not installed (``pip install scrapy-newsclean[redis]``).
"""

from __future__ import annotations

from typing import Any

redis: Any

try:
    import redis.asyncio
    import redis.backoff
    import redis.exceptions
except ImportError:  # the redis extra is not installed
    redis = None

"""Every ``NEWSCLEAN_*`` default, in one place.

Components read settings as ``settings.get("NEWSCLEAN_X", NEWSCLEAN_X)`` so that a
project without the add-on gets the same behaviour as one with it.
"""

from __future__ import annotations

#: Master switch: ``False`` turns every component off.
NEWSCLEAN_ENABLED = True

#: Where drop records go (JSON Lines); ``None`` writes none.
NEWSCLEAN_REJECTS: str | None = None
#: Log level of the one line logged per dropped page or item.
NEWSCLEAN_LOG_LEVEL = "INFO"

NEWSCLEAN_ERRORPAGE_ENABLED = True
#: HTTP statuses always dropped, even when the spider allows them through.
NEWSCLEAN_DROP_STATUSES: tuple[int, ...] = (
    401,
    403,
    404,
    410,
    429,
    451,
    *range(500, 600),
)
#: Drop 2xx pages that are anti-bot challenges, soft 404s or dead-article redirects.
NEWSCLEAN_SOFT_ERRORS = True
#: How many times a challenge page (403/429/soft) is retried before it is dropped.
NEWSCLEAN_RETRY_CHALLENGES = 2

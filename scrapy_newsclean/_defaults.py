"""Every ``NEWSCLEAN_*`` default, in one place.

:mod:`scrapy_newsclean.crawl._settings` falls back to these values, so that a
project without the add-on gets the same behaviour as one with it, and the
config dataclasses of the pure core (``CleanConfig``, ``SimhashConfig``,
``ProcessConfig``) take their field defaults from here (``tests/test_settings.py``
pins them).
"""

from __future__ import annotations

from types import MappingProxyType

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

NEWSCLEAN_CLEAN_ENABLED = True
#: Item fields holding article text: the usual names (every present one is
#: cleaned; the first present one is fingerprinted).
NEWSCLEAN_TEXT_FIELDS: tuple[str, ...] = (
    "body",
    "text",
    "content",
    "article",
    "article_body",
    "articleBody",
    "article_text",
    "full_text",
    "maintext",
)
#: Item field holding the article URL (for logs, rejects and the site's template).
NEWSCLEAN_URL_FIELD = "url"
#: Keep items whose text is empty after cleaning instead of dropping them.
NEWSCLEAN_KEEP_EMPTY = False
#: Item field that receives a per-item cleaning report; None: no report.
NEWSCLEAN_REPORT_FIELD: str | None = None
#: Extra boilerplate signatures (dicts or tuples, see the README).
NEWSCLEAN_SIGNATURES: tuple[object, ...] = ()
#: Text fields longer than this many characters are not cleaned.
NEWSCLEAN_MAX_TEXT_CHARS = 2_000_000
#: Learn each site's template (blocks repeated across its articles).
#: Judge each block with the page the item came from (PageEvidenceMiddleware).
NEWSCLEAN_CLEAN_PAGE_EVIDENCE = True
#: An item field holding the item's page HTML (backfills of stored pages): its
#: page evidence applies as in a crawl. None: no such field.
NEWSCLEAN_CLEAN_HTML_FIELD: str | None = None
NEWSCLEAN_TEMPLATE_ENABLED = True
#: A block seen in this many distinct articles of a site is template.
NEWSCLEAN_TEMPLATE_MIN_PAGES = 3

#: Where fingerprints and learned templates live: memory://, sqlite:///path.db,
#: redis://host:port/db, a URI of a scheme added to NEWSCLEAN_STORES, or (for
#: compatibility) a dotted class path. None: sqlite in the project's .scrapy
#: data directory (not under JOBDIR, which a new job deletes; an existing
#: JOBDIR/newsclean.db of older versions is still used).
NEWSCLEAN_STORE: str | None = None
#: Accept a store local to one process (memory://, sqlite) under a shared
#: scheduler (scrapy-redis...): True only when a single worker runs.
NEWSCLEAN_STORE_ALLOW_LOCAL = False
#: The built-in store classes by URI scheme (as Scrapy's FEED_STORAGES_BASE);
#: not a setting: NEWSCLEAN_STORES is merged over it.
NEWSCLEAN_STORES_BASE = MappingProxyType(
    {
        "memory": "scrapy_newsclean.stores.MemoryStore",
        "sqlite": "scrapy_newsclean.stores.SQLiteStore",
        "redis": "scrapy_newsclean.stores.RedisStore",
        "rediss": "scrapy_newsclean.stores.RedisStore",
        "unix": "scrapy_newsclean.stores.RedisStore",
    }
)
#: More store classes (or import paths) by URI scheme; None disables a scheme.
NEWSCLEAN_STORES: MappingProxyType[str, object] = MappingProxyType({})
#: Namespace of every key a shared store (Redis) writes.
NEWSCLEAN_STORE_PREFIX = "newsclean"
#: When the store cannot be reached: "pass" items (warn, count) or "drop" them.
NEWSCLEAN_STORE_FAILURE = "pass"

NEWSCLEAN_DEDUP_ENABLED = True
#: Fields whose text is fingerprinted, joined; None: the first non-empty
#: field of NEWSCLEAN_TEXT_FIELDS.
NEWSCLEAN_DEDUP_FIELDS: tuple[str, ...] | None = None
#: Near-duplicate when the word-3-gram simhashes differ in at most this many
#: bits and the min-hash sketches share a bin (17: benchmarks/neardup_quality.py
#: measures precision 1.0 and recall 0.984 there).
NEWSCLEAN_DEDUP_DISTANCE = 17
#: A match on the same host (another URL) counts only within this many bits:
#: two pages of one site share its template, and what cleaning leaves of it
#: brings distinct articles closer (8; NEWSCLEAN_DEDUP_DISTANCE turns it off).
NEWSCLEAN_DEDUP_SAME_HOST_DISTANCE = 8
#: Seconds a kept article's fingerprint is remembered; None: forever.
NEWSCLEAN_DEDUP_TTL: float | None = 7 * 24 * 3600.0
#: "global": one fingerprint space; "site": one per registered domain.
NEWSCLEAN_DEDUP_SCOPE = "global"
#: "drop" near-duplicates or "tag" them (NEWSCLEAN_DUPLICATE_TAG_FIELD).
NEWSCLEAN_DUPLICATE_ACTION = "drop"
NEWSCLEAN_DUPLICATE_TAG_FIELD = "newsclean_duplicate"
#: A text of fewer words (characters in Chinese, Japanese...) is too short to
#: fingerprint: it counts as no text (placeholders such as "NULL").
NEWSCLEAN_DEDUP_MIN_WORDS = 5
#: Items with no text to fingerprint: "pass" (never duplicates) or "drop".
NEWSCLEAN_NO_TEXT_ACTION = "pass"
#: Seconds to wait for an in-flight original to reach storage (or not).
NEWSCLEAN_DEDUP_PENDING_WAIT = 30.0
#: Seconds a shared store (Redis) holds an in-flight item's reservation after
#: its process last renewed it: a killed worker's reservations go this soon.
NEWSCLEAN_DEDUP_LEASE = 15.0
#: Seconds between renewals of this process's in-flight reservations (one
#: script call each time); shorter than NEWSCLEAN_DEDUP_LEASE.
NEWSCLEAN_DEDUP_HEARTBEAT = 5.0

#: Write the end-of-crawl report as JSON to this path; None: log only.
NEWSCLEAN_REPORT_PATH: str | None = None

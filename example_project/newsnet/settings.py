"""Settings of the example project: scrapy-newsclean is one line in ``ADDONS``.

Output goes to the directory named by the ``NEWSNET_OUTPUT`` environment
variable (``run.py --output DIR`` sets it), by default ``example_project/output/``.
``scrapy crawl news`` without start URLs serves the local news network itself
(``newsnet/localnet.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

BOT_NAME = "newsnet"
SPIDER_MODULES = ["newsnet.spiders"]
NEWSPIDER_MODULE = "newsnet.spiders"

OUTPUT = Path(
    os.environ.get("NEWSNET_OUTPUT") or Path(__file__).resolve().parents[1] / "output"
)

ADDONS = {"scrapy_newsclean.Addon": 500}

# Without start URLs, serve the local news network in the crawl process and
# write its outputs to NEWSNET_OUTPUT (outlets.json, stats.json).
EXTENSIONS = {"newsnet.localnet.LocalNewsNetwork": 0}
NEWSNET_OUTPUT = str(OUTPUT)

# Fingerprints of stored articles and each site's learned template live here.
NEWSCLEAN_STORE = f"sqlite:///{OUTPUT / 'newsclean.db'}"
# One JSON line per dropped page or item: url, stage, reason, detail.
NEWSCLEAN_REJECTS = str(OUTPUT / "rejects.jsonl")
# Each stored item gets a "newsclean" field saying what was removed from it.
NEWSCLEAN_REPORT_FIELD = "newsclean"
# A short block seen in 3 stored articles of one site is that site's template.
NEWSCLEAN_TEMPLATE_MIN_PAGES = 3
# Retry a challenge page once (it may pass the second time), then drop it.
NEWSCLEAN_RETRY_CHALLENGES = 1
# Remember stored articles for 30 days: a copy within that window is dropped.
NEWSCLEAN_DEDUP_TTL = 30 * 24 * 3600

# News spiders often let error statuses through to their callbacks; newsclean
# still drops those pages before the spider sees them.
HTTPERROR_ALLOW_ALL = True

FEEDS = {
    str(OUTPUT / "items.jsonl"): {
        "format": "jsonlines",
        "encoding": "utf-8",
        "overwrite": True,
    }
}

# One request at a time: the crawl order, hence which copy of a syndicated
# story is kept first, is the same on every run.
CONCURRENT_REQUESTS = 1
DOWNLOAD_DELAY = 0
RETRY_TIMES = 1
ROBOTSTXT_OBEY = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

"""Settings of the example project: scrapy-newsclean is one line in ADDONS."""

BOT_NAME = "newsnet"
SPIDER_MODULES = ["newsnet.spiders"]
NEWSPIDER_MODULE = "newsnet.spiders"

ADDONS = {"scrapy_newsclean.Addon": 500}

# Where every dropped page or item is recorded, with its reason.
NEWSCLEAN_REJECTS = "output/rejects.jsonl"

# News sites often let error statuses through to the spider; newsclean still
# drops them (that is the point of the example).
HTTPERROR_ALLOW_ALL = True

FEEDS = {"output/items.jsonl": {"format": "jsonlines", "overwrite": True}}

ROBOTSTXT_OBEY = False
TELNETCONSOLE_ENABLED = False
RETRY_TIMES = 1
LOG_LEVEL = "INFO"

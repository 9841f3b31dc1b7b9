"""Which site a URL belongs to: its registered domain (``news.bbc.co.uk`` -> ``bbc.co.uk``)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

# The Public Suffix List snapshot bundled with tldextract: no network access.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def _site_of_host(host: str) -> str:
    parts = _EXTRACT(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return host


def site_of(url: str | None) -> str:
    """The registered domain of *url*; ``""`` when there is no usable host."""
    if not url or not isinstance(url, str):
        return ""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return _site_of_host(host.rstrip(".").lower())

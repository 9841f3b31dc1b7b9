"""Which site a URL belongs to (scrapy_newsclean._sites)."""

from __future__ import annotations

import pytest

from scrapy_newsclean._sites import site_of


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://news.bbc.co.uk/2/hi/world/123.stm", "bbc.co.uk"),
        ("https://www.nytimes.com/2024/03/05/nyregion/budget.html", "nytimes.com"),
        ("http://WWW.Example.COM./a?b=1#c", "example.com"),
        ("  https://edition.cnn.com/world  ", "cnn.com"),
        ("https://user:pw@blog.example.org:8080/post", "example.org"),
        ("https://localhost:6800/jobs", "localhost"),
        ("http://127.0.0.1:8000/article/1", "127.0.0.1"),
        ("https://www.asahi.co.jp/news/", "asahi.co.jp"),
    ],
    ids=[
        "ccsld",
        "www",
        "case-dot",
        "spaces",
        "userinfo-port",
        "localhost",
        "ip",
        "jp",
    ],
)
def test_registered_domain(url: str, site: str) -> None:
    assert site_of(url) == site


@pytest.mark.parametrize(
    "url",
    [None, "", "not a url", "/relative/path", "https://[::1/broken", 42],
    ids=["none", "empty", "words", "relative", "bad-ipv6", "not-str"],
)
def test_no_usable_host_is_empty(url: object) -> None:
    assert site_of(url) == ""  # type: ignore[arg-type]

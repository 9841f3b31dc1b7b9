"""``scrapy-newsclean check``: classify one page as the error-page middleware does."""

from __future__ import annotations

import argparse
import sys
import urllib.request
import zlib
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError, URLError

from scrapy_newsclean import __version__
from scrapy_newsclean.cli._settings import CliError
from scrapy_newsclean.crawl._settings import errorpage_policy
from scrapy_newsclean.errorpages._classify import is_html, page_signals
from scrapy_newsclean.errorpages._fate import decide

if TYPE_CHECKING:
    from http.client import HTTPMessage
    from urllib.request import Request

    from scrapy.settings import BaseSettings

    from scrapy_newsclean.errorpages._fate import ErrorPagePolicy

#: Pages are read up to this size (the classifier parses the first 4 MiB).
MAX_PAGE_BYTES = 16 * 1024 * 1024

CHECK_EPILOG = """\
The first output line is KEEP or DROP <reason> (the reason token of the
crawl's stats and rejects file), then the URL, the status, the verdict's detail,
a note on what the crawl does and the signals behind the verdict. The verdict
is the crawl's: the error-page middleware calls the same decision, with the
project's NEWSCLEAN_DROP_STATUSES, NEWSCLEAN_SOFT_ERRORS and
NEWSCLEAN_RETRY_CHALLENGES (read as for `clean`). A status in the drop
statuses is dropped whatever the page says, 2xx pages are judged by their
content, other 4xx pages only for a vendor challenge (Akamai's 428), which a
crawl retries first; other pages a crawl keeps go on to the spider (2xx) or to
Scrapy's HttpErrorMiddleware. Redirects are followed (an article redirected to
the home page is DROP).

Exit status: 0 for either verdict (with --fail-on-drop: 1 for DROP), 2 for
usage errors, bad settings or a page that cannot be read or fetched.

examples:
  scrapy-newsclean check https://example.com/news/1
  scrapy-newsclean check saved.html --status 403
"""


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched or saved page."""

    url: str
    status: int
    headers: dict[str, str]  # lowercase names, repeated values joined by ","
    body: bytes
    redirect_urls: tuple[str, ...] = ()


def add_check_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    check = commands.add_parser(
        "check",
        parents=[common],
        help="classify one page as the error-page middleware does",
        description="Classify a page (an http(s) URL, fetched once, or a saved\n"
        "HTML file, gzipped or not; - reads stdin) with the middleware's logic.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = check.add_argument
    add("target", metavar="URL-or-FILE")
    add(
        "--status",
        type=int,
        help="HTTP status (default: the response's; 200 for a file)",
    )
    add("--timeout", type=float, default=30.0, help="seconds (default: 30)")
    add("--fail-on-drop", action="store_true", help="exit with status 1 on DROP")


def check_command(args: argparse.Namespace, settings: BaseSettings) -> int:
    """Print what a crawl does with one page; return the exit status."""
    policy = _policy(settings)
    target: str = args.target
    if target.lower().startswith(("http://", "https://")):
        page = fetch_page(target, args.timeout)
    else:
        page = read_page(target)
    status = page.status if args.status is None else args.status
    fate = decide(
        status=status,
        url=page.url,
        headers=page.headers,
        body=page.body,
        redirect_urls=page.redirect_urls,
        policy=policy,
    )
    lines = ["KEEP" if fate.verdict is None else f"DROP {fate.verdict.reason}"]
    lines += [f"url: {page.url}", f"status: {status}"]
    if page.redirect_urls:
        lines.append(f"redirected from: {' -> '.join(page.redirect_urls)}")
    if fate.verdict is not None:
        lines.append(f"detail: {fate.verdict.detail}")
    if fate.note:
        lines.append(f"note: {fate.note}")
    if is_html(page.headers, page.body):
        signals = page_signals(headers=page.headers, body=page.body)
        lines.append(f"signals: {signals.describe()}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if fate.dropped and args.fail_on_drop else 0


def _policy(settings: BaseSettings) -> ErrorPagePolicy:
    try:
        return errorpage_policy(settings)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects as urllib does, remembering the URLs left behind."""

    def __init__(self) -> None:
        self.chain: list[str] = []

    def redirect_request(  # noqa: PLR0917  # urllib's signature
        self,
        req: Request,
        fp: Any,
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> Request | None:
        self.chain.append(req.full_url)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_page(url: str, timeout: float) -> Page:
    """GET *url* once (an error status is a page too); CliError when unreachable."""
    redirects = _Redirects()
    opener = urllib.request.build_opener(redirects)
    agent = f"scrapy-newsclean/{__version__} (check)"
    # Only http(s) URLs reach here: the caller checked the scheme.
    request = urllib.request.Request(url, headers={"User-Agent": agent})  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            return _page(response, response.status, redirects.chain)
    except HTTPError as exc:
        with exc:
            return _page(exc, exc.code, redirects.chain)
    except (URLError, HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise CliError(f"cannot fetch {url}: {reason}") from exc


def _page(response: Any, status: int, chain: list[str]) -> Page:
    headers: dict[str, str] = {}
    for name, value in response.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    url = str(response.geturl())
    try:
        body = response.read(MAX_PAGE_BYTES)
    except (HTTPException, OSError, AttributeError) as exc:  # no body, cut short
        raise CliError(f"cannot read the body of {url}: {exc}") from exc
    if headers.get("content-encoding", "").strip().lower() in {"gzip", "x-gzip"}:
        body = _gunzip(body, url)
    return Page(url, status, headers, body, tuple(chain))


def read_page(target: str) -> Page:
    """A saved page (gzip is detected), served as if with status 200."""
    if "://" in target:
        raise CliError(f"only http:// and https:// URLs are fetched, got {target!r}")
    try:
        if target == "-":
            body, url = sys.stdin.buffer.read(MAX_PAGE_BYTES), "stdin"
        else:
            path = Path(target)
            with path.open("rb") as stream:
                body, url = stream.read(MAX_PAGE_BYTES), path.resolve().as_uri()
    except OSError as exc:
        raise CliError(f"cannot read {target}: {exc.strerror or exc}") from exc
    if body.startswith(b"\x1f\x8b"):
        body = _gunzip(body, target)
    return Page(url, 200, {}, body)


def _gunzip(data: bytes, where: str) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, MAX_PAGE_BYTES)
    except zlib.error as exc:
        raise CliError(f"{where}: not valid gzip data: {exc}") from exc

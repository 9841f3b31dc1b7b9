"""A real HTTP server on 127.0.0.1 for crawl tests: ``python -m tests.mockserver``.

It prints its base URL on the first line of stdout, then serves until stdin
closes or it is killed. Routes:

* ``/site/<file>``: ``tests/sites/<file>`` with status 200;
* ``/status/<n>/<file>``: the same file with status *n* (``-`` for no body);
* ``/vendor/<n>/<file>``: ``tests/fixtures/vendors/blocks/<file>`` with
  status *n* (vendor challenges, block pages, login walls);
* ``/gzip/<file>``: the file gzip-encoded (``Content-Encoding: gzip``);
* ``/redirect/<n>?to=<path>``: a redirect with status *n* to *path*;
* ``/flaky/<times>/<key>/<challenge>/<page>``: *challenge* for the first
  *times* requests of *key*, then *page*;
* ``/story/<n>/<outlet>``: story *n* as published by *outlet*: the same
  generated article text under the outlet's own headline and copyright line
  (a syndicated near-duplicate);
* ``/`` and ``/index.html``: a small home page.
"""

from __future__ import annotations

import gzip
import mimetypes
import random
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

SITES = Path(__file__).resolve().parent / "sites"
VENDOR_BLOCKS = Path(__file__).resolve().parent / "fixtures" / "vendors" / "blocks"
HOME = b"<html><head><title>Home</title></head><body><h1>Home</h1></body></html>"


def _content_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[Counter[str]] = Counter()
    lock: ClassVar[threading.Lock] = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        segments = [s for s in parts.path.split("/") if s]
        route = segments[0] if segments else ""
        if route in {"", "index.html"}:
            self._send(200, HOME, "text/html; charset=utf-8")
        elif route == "site" and len(segments) == 2:
            self._file(200, segments[1])
        elif route == "status" and len(segments) == 3:
            self._file(int(segments[1]), segments[2])
        elif route == "vendor" and len(segments) == 3:
            self._file(int(segments[1]), segments[2], folder=VENDOR_BLOCKS)
        elif route == "gzip" and len(segments) == 2:
            self._file(200, segments[1], gzipped=True)
        elif route == "redirect" and len(segments) == 2:
            target = parse_qs(parts.query).get("to", ["/"])[0]
            self._send(int(segments[1]), b"", "text/html", {"Location": target})
        elif route == "story" and len(segments) == 3:
            body = story_page(int(segments[1]), int(segments[2])).encode()
            self._send(200, body, "text/html; charset=utf-8")
        elif route == "flaky" and len(segments) == 5:
            self._flaky(int(segments[1]), *segments[2:])
        else:
            self._send(
                404, b"<html><body><h1>Not Found</h1></body></html>", "text/html"
            )

    def _flaky(self, times: int, key: str, challenge: str, page: str) -> None:
        with self.lock:
            self.hits[key] += 1
            count = self.hits[key]
        self._file(200, challenge if count <= times else page)

    def _file(
        self, status: int, name: str, *, gzipped: bool = False, folder: Path = SITES
    ) -> None:
        if name == "-":
            self._send(status, b"", "text/html")
            return
        path = folder / Path(name).name
        if not path.is_file():
            self._send(404, b"no such fixture", "text/plain")
            return
        body = path.read_bytes()
        headers = {}
        if gzipped:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(status, body, _content_type(name), headers)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


FUNCTION_WORDS = [
    *[
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "at",
        "from",
        "was",
        "said",
        "it",
        "his",
        "her",
        "their",
        "after",
        "before",
        "which",
        "who",
        "will",
        "has",
        "have",
        "been",
        "not",
        "but",
        "also",
        "over",
        "into",
    ]
]
SYLLABLES = [
    *[
        "ka",
        "ro",
        "mi",
        "ten",
        "sa",
        "lu",
        "vo",
        "dri",
        "pel",
        "an",
        "mor",
        "ise",
        "gat",
        "ul",
        "fen",
        "tor",
        "bi",
    ]
]


def story_page(number: int, outlet: int) -> str:
    """A generated article; every outlet's copy is a near-duplicate of the others.

    Each story has its own content words (made of syllables) mixed with common
    function words, as real news text does.
    """
    rng = random.Random(number)
    content = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        for _ in range(120)
    ]

    def sentence() -> str:
        words = [
            rng.choice(FUNCTION_WORDS if rng.random() < 0.45 else content)
            for _ in range(rng.randint(12, 24))
        ]
        return " ".join(words).capitalize() + "."

    paragraphs = [" ".join(sentence() for _ in range(3)) for _ in range(6)]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>Story {number} - Outlet {outlet}</title></head><body>"
        f"<h1>Outlet {outlet} reports story {number}</h1>{body}"
        f"<p>Copyright 2025 Outlet {outlet}. All rights reserved.</p></body></html>"
    )


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # serve until the parent closes our stdin
    server.shutdown()


if __name__ == "__main__":
    main()

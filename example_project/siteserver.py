"""Serve the example news network: each outlet on its own loopback address.

``site/routes.json`` lists the outlets. Each has a name, a loopback ``host``
and ``routes`` mapping a URL path to a page file (with an HTTP status, 200 by
default) or to a redirect, so the network serves what real news sites serve:
articles, 403 pages with full content, 404/410/429/503s, challenge pages and
soft 404s with 200, dead articles redirected to the home page.

Every outlet gets its own server on its own address (127.0.0.2, 127.0.0.3...,
all loopback on Linux), on one shared port: each outlet is then a different
site, as scrapy-newsclean sees sites (it learns templates per host). Where
those addresses cannot be bound (macOS only has 127.0.0.1 by default), the
outlets get one port each on 127.0.0.1 and share one site for template learning.

Run on its own with ``python siteserver.py [PORT]``; ``run.py`` starts it on
a free port for the example crawl.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SITE = Path(__file__).resolve().parent / "site"
FALLBACK_HOST = "127.0.0.1"


def load_outlets() -> dict[str, dict[str, Any]]:
    """The outlets of ``site/routes.json``, by short name."""
    outlets: dict[str, dict[str, Any]] = json.loads(
        (SITE / "routes.json").read_text(encoding="utf-8")
    )
    return outlets


class OutletHandler(BaseHTTPRequestHandler):
    """Answer GET requests from the routes of the server's outlet."""

    server: OutletServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: the crawl log already shows every request."""

    def do_GET(self) -> None:
        outlet = self.server.outlet
        route = outlet["routes"].get(urlsplit(self.path).path)
        if route is None:
            self._send(404, outlet["not_found"])
        elif "redirect" in route:
            self.send_response(int(route.get("status", 301)))
            self.send_header("Location", str(route["redirect"]))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(int(route.get("status", 200)), str(route["file"]))

    def _send(self, status: int, file: str) -> None:
        body = (SITE / file).read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class OutletServer(ThreadingHTTPServer):
    """One outlet's HTTP server."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], outlet: dict[str, Any]) -> None:
        self.outlet = outlet
        super().__init__(address, OutletHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


class Network:
    """The running outlets; :meth:`stop` shuts them all down."""

    def __init__(self, servers: dict[str, OutletServer]) -> None:
        self.servers = servers
        for server in servers.values():
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def urls(self) -> dict[str, str]:
        """Home page URL of each outlet, by short name."""
        return {name: server.url for name, server in self.servers.items()}

    @property
    def own_hosts(self) -> bool:
        """Whether each outlet has its own address (hence is its own site)."""
        return len({s.server_address[0] for s in self.servers.values()}) > 1

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()


def serve(port: int = 0) -> Network:
    """Start every outlet in background threads; return the running network."""
    outlets = load_outlets()
    for _ in range(5):  # the free port of the first host may be taken on another
        servers: dict[str, OutletServer] = {}
        try:
            for name, outlet in outlets.items():
                servers[name] = OutletServer((outlet["host"], port), outlet)
                port = port or servers[name].server_address[1]
            return Network(servers)
        except OSError:
            for server in servers.values():
                server.server_close()
            port = 0
    return Network(
        {name: OutletServer((FALLBACK_HOST, 0), o) for name, o in outlets.items()}
    )


if __name__ == "__main__":
    network = serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
    for name, url in network.urls.items():
        print(f"{name:16} {url}")
    threading.Event().wait()

"""Serve the example news site from ``site/`` on 127.0.0.1.

``site/routes.json`` maps each path to a file and an HTTP status, or to a
redirect, so that the site can serve what real news sites serve: articles,
403 pages with content, 404/410/503s, challenge pages and soft 404s with 200.

Run on its own with ``python siteserver.py [PORT]``; ``run.py`` starts it on a
free port for the example crawl.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE = Path(__file__).resolve().parent / "site"
ROUTES: dict[str, dict[str, object]] = json.loads(
    (SITE / "routes.json").read_text(encoding="utf-8")
)


class SiteHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        route = ROUTES.get(self.path.split("?", 1)[0])
        if route is None:
            self._send(404, (SITE / "404.html").read_bytes())
        elif "redirect" in route:
            self.send_response(int(route.get("status", 301)))  # type: ignore[call-overload]
            self.send_header("Location", str(route["redirect"]))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            body = (SITE / str(route["file"])).read_bytes()
            self._send(int(route.get("status", 200)), body)  # type: ignore[call-overload]

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(port: int = 0) -> ThreadingHTTPServer:
    """Start the site in a background thread; return the running server."""
    server = ThreadingHTTPServer(("127.0.0.1", port), SiteHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    server = serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
    print(f"Serving the example news site on http://127.0.0.1:{server.server_port}/")
    threading.Event().wait()

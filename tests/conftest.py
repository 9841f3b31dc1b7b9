"""Shared fixtures: a real HTTP server on 127.0.0.1 and a crawl helper.

Also loads the Hypothesis profile (``HYPOTHESIS_PROFILE``: ``ci`` or ``long``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests._fuzz import load_profile

if TYPE_CHECKING:
    from collections.abc import Iterator

load_profile()  # before the test modules build their @settings
# the shipped store contract's asserts report their values, as in test modules
pytest.register_assert_rewrite("scrapy_newsclean.testing")

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class MockServer:
    base: str

    def url(self, path: str) -> str:
        return self.base + path

    def other_host_url(self, path: str) -> str:
        """*path* under another host name for the same server (``localhost``):
        another site, as far as the crawl can tell (a syndicating outlet)."""
        return self.base.replace("//127.0.0.1:", "//localhost:") + path


@pytest.fixture(scope="session")
def mockserver() -> Iterator[MockServer]:
    """``tests/mockserver.py`` in its own process, on a free loopback port."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.mockserver"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdin is not None
    base = proc.stdout.readline().strip()
    assert base.startswith("http://127.0.0.1:"), base
    yield MockServer(base)
    proc.stdin.close()
    proc.stdout.close()
    proc.wait(timeout=10)


@dataclass(frozen=True)
class RedisServer:
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(tmp_dir: Path, port: int | None = None) -> RedisServer:
    """Start a real redis-server on 127.0.0.1 (no persistence) and wait for it."""
    port = port or free_port()
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _ping(port):
            return RedisServer(port, proc)
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"redis-server did not start on port {port}")


def require_redis_server() -> None:
    """Skip without redis-server locally; in CI (``CI=true``) fail instead."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("redis-server is not installed (CI must install it)")
        pytest.skip("redis-server is not installed")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server for the session; skipped locally when not installed.

    In CI (``CI=true``) a missing redis-server fails instead: the Redis store
    must be tested there.
    """
    require_redis_server()
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.proc.terminate()
    server.proc.wait(timeout=10)


@pytest.hookimpl(tryfirst=True)  # before -m selects on the marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every Hypothesis test ``fuzz``, if not already (``./dev.sh fuzz``)."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.fuzz)

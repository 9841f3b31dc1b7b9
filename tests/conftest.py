"""Shared fixtures: a real HTTP server on 127.0.0.1 and a crawl helper."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class MockServer:
    base: str

    def url(self, path: str) -> str:
        return self.base + path


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

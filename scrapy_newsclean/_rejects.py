"""The rejects file: one JSON Lines record per dropped page or item.

Each record is written with a single ``write(2)`` on a file opened with
``O_APPEND``, so a killed crawl keeps every record written so far and several
components (or processes) can share one file without interleaving lines.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class RejectRecord:
    """Why one page or item never reached storage."""

    url: str | None
    stage: str
    reason: str
    status: int | None = None
    detail: str = ""
    time: float = field(default_factory=time.time)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """One JSON line; ``extra`` keys are merged into the top level."""
        data = asdict(self)
        extra = data.pop("extra")
        data.update({k: v for k, v in extra.items() if k not in data})
        return json.dumps(data, ensure_ascii=False, default=str)


class RejectsFile:
    """Append-only JSON Lines file, created on the first write."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def write(self, record: RejectRecord) -> None:
        """Append *record* durably enough to survive a killed process."""
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(self._fd, (record.to_json() + "\n").encode("utf-8"))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

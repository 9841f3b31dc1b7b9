"""The rejects file (scrapy_newsclean._rejects)."""

from __future__ import annotations

import json
import multiprocessing
from typing import TYPE_CHECKING

from scrapy_newsclean._rejects import RejectRecord, RejectsFile

if TYPE_CHECKING:
    from pathlib import Path


def test_record_is_one_json_line_with_extra_merged() -> None:
    record = RejectRecord(
        url="https://example.com/b",
        stage="duplicate",
        reason="near_duplicate",
        detail="near-duplicate of https://example.com/a (distance 3)",
        time=1700000000.5,
        extra={"duplicate_of": "https://example.com/a", "distance": 3, "reason": "x"},
    )
    line = record.to_json()
    assert "\n" not in line
    assert json.loads(line) == {
        "url": "https://example.com/b",
        "stage": "duplicate",
        "reason": "near_duplicate",  # an extra key never overrides a field
        "status": None,
        "detail": "near-duplicate of https://example.com/a (distance 3)",
        "time": 1700000000.5,
        "duplicate_of": "https://example.com/a",
        "distance": 3,
    }


def test_record_keeps_unicode_and_stringifies_odd_values(tmp_path: Path) -> None:
    record = RejectRecord(
        url="https://例え.jp/記事",
        stage="clean",
        reason="empty_after_clean",
        extra={"path": tmp_path},
    )
    data = json.loads(record.to_json())
    assert "例え.jp" in record.to_json()
    assert data["path"] == str(tmp_path)
    assert isinstance(data["time"], float)


def test_file_is_created_on_first_write_and_appended(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "rejects.jsonl"
    rejects = RejectsFile(path)
    assert not path.exists()
    rejects.write(RejectRecord("https://a.example/1", "error_page", "soft_404", 200))
    rejects.write(RejectRecord(None, "clean", "empty_after_clean"))
    rejects.close()
    rejects.close()  # twice is harmless
    again = RejectsFile(path)
    again.write(RejectRecord("https://a.example/2", "error_page", "status_403", 403))
    again.close()
    lines = path.read_text("utf-8").splitlines()
    assert [json.loads(line)["reason"] for line in lines] == [
        "soft_404",
        "empty_after_clean",
        "status_403",
    ]
    assert json.loads(lines[0])["status"] == 200


def _write_many(path: str, worker: int) -> None:
    rejects = RejectsFile(path)
    for n in range(200):
        rejects.write(
            RejectRecord(f"https://w{worker}.example/{n}", "duplicate", "x" * 300)
        )
    rejects.close()


def test_processes_sharing_the_file_never_interleave_lines(tmp_path: Path) -> None:
    path = str(tmp_path / "rejects.jsonl")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(path, w)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    lines = (tmp_path / "rejects.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 600
    assert len({json.loads(line)["url"] for line in lines}) == 600

"""Clean and deduplicate JSON Lines items offline, as the pipelines do (pure: no Scrapy).

:class:`Backfill` streams an input line by line: each line is decoded and
parsed by itself (a bad line is a per-line problem, never the end of the run),
cleaned like :class:`~scrapy_newsclean.crawl._pipelines.CleanTextPipeline`, checked
like :class:`~scrapy_newsclean.crawl._pipelines.NearDuplicatePipeline`, and a kept
item is written at once, in one write, as one JSON line. Writing it is what
"reached storage" means here: its fingerprint is committed and its template
keys are counted right after the write, and released if the write fails.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from itemadapter import ItemAdapter

from scrapy_newsclean._item_fields import item_url
from scrapy_newsclean._rejects import RejectRecord
from scrapy_newsclean.itemflow import DirectStore, ItemProcessor, ProcessConfig

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import BinaryIO

    from scrapy_newsclean._rejects import RejectsFile
    from scrapy_newsclean.stores import FingerprintStore, Reservation

#: Longer input lines are rejected (``line_too_long``) without being held in memory.
MAX_LINE_BYTES = 4 * 1024 * 1024
_EXCERPT_CHARS = 60
_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number"}
_JSON_TYPES.update({bool: "boolean", type(None): "null"})
_PROCESS = ProcessConfig()


@dataclass(frozen=True, slots=True)
class BackfillConfig:
    """The pipelines' settings, resolved, plus the reader's line limit."""

    process: ProcessConfig = _PROCESS
    max_line_bytes: int = MAX_LINE_BYTES


@dataclass(slots=True)
class BackfillStats:
    """What a run did; ``events`` mirrors the pipelines' ``newsclean/`` stats."""

    lines: int = 0
    blank: int = 0
    written: int = 0
    dropped: Counter[str] = field(default_factory=Counter)  # "stage/reason"
    malformed: Counter[str] = field(default_factory=Counter)  # reason
    errors: int = 0  # items lost to an unexpected error
    events: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class RawLine:
    """One input line without its newline (only a prefix when ``oversize``)."""

    number: int
    data: bytes
    size: int
    complete: bool  # ended with a newline
    oversize: bool = False


class OutputError(Exception):
    """A kept item could not be written: the run cannot go on."""


class _Drop(Exception):
    """The item is dropped (already recorded)."""


def read_lines(stream: BinaryIO, max_bytes: int = MAX_LINE_BYTES) -> Iterator[RawLine]:
    """Split *stream* into lines, holding at most *max_bytes* + 1 of one line."""
    number = 0
    while chunk := stream.readline(max_bytes + 1):
        number += 1
        if chunk.endswith(b"\n"):
            yield RawLine(number, chunk[:-1], len(chunk) - 1, True)
        elif len(chunk) <= max_bytes:
            yield RawLine(number, chunk, len(chunk), False)
        else:
            size, complete = len(chunk), False
            while not complete and (rest := stream.readline(1 << 16)):
                complete = rest.endswith(b"\n")
                size += len(rest) - complete
            yield RawLine(number, chunk[:256], size, complete, oversize=True)


def excerpt(data: bytes) -> str:
    """A short printable excerpt of raw line bytes."""
    text = data[: _EXCERPT_CHARS * 4].decode("utf-8", "replace")
    if len(text) > _EXCERPT_CHARS:
        return repr(text[:_EXCERPT_CHARS]) + "..."
    return repr(text)


def parse_line(raw: RawLine, max_bytes: int) -> tuple[Any, str | None, str]:
    """``(item, None, "")``, ``(None, None, "")`` when blank, else ``(None, reason, why)``."""
    if raw.oversize:
        return None, "line_too_long", f"{raw.size} bytes (limit {max_bytes})"
    data = raw.data[3:] if raw.data.startswith(codecs.BOM_UTF8) else raw.data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        why = f"invalid UTF-8 at byte {exc.start}: {excerpt(data)}"
        return None, "invalid_utf8", why
    if not text.strip():
        return None, None, ""
    try:
        value = json.loads(
            text, parse_constant=_non_standard, parse_float=_finite_float
        )
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            why = f"{exc.msg} (column {exc.colno})"
        else:
            why = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        if not raw.complete:
            why += " (last line, no newline at the end: truncated?)"
        return None, "malformed_json", f"{why}: {excerpt(data)}"
    if not isinstance(value, dict):
        kind = _JSON_TYPES.get(type(value), type(value).__name__)
        return None, "not_an_object", f"a JSON {kind}: {excerpt(data)}"
    return value, None, ""


def _non_standard(name: str) -> float:
    """Refuse ``NaN``/``Infinity``: Python reads them, standard JSON has none."""
    raise ValueError(f"{name} is not standard JSON")


def _finite_float(literal: str) -> float:
    """A JSON number as a float; refused when too large for one (it would be
    written back as ``Infinity``, a line other JSON readers refuse)."""
    value = float(literal)
    if math.isinf(value):
        raise ValueError(f"number {literal[:40]} is too large for a float")
    return value


def encode(item: dict[str, Any]) -> bytes:
    """One JSON line (``ensure_ascii=False``; escaped when text has lone surrogates)."""
    try:
        return (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(item) + "\n").encode("ascii")


class _Effects:
    """A processor's effects in a run: counters, notes and rejects per line."""

    def __init__(self, backfill: Backfill) -> None:
        self.backfill = backfill
        self.line = 0

    def inc(self, event: str, count: int = 1, site: str | None = None) -> None:
        self.backfill.stats.events[event] += count

    def note(self, url: str | None, message: str) -> None:
        self.backfill.notify(self.line, message)

    def warn(self, url: str | None, message: str) -> None:
        self.backfill.notify(self.line, message)

    def drop(
        self, stage: str, reason: str, url: str | None, detail: str, **extra: Any
    ) -> NoReturn:
        self.backfill.stats.dropped[f"{stage}/{reason}"] += 1
        self.backfill.reject(self.line, url, stage, reason, detail, **extra)
        raise _Drop


class Backfill:
    """Clean, deduplicate and write the items of one input, line by line.

    *write* receives each kept item as one encoded JSON line and must write it
    whole or raise :exc:`OSError`; *notify* receives ``(line, message)`` for
    every malformed line and per-item problem; *tick* is called once per line.
    """

    def __init__(
        self,
        config: BackfillConfig,
        *,
        store: FingerprintStore | None,
        write: Callable[[bytes], object],
        rejects: RejectsFile | None = None,
        notify: Callable[[int | None, str], None] | None = None,
        tick: Callable[[BackfillStats], None] | None = None,
    ) -> None:
        if config.process.needs_store and store is None:
            raise ValueError("the cleaning templates or dedup stage need a store")
        self.config = config
        self.store = store
        self.write = write
        self.rejects = rejects
        self.notify = notify or (lambda line, message: None)
        self.tick = tick
        self.stats = BackfillStats()
        self.effects = _Effects(self)
        access = DirectStore(store) if store is not None else None
        self.processor = ItemProcessor(
            config.process, access, self.effects, asyncio.sleep
        )

    async def run(self, stream: BinaryIO) -> BackfillStats:
        """Process every line of *stream*; :exc:`OutputError` stops the run."""
        max_bytes = self.config.max_line_bytes
        for raw in read_lines(stream, max_bytes):
            self.stats.lines += 1
            item, reason, why = parse_line(raw, max_bytes)
            if reason is not None:
                self._malformed(raw.number, reason, why)
            elif item is None:
                self.stats.blank += 1
            else:
                await self._item(item, raw.number)
            if self.tick is not None:
                self.tick(self.stats)
        return self.stats

    async def _item(self, item: dict[str, Any], line: int) -> None:
        """Clean, check, write; a written item counts as stored."""
        self.effects.line = line
        adapter = ItemAdapter(item)
        config = self.config.process
        url = item_url(adapter, config.url_field)
        stage, entry, reservation = "clean", None, None
        try:
            if config.clean is not None:
                entry = await self.processor.clean(adapter, url)
            stage = "duplicate"
            if config.dedup:
                reservation = await self.processor.dedup(adapter, url)
            stage = "output"
            self._write(item)
        except _Drop:
            return
        except OutputError:
            await self._release(reservation)
            raise
        except Exception as exc:  # noqa: BLE001  # one bad item must not end the run
            await self._release(reservation)
            self.stats.errors += 1
            why = f"{type(exc).__name__}: {exc}"
            self.notify(line, f"error ({why}); the item is not written")
            self.reject(line, url, stage, "error", why)
            return
        if reservation is not None:
            await self.processor.commit(reservation)
        if entry is not None:
            await self.processor.learn(entry)

    def _write(self, item: dict[str, Any]) -> None:
        try:
            self.write(encode(item))
        except OSError as exc:
            raise OutputError(str(exc)) from exc
        self.stats.written += 1

    async def _release(self, reservation: Reservation | None) -> None:
        if reservation is not None:
            await self.processor.release(reservation)

    def _malformed(self, line: int, reason: str, why: str) -> None:
        self.stats.malformed[reason] += 1
        self.notify(line, f"{reason}: {why}")
        self.reject(line, None, "input", reason, f"line {line}: {why}")

    def reject(
        self,
        line: int,
        url: str | None,
        stage: str,
        reason: str,
        why: str,
        **extra: Any,
    ) -> None:
        """One rejects record, as the crawl writes them (plus the input line)."""
        if self.rejects is None:
            return
        extra["line"] = line
        try:
            self.rejects.write(RejectRecord(url, stage, reason, None, why, extra=extra))
        except OSError as exc:
            if not self.stats.events["rejects_write_error"]:
                self.notify(None, f"cannot write to {self.rejects.path}: {exc}")
            self.stats.events["rejects_write_error"] += 1

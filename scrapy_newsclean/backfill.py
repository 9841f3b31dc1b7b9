"""Clean and deduplicate JSON Lines items offline, as the pipelines do (pure: no Scrapy).

:class:`Backfill` streams an input line by line: each line is decoded and
parsed by itself (a bad line is a per-line problem, never the end of the run),
cleaned like :class:`~scrapy_newsclean.pipelines.CleanTextPipeline`, checked
like :class:`~scrapy_newsclean.pipelines.NearDuplicatePipeline`, and a kept
item is written at once, in one write, as one JSON line. Writing it is what
"reached storage" means here: its fingerprint is committed and its template
keys are counted right after the write, and released if the write fails.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from scrapy_newsclean.dedup import dedup_text
from scrapy_newsclean.fields import DEFAULT_TEXT_FIELDS, item_url
from scrapy_newsclean.itemclean import (
    CleanConfig,
    ItemCleanOutcome,
    clean_prepared,
    prepare_item,
)
from scrapy_newsclean.rejects import RejectRecord
from scrapy_newsclean.simhash import DEFAULT, SimhashConfig, fingerprint
from scrapy_newsclean.sites import site_of
from scrapy_newsclean.stores import Match, Reservation, StoreUnavailable
from scrapy_newsclean.templates import SiteTemplateView, template_keys

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import BinaryIO

    from scrapy_newsclean.rejects import RejectsFile
    from scrapy_newsclean.stores import FingerprintStore

#: Longer input lines are rejected (``line_too_long``) without being held in memory.
MAX_LINE_BYTES = 4 * 1024 * 1024
_EXCERPT_CHARS = 60
_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number"}
_JSON_TYPES.update({bool: "boolean", type(None): "null"})
_CLEAN = CleanConfig()


@dataclass(frozen=True, slots=True)
class BackfillConfig:
    """The pipelines' settings, resolved (see ``scrapy_newsclean._defaults``)."""

    clean: CleanConfig | None = _CLEAN  # None: no cleaning stage
    dedup: bool = True
    text_fields: tuple[str, ...] = DEFAULT_TEXT_FIELDS
    dedup_fields: tuple[str, ...] | None = None
    url_field: str = "url"
    keep_empty: bool = False
    report_field: str | None = None
    templates: bool = True
    template_min_pages: int = 3
    scope: str = "global"  # or "site"
    duplicate_action: str = "drop"  # or "tag"
    tag_field: str = "newsclean_duplicate"
    no_text_action: str = "pass"  # or "drop"
    store_failure: str = "pass"  # or "drop"
    simhash: SimhashConfig = DEFAULT
    pending_wait: float = 30.0
    max_line_bytes: int = MAX_LINE_BYTES

    @property
    def needs_store(self) -> bool:
        """Whether a stage reads the store (fingerprints, or site templates)."""
        return self.dedup or (self.clean is not None and self.templates)


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
        value = json.loads(text)
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


def encode(item: dict[str, Any]) -> bytes:
    """One JSON line (``ensure_ascii=False``; escaped when text has lone surrogates)."""
    try:
        return (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(item) + "\n").encode("ascii")


@dataclass(slots=True)
class _State:
    """One item on its way through the stages."""

    adapter: ItemAdapter
    url: str | None
    line: int
    stage: str = "clean"
    keys: tuple[str, set[int]] | None = None  # (site, template keys) to learn
    reservation: Reservation | None = None


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
        if config.needs_store and store is None:
            raise ValueError("the cleaning templates or dedup stage need a store")
        self.config = config
        self.store = store
        self.write = write
        self.rejects = rejects
        self.notify = notify or (lambda line, message: None)
        self.tick = tick
        self.stats = BackfillStats()

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
        adapter = ItemAdapter(item)
        state = _State(adapter, item_url(adapter, self.config.url_field), line)
        try:
            if self.config.clean is not None:
                await self._clean(state, self.config.clean)
            if self.config.dedup:
                state.stage = "duplicate"
                await self._dedup(state)
            await self._keep(item, state)
        except _Drop:
            return
        except OutputError:
            raise
        except Exception as exc:  # noqa: BLE001  # one bad item must not end the run
            await self._release(state)
            self.stats.errors += 1
            why = f"{type(exc).__name__}: {exc}"
            self.notify(line, f"error ({why}); the item is not written")
            self._reject(line, state.url, state.stage, "error", why)

    async def _clean(self, state: _State, config: CleanConfig) -> None:
        """Clean like CleanTextPipeline.process_item (an error passes uncleaned)."""
        self._event("clean/items")
        outcome = ItemCleanOutcome()
        try:
            fields = prepare_item(state.adapter, config, outcome)
            site = site_of(state.url)
            learn = bool(site) and self.config.templates
            keys = template_keys(outcome.blocks) if learn else set()
            template = await self._template(site, keys)
            clean_prepared(state.adapter, fields, config, outcome, template)
        except Exception as exc:  # noqa: BLE001  # as the pipeline: pass uncleaned
            self._event("clean/error")
            why = f"{type(exc).__name__}: {exc}"
            self.notify(state.line, f"could not clean ({why}); the item passes")
            return
        self._account(outcome)
        if outcome.emptied and not self.config.keep_empty:
            removed = outcome.report()["blocks_removed"]
            why = f"{len(outcome.removed)} blocks removed, no text left"
            self._drop(state, "empty_after_clean", why, removed=removed)
        if self.config.report_field:
            state.adapter[self.config.report_field] = outcome.report()
        if keys:
            state.keys = (site, keys)

    async def _template(self, site: str, keys: set[int]) -> SiteTemplateView | None:
        if not keys or self.store is None:
            return None
        try:
            counts = await self.store.template_counts(site, keys)
        except StoreUnavailable:
            self._event("clean/template_store_unavailable")
            return None
        least = self.config.template_min_pages
        return SiteTemplateView({k: c for k, c in counts.items() if c >= least})

    def _account(self, outcome: ItemCleanOutcome) -> None:
        if outcome.removed:
            self._event("clean/items_cleaned")
        for removal in outcome.removed:
            self._event(f"clean/blocks_removed/{removal.reason}")
            self._event(f"clean/chars_removed/{removal.reason}", len(removal.text))
        for problem in outcome.problems.values():
            self._event(f"clean/field_skipped/{problem}")

    async def _dedup(self, state: _State) -> None:
        """Check like NearDuplicatePipeline.process_item; keep the reservation."""
        config = self.config
        self._event("duplicate/items")
        text, problem = dedup_text(
            state.adapter, config.text_fields, config.dedup_fields
        )
        fp = fingerprint(text, config.simhash) if text is not None else None
        if fp is None or fp.empty:
            self._no_text(state, problem or "no_words")
            return
        scope = site_of(state.url) if config.scope == "site" else ""
        try:
            outcome = await self._check(scope, fp, state.url)
        except StoreUnavailable as exc:
            self._store_failed(state, exc)
            return
        if isinstance(outcome, Reservation):
            self._event("duplicate/kept")
            state.reservation = outcome
            return
        self._duplicate(state, outcome)

    async def _check(self, scope: str, fp: Any, url: str | None) -> Match | Reservation:
        """Check-and-reserve; while the match is in flight elsewhere, wait for it."""
        assert self.store is not None
        deadline = time.monotonic() + self.config.pending_wait
        delay = 0.01
        while True:
            outcome = await self.store.check_and_reserve(scope, fp, url, time.time())
            if not (isinstance(outcome, Match) and outcome.pending):
                return outcome
            if time.monotonic() >= deadline:
                return outcome
            self._event("duplicate/pending_waits")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _duplicate(self, state: _State, match: Match) -> None:
        detail = f"near-duplicate of {match.url} (distance {match.distance})"
        if match.pending:
            detail += ", which was still in flight"
        if self.config.duplicate_action == "tag":
            self._event("duplicate/tagged")
            tag = {"of": match.url, "distance": match.distance}
            state.adapter[self.config.tag_field] = tag
            return
        self._drop(
            state,
            "near_duplicate",
            detail,
            duplicate_of=match.url,
            distance=match.distance,
        )

    def _no_text(self, state: _State, problem: str) -> None:
        self._event("duplicate/no_text")
        self._event(f"duplicate/no_text/{problem}")
        if self.config.no_text_action == "drop":
            self._drop(state, "no_text", problem)

    def _store_failed(self, state: _State, exc: Exception) -> None:
        self._event("store/unavailable")
        if self.config.store_failure == "drop":
            self._drop(state, "store_unavailable", str(exc))
        self._event("duplicate/store_unavailable_passed")
        self.notify(state.line, f"store unavailable ({exc}); the item passes unchecked")

    async def _keep(self, item: dict[str, Any], state: _State) -> None:
        """Write the item; then it counts as stored (commit, learn templates)."""
        try:
            self.write(encode(item))
        except OSError as exc:
            await self._release(state)
            raise OutputError(str(exc)) from exc
        self.stats.written += 1
        if state.reservation is not None:
            await self._commit(state, state.reservation)
        if state.keys is not None and self.store is not None:
            try:
                await self.store.add_template_keys(*state.keys)
            except StoreUnavailable:
                self._event("clean/template_store_unavailable")

    async def _commit(self, state: _State, reservation: Reservation) -> None:
        assert self.store is not None
        try:
            await self.store.commit(reservation, time.time())
        except StoreUnavailable as exc:
            self._event("duplicate/commit_failed")
            self.notify(state.line, f"could not commit the fingerprint: {exc}")
        else:
            self._event("duplicate/committed")

    async def _release(self, state: _State) -> None:
        reservation, state.reservation = state.reservation, None
        if reservation is None or self.store is None:
            return
        try:
            await self.store.release(reservation)
        except StoreUnavailable:
            self._event("duplicate/release_failed")
        else:
            self._event("duplicate/released")

    def _drop(self, state: _State, reason: str, why: str, **extra: Any) -> None:
        self.stats.dropped[f"{state.stage}/{reason}"] += 1
        self._reject(state.line, state.url, state.stage, reason, why, **extra)
        raise _Drop

    def _malformed(self, line: int, reason: str, why: str) -> None:
        self.stats.malformed[reason] += 1
        self.notify(line, f"{reason}: {why}")
        self._reject(line, None, "input", reason, f"line {line}: {why}")

    def _reject(
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
            self._event("rejects_write_error")

    def _event(self, name: str, count: int = 1) -> None:
        self.stats.events[name] += count

"""``scrapy-newsclean clean``: the pipelines' cleaning and dedup, offline.

Streams JSON Lines through :class:`~scrapy_newsclean.cli._backfill.Backfill`
with the settings the pipelines would use; opens the input, the output, the
rejects file and the store, and reports through
:class:`~scrapy_newsclean.cli._progress.Reporter`.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from scrapy_newsclean._rejects import RejectsFile
from scrapy_newsclean.cli._backfill import MAX_LINE_BYTES, Backfill, OutputError
from scrapy_newsclean.cli._progress import Reporter
from scrapy_newsclean.cli._settings import (
    CliError,
    backfill_config,
    build_cli_store,
)
from scrapy_newsclean.stores import StoreLocked, StoreUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.settings import BaseSettings

    from scrapy_newsclean.stores import FingerprintStore

CLEAN_EPILOG = """\
Settings: the defaults (scrapy_newsclean/_defaults.py), then the NEWSCLEAN_* settings
of the Scrapy project around the current directory (found through scrapy.cfg;
--no-project ignores it), then -s NAME=VALUE, then the options above.

Store: memory:// (nothing is remembered after the run) unless --store or the
project's NEWSCLEAN_STORE names one. With sqlite:///path.db or redis://, kept
articles are remembered across runs and shared with crawls: a later run drops
copies of what an earlier run or crawl kept (an SQLite file admits one process).

Each kept item is written as soon as it is processed, as one JSON line; its
fingerprint and template blocks count as stored only once it is written. Every
drop and every malformed line is one record appended to --rejects (the crawl's
format: url, stage, reason, status, detail, time, plus duplicate_of/distance and
the input line number); the project's NEWSCLEAN_REJECTS is not used.

Exit status: 0 when every line held an item, 1 when a line was malformed (not
UTF-8, not JSON, not an object, longer than --max-line-bytes), an item failed
or the output could not be written, 2 for usage errors, unreadable input, bad
settings or a store that cannot be opened.

examples:
  scrapy-newsclean clean items.jsonl -o clean.jsonl --rejects rejects.jsonl
  zcat items.jsonl.gz | scrapy-newsclean clean - --store sqlite:///seen.db > new.jsonl
  scrapy-newsclean clean items.jsonl --no-dedup -s NEWSCLEAN_REPORT_FIELD=report
"""


def add_clean_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    clean = commands.add_parser(
        "clean",
        parents=[common],
        help="clean and deduplicate a JSON Lines file of items",
        description="Apply the text cleaning and near-duplicate pipelines to the\n"
        "items of a JSON Lines file (one JSON object per line), streaming.",
        epilog=CLEAN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = clean.add_argument
    add("input", metavar="IN.jsonl", help="the items; - reads standard input")
    add("-o", "--output", default="-", metavar="OUT.jsonl", help="default: stdout")
    add("--append", action="store_true", help="append to OUT instead of replacing it")
    add("--rejects", metavar="R.jsonl", help="append a record per drop to this file")
    add("--store", metavar="URI", help="memory://, sqlite:///path.db or redis://...")
    add("--fields", type=_fields, metavar="F1,F2", help="the text fields to clean")
    add("--no-clean", action="store_true", help="skip the text cleaning stage")
    add("--no-dedup", action="store_true", help="skip the near-duplicate stage")
    add("--tag-duplicates", action="store_true", help="tag near-duplicates, keep them")
    add("--keep-empty", action="store_true", help="keep items emptied by cleaning")
    add(
        "--max-line-bytes",
        type=_positive,
        default=MAX_LINE_BYTES,
        metavar="N",
        help=f"longer lines are malformed (line_too_long; default {MAX_LINE_BYTES})",
    )
    add("-q", "--quiet", action="store_true", help="no progress, no summary")


def _fields(text: str) -> list[str]:
    fields = [f.strip() for f in text.split(",")]
    if not all(fields):
        raise argparse.ArgumentTypeError(f"expected field names, got {text!r}")
    return fields


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


async def clean_command(args: argparse.Namespace, settings: BaseSettings) -> int:
    """``clean``: stream IN through the stages into OUT; return the exit status."""
    config = backfill_config(settings, args)
    store, display = build_cli_store(settings, config)
    reporter = Reporter(sys.stderr, args.input, quiet=args.quiet)
    with ExitStack() as stack:
        source = open_input(stack, args.input)
        _check_distinct(args.input, args.output, args.rejects)
        if store is not None:
            await open_store(store, display)
        try:
            backfill = Backfill(
                config,
                store=store,
                write=open_output(stack, args.output, append=args.append),
                rejects=open_rejects(stack, args.rejects),
                notify=reporter.notify,
                tick=reporter.tick,
            )
            failure, status = await _run(backfill, source)
        finally:
            if store is not None:
                await store.close()
    stages = [
        n
        for n, on in (("clean", config.process.clean), ("dedup", config.process.dedup))
        if on
    ]
    reporter.summary(
        backfill.stats, args, f"{'+'.join(stages) or 'no stage'}, {display}"
    )
    if failure is not None:
        reporter.error(failure)
        _silence_stdout(args.output)
    return status


async def _run(backfill: Backfill, source: BinaryIO) -> tuple[str | None, int]:
    """``(failure, exit status)`` of the run."""
    try:
        stats = await backfill.run(source)
    except OutputError as exc:
        return f"cannot write the output: {exc}", 1
    except KeyboardInterrupt:
        return "interrupted", 130
    return None, 1 if stats.malformed or stats.errors else 0


async def open_store(store: FingerprintStore, display: str) -> None:
    try:
        await store.open()
    except (StoreLocked, StoreUnavailable, ValueError, OSError, sqlite3.Error) as exc:
        raise CliError(f"cannot open the store {display}: {exc}") from exc


def open_input(stack: ExitStack, path: str) -> BinaryIO:
    return sys.stdin.buffer if path == "-" else _open(stack, path, "rb")


def open_output(
    stack: ExitStack, path: str, *, append: bool
) -> Callable[[bytes], None]:
    """A function writing one line in one call, flushed before it returns."""
    if path == "-":
        stream = sys.stdout.buffer
    else:
        stream = _open(stack, path, "ab" if append else "wb")

    def write(data: bytes) -> None:
        stream.write(data)
        stream.flush()

    return write


def _open(stack: ExitStack, path: str, mode: str) -> BinaryIO:
    verb = "read" if "r" in mode else "write"
    try:
        return stack.enter_context(Path(path).open(mode))  # type: ignore[return-value]
    except OSError as exc:
        raise CliError(f"cannot {verb} {path}: {exc.strerror or exc}") from exc


def open_rejects(stack: ExitStack, path: str | None) -> RejectsFile | None:
    """The rejects file, checked writable now (it is appended to, as in a crawl)."""
    if path is None:
        return None
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from exc
    rejects = RejectsFile(path)
    stack.callback(rejects.close)
    return rejects


def _check_distinct(*paths: str | None) -> None:
    files = [Path(p) for p in paths if p and p != "-" and Path(p).exists()]
    for i, first in enumerate(files):
        for second in files[i + 1 :]:
            if first.samefile(second):
                raise CliError(f"{first} and {second} are the same file")


def _silence_stdout(output: str) -> None:
    """After a broken pipe, keep Python's exit-time flush of stdout quiet."""
    if output != "-":
        return
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        return

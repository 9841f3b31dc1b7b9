"""The ``clean`` command's stderr: progress line, problems and summary."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import argparse
    from collections import Counter
    from collections.abc import Callable

    from scrapy_newsclean.cli._backfill import BackfillStats

#: The command's name, at the start of every message it prints.
PROG = "scrapy-newsclean"
_MAX_MESSAGES = 50


class Reporter:
    """stderr: a progress line (terminals only), problems and the summary."""

    def __init__(
        self,
        stream: TextIO,
        source: str,
        *,
        quiet: bool = False,
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.source = "<stdin>" if source == "-" else source
        self.quiet = quiet
        self.live = not quiet and stream.isatty()
        self.interval = interval
        self.clock = clock
        self.messages = 0
        self._due = 0.0
        self._shown = False

    def notify(self, line: int | None, message: str) -> None:
        """Print one problem (at most ``_MAX_MESSAGES``; the rejects file has all)."""
        self.messages += 1
        if self.messages > _MAX_MESSAGES:
            if self.messages == _MAX_MESSAGES + 1:
                self._print(f"{PROG}: further problems are not shown (see --rejects)")
            return
        where = f"{self.source}:{line}: " if line else ""
        self._print(f"{PROG}: {where}{message}")

    def error(self, message: str) -> None:
        self._print(f"{PROG}: error: {message}")

    def tick(self, stats: BackfillStats) -> None:
        """Redraw the progress line every *interval* seconds (terminals only)."""
        if not self.live or self.clock() < self._due:
            return
        self._due = self.clock() + self.interval
        dropped, malformed = stats.dropped.total(), stats.malformed.total()
        self.stream.write(
            f"\r\x1b[K{stats.lines:,} lines read, {stats.written:,} kept, "
            f"{dropped:,} dropped, {malformed:,} malformed"
        )
        self.stream.flush()
        self._shown = True

    def summary(self, stats: BackfillStats, args: argparse.Namespace, how: str) -> None:
        if self.quiet:
            self._clear()
            return
        output = "stdout" if args.output == "-" else args.output
        tagged = stats.events["duplicate/tagged"]
        lines = [
            f"{PROG}: {_many(stats.lines, 'line')} read from {self.source} ({how})",
            f"  written:   {_items(stats.written)} to {output}"
            + (f" ({tagged:,} tagged as near-duplicates)" if tagged else ""),
            (
                f"  cleaned:   {_items(stats.events['clean/items_cleaned'])}, "
                f"{_sum(stats.events, 'clean/blocks_removed/reason_count/'):,} blocks removed"
            ),
            f"  dropped:   {_counts(stats.dropped)}",
            f"  malformed: {_counts(stats.malformed)}",
        ]
        if stats.errors:
            lines.append(f"  errors:    {_items(stats.errors)} not written")
        if args.rejects:
            lines.append(f"  rejects:   appended to {args.rejects}")
        self._print("\n".join(lines))

    def _print(self, text: str) -> None:
        self._clear()
        self.stream.write(text + "\n")
        self.stream.flush()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self._shown = False


def _counts(counter: Counter[str]) -> str:
    if not counter:
        return "0"
    parts = ", ".join(f"{key} {n:,}" for key, n in counter.most_common())
    return f"{counter.total():,} ({parts})"


def _many(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _items(count: int) -> str:
    return _many(count, "item")


def _sum(counter: Counter[str], prefix: str) -> int:
    return sum(n for key, n in counter.items() if key.startswith(prefix))

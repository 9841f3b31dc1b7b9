"""Run every benchmark and print one table: ``python -m benchmarks [--quick]``.

Each benchmark runs in its own process, one after the other (this is a 2-core
machine: running them side by side would skew every timing). Its full output
goes to ``benchmarks/results/<name>.txt``; the headline figures are picked out
of it by the patterns below and printed as one table. Comparisons are ratios
measured within one benchmark run; timings are medians. ``--quick`` skips the
10M-fingerprint index, the 1M Redis runs and the crawl overhead's breakdown
by part, and passes small sizes where a
benchmark offers them; ``--only a,b`` runs only those benchmarks (the others'
saved outputs still fill the table); ``--table`` prints the table from the
saved outputs, without running anything.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


@dataclass(frozen=True)
class Figure:
    """One headline figure: a label, a pattern whose groups form the value, a target."""

    label: str
    pattern: str
    target: str = ""
    last: bool = False  # take the last match (tables printed twice)


@dataclass(frozen=True)
class Benchmark:
    module: str
    figures: tuple[Figure, ...]
    args: tuple[str, ...] = ()
    quick_args: tuple[str, ...] | None = None


BENCHMARKS = (
    Benchmark(
        "errorpages",
        (
            Figure(
                "error/block pages dropped at 200",
                r"status 200: recall (\S+ = \S+)",
                ">= 95%",
            ),
            Figure(
                "false positives on real articles",
                r"(\d+) false positives among (\d+) articles",
                "0",
            ),
            Figure(
                "classify, median per page (tree parsed)",
                r"median classify per article page: (\S+ ms)",
            ),
        ),
    ),
    Benchmark(
        "cleaning",
        (
            Figure(
                "aeb: change in points",
                r"aeb: .*?change \(points\)\s+([^\n]+)",
                "R >= -0.5, P up",
            ),
            Figure(
                "newspaper: change in points",
                r"newspaper: .*?change \(points\)\s+([^\n]+)",
                "R >= -0.5, P up",
            ),
            Figure("trafilatura-eval snippets", r"signatures\+repeats\s+([^\n]+)"),
            Figure("time per 5 KB article", r"speed: median (\S+ ms)"),
            Figure(
                "time per MB (1, 2, 4, 8 MB)",
                r"8 MB of concatenated lazy page text: \S+ ms \((\S+ ms/MB)\)",
                "linear",
            ),
        ),
    ),
    Benchmark(
        "cleaning_crawl",
        (
            Figure(
                "crawl, tuning half: kept; removed; with; without",
                r"summary crawl tuning: ([^(]+) \(",
                ">= 99.5%; >= 70%; >= 99.5%; >= 70%",
            ),
            Figure(
                "crawl, held-out half: same figures",
                r"summary crawl held-out: ([^(]+) \(",
                ">= 99.5%; >= 70%; >= 99.5%; >= 70%",
            ),
            Figure(
                "text only (CLI), tuning: kept; removed; with; without",
                r"summary text only tuning: ([^(]+) \(",
                ">= 99.5%; -; >= 99.5%; >= 40%",
            ),
            Figure(
                "text only (CLI), held-out: same figures",
                r"summary text only held-out: ([^(]+) \(",
                ">= 99.5%; -; >= 99.5%; >= 40%",
            ),
            Figure(
                "distinct pages dropped as near-duplicates",
                r"'duplicate/dropped/reason_count/near_duplicate': (\d+)",
                "0",
            ),
        ),
    ),
    Benchmark(
        "page_evidence",
        (
            Figure(
                "offline, held-out, both: kept; removed; with; without",
                r"held-out half:\n(?:.*\n)*?  both\s+article chars kept (\S+) \| "
                r"boilerplate lines removed (\S+) .*?'with' kept (\S+) .*?"
                r"'without' removed (\S+)",
            ),
            Figure(
                "model per page, built for the lazy lines",
                r"built for the lazy lines only, .*?: median (\S+ ms)",
            ),
        ),
    ),
    Benchmark(
        "neardup_quality",
        (
            Figure(
                "default k; recall; false pos.; precision",
                r"\n(\d+)\s[^\n]*?(\d\.\d{3})\s+(\d+)\s+(\d\.\d{4}) <- default",
                "P >= 0.99, R >= 0.95",
                last=True,
            ),
            Figure(
                "the two seeds", r"seeds .*?: (simhash \d+, shared bin \w+)", "distinct"
            ),
        ),
    ),
    Benchmark(
        "fingerprint_speed",
        (
            Figure(
                "vs simhash.Simhash(text)",
                r"simhash\.Simhash\(text\) / newsclean:\s+([^\n]+)",
                ">= 20x",
            ),
            Figure(
                "vs trafilatura Simhash",
                r"trafilatura Simhash\(text\) / newsclean:\s+([^\n]+)",
                "> 1x",
            ),
        ),
    ),
    Benchmark(
        "index_scale",
        (
            Figure(
                "in memory, 1M random: B/fp, hit median",
                r"random\s+n=\s*1,000,000\s+(\S+ B/fp).*?hit\s+(\S+ \(p99\s*\S+\) us)",
                "<= 64 B, < 50 us",
            ),
            Figure(
                "in memory, 10M random: B/fp, hit median",
                r"random\s+n=\s*10,000,000\s+(\S+ B/fp).*?hit\s+(\S+ \(p99\s*\S+\) us)",
            ),
            Figure(
                "real-like texts: n, B/fp, hit median",
                r"real-like\s+n=\s*(\S+)\s+(\S+ B/fp).*?hit\s+(\S+ \(p99\s*\S+\) us)",
            ),
        ),
        args=("--real", "250000"),
        quick_args=("--quick", "--real", "20000"),
    ),
    Benchmark(
        "redis_store",
        (
            Figure(
                "fill, batched: n; check_and_reserve+commit/s",
                r"fill\s*: (\S+) fingerprints[^:\n]*: (\S+) check_and_reserve",
                ">= 10,000/s",
                last=True,
            ),
            Figure(
                "memory (INFO used_memory)",
                r"memory\s*: \S+ fingerprints, global scope, 85-char URLs: (\S+ B/fp)",
                last=True,
            ),
            Figure(
                "near-duplicate lookup after fill: median; p99",
                r"lookup\s*: near duplicate [^:\n]*: median (\S+ ms)\s+p99 (\S+ ms)",
                last=True,
            ),
            Figure(
                "single calls after fill: check+commit/s",
                r"single\s*: at [^:\n]*: (\S+) check\+commit/s",
                last=True,
            ),
        ),
        args=("--million",),
        quick_args=(),
    ),
    Benchmark(
        "stages",
        (
            Figure(
                "whole chain, fresh memos",
                r"chain \(fresh\): (\S+ items/s), (\S+ MB/s)",
            ),
            Figure(
                "whole chain, warm memos",
                r"items kept\); warm: (\S+ items/s), (\S+ MB/s)",
            ),
            Figure(
                "us/item fresh: check; clean; fingerprint; store",
                r"error-page check\s+\S+ items/s\s+\S+ MB/s\s+(\S+) us/item.*?"
                r"\n\s+cleaning\s+\S+ items/s\s+\S+ MB/s\s+(\S+) us/item.*?"
                r"\n\s+fingerprint\s+\S+ items/s\s+\S+ MB/s\s+(\S+) us/item.*?"
                r"\n\s+store lookup\+add\s+\S+ items/s\s+\S+ MB/s\s+(\S+) us/item",
            ),
            Figure(
                "simhash Simhash+SimhashIndex / fingerprint+store",
                r"SimhashIndex / newsclean fingerprint\+store: ([^\n]+)",
            ),
        ),
    ),
    Benchmark(
        "sqlite_store",
        (
            Figure(
                "fill: n; check_and_reserve+commit/s",
                r"fill: (\S+) fingerprints in \S+ s: (\S+) check_and_reserve",
            ),
            Figure("disk (db+wal, checkpointed)", r"disk: .*?, (\S+ B/fp)"),
            Figure("open (reload index)", r"open: (\S+ s) to reload (\S+) fing"),
            Figure(
                "lookup+add after fill: median; p99",
                r"lookup\+add after the fill [^:]*: median (\S+ us), p99 (\S+ us)",
            ),
            Figure(
                "index RSS after open", r"memory: RSS \+(\S+ MB) after open, (\S+ B/fp)"
            ),
        ),
        quick_args=("--quick",),
    ),
    Benchmark(
        "crawl_overhead",
        (
            Figure(
                "CPU ms per page without / with",
                r"without newsclean: \S+ s \((\S+ ms/page)\)"
                r".*?add-on:\s+\S+ s \((\S+ ms/page)\)",
            ),
            Figure(
                "CPU ratio with / without the add-on",
                r"overhead ratio: (\S+)",
                "<= 1.10",
            ),
            Figure(
                "page evidence's own cost",
                r"page evidence: (\+\S+ ms/page)",
                "<= 0.5 ms",
            ),
            Figure(
                "add-on without page evidence: CPU per page; ratio",
                r"with, no page evidence: (\S+ ms/page) \(ratio (\S+)\)",
            ),
            *(
                Figure(
                    f"{part}: CPU per page; ratio",
                    rf"{part}: (\S+ ms/page) \(ratio (\S+)\)",
                )
                for part in (
                    "error-page check only",
                    "cleaning only",
                    "near-duplicates only",
                )
            ),
        ),
        args=("--breakdown",),
        quick_args=(),
    ),
)


def run(bench: Benchmark, quick: bool) -> tuple[str, float]:
    args = bench.quick_args if quick and bench.quick_args is not None else bench.args
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{bench.module}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = proc.stdout + proc.stderr
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{bench.module}.txt").write_text(output)
    if proc.returncode:
        output += f"\n(exit status {proc.returncode})"
    return output, time.perf_counter() - start


def value(figure: Figure, output: str) -> str:
    matches = list(re.finditer(figure.pattern, output, re.DOTALL))
    if not matches:
        return "(not measured)"
    match = matches[-1] if figure.last else matches[0]
    text = "; ".join(" ".join(group.split()) for group in match.groups())
    return text.replace("|", "/")  # the table is Markdown


def saved(bench: Benchmark) -> str:
    path = RESULTS / f"{bench.module}.txt"
    return path.read_text() if path.exists() else ""


def main(argv: list[str]) -> None:
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return
    quick, table_only = "--quick" in argv, "--table" in argv
    only = set(argv[argv.index("--only") + 1].split(",")) if "--only" in argv else None
    rows: list[tuple[str, str, str, str]] = []
    for bench in BENCHMARKS:
        if table_only or (only is not None and bench.module not in only):
            output = saved(bench)
        else:
            print(f"running benchmarks.{bench.module} ...", file=sys.stderr, flush=True)
            output, seconds = run(bench, quick)
            print(f"  {seconds:.0f} s", file=sys.stderr, flush=True)
        rows.extend(
            (bench.module, f.label, value(f, output), f.target) for f in bench.figures
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("benchmark", "figure", "value", "target")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print(
            "| "
            + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            + " |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])

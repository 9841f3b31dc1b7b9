"""Fingerprint speed on real ~5 KB news texts (aeb ``articleBody``), one run.

Prints the median time per text of each method and the ratios against this
package's :func:`~scrapy_newsclean.neardup.fingerprint` (both simhashes, the
content hash). ``cold`` clears the feature-digest memo before every text (a
crawl's first pages); ``warm`` keeps it (the same texts again: every token
hits); ``crawl-like`` gives each text a memo holding the tokens of all the
other texts only (a running crawl: news vocabulary is Zipfian, so most tokens
hit, but names and numbers of the article itself miss). With the C extension
active, the same three figures follow for each path in this process: pure,
compiled with the Python token loop (before issue #13), compiled.

Run: ``.venv/bin/python -m benchmarks.fingerprint_speed``
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from benchmarks._shared import shared_dir
from scrapy_newsclean import _accel
from scrapy_newsclean import neardup as simhash
from scrapy_newsclean.neardup import _features as features
from scrapy_newsclean.neardup import _fingerprint as fingerprint

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROUNDS = 5


def load_texts() -> list[str]:
    truth = json.loads(
        (shared_dir() / "benchmarks/aeb/ground-truth.json").read_text("utf-8")
    )
    bodies = [entry["articleBody"] for entry in truth.values()]
    return [b for b in bodies if 4000 <= len(b) <= 7000]


def median_us(func: Callable[[str], object], texts: list[str], rounds: int) -> float:
    times = []
    clock = time.perf_counter
    for _ in range(rounds):
        for text in texts:
            start = clock()
            func(text)
            times.append(clock() - start)
    return statistics.median(times) * 1e6


def cold(text: str) -> simhash.Fingerprint:
    features.clear_memo()
    return simhash.fingerprint(text)


def crawl_like_us(texts: list[str], rounds: int) -> float:
    """Median time per text with a memo of the other texts' tokens only."""
    times = []
    clock = time.perf_counter
    for _ in range(rounds):
        for i, text in enumerate(texts):
            features.clear_memo()
            for other in texts[:i] + texts[i + 1 :]:
                simhash.fingerprint(other)
            start = clock()
            simhash.fingerprint(text)
            times.append(clock() - start)
    return statistics.median(times) * 1e6


@contextmanager
def path(name: str) -> Iterator[None]:
    """Run the fingerprint on one path in this process (``PATHS``)."""
    kept = (features._FEATURE_BLOB, features._DIGESTS_OF, fingerprint._SIMHASH_SKETCH)
    compiled = _accel.speedups
    if name == "pure":
        chosen = (None, features._digests_of, fingerprint.simhash_sketch)
    elif compiled is None:
        raise RuntimeError("the C extension is not active")
    elif name == "compiled, Python token loop":  # before issue #13
        chosen = (None, compiled.digests, compiled.simhash_sketch)
    else:
        chosen = (compiled.feature_blob, compiled.digests, compiled.simhash_sketch)
    features._FEATURE_BLOB, features._DIGESTS_OF, fingerprint._SIMHASH_SKETCH = chosen
    try:
        yield
    finally:
        features.clear_memo()
        features._FEATURE_BLOB, features._DIGESTS_OF = kept[:2]
        fingerprint._SIMHASH_SKETCH = kept[2]


PATHS = ("pure", "compiled, Python token loop", "compiled")


def compare_paths(texts: list[str]) -> None:
    """Each path, same process: cold, crawl-like and warm medians."""
    if _accel.speedups is None:
        return
    print("paths, same process (cold | crawl-like | warm):")
    for name in PATHS:
        with path(name):
            figures = (
                median_us(cold, texts, ROUNDS),
                crawl_like_us(texts, ROUNDS),
                median_us(simhash.fingerprint, texts, ROUNDS),
            )
        cells = " | ".join(f"{value:7.1f} us" for value in figures)
        print(f"  {name:<41} {cells}")


def main(argv: list[str]) -> None:
    import simhash as simhash_package
    from trafilatura.deduplication import Simhash as TrafilaturaSimhash

    texts = load_texts()
    size = statistics.median(len(t.encode()) for t in texts)
    print(f"{len(texts)} aeb texts of 4-7 KB (median {size / 1000:.1f} KB), medians:")
    results = {
        "str.split() (reference cost)": median_us(str.split, texts, ROUNDS),
        "newsclean fingerprint, cold memo": median_us(cold, texts, ROUNDS),
        "newsclean fingerprint, crawl-like memo": crawl_like_us(texts, ROUNDS),
        "newsclean fingerprint, warm memo": median_us(
            simhash.fingerprint, texts, ROUNDS
        ),
        "trafilatura Simhash(text)": median_us(TrafilaturaSimhash, texts, ROUNDS),
        "simhash.Simhash(text)": median_us(simhash_package.Simhash, texts, ROUNDS),
    }
    warm = results["newsclean fingerprint, warm memo"]
    coldest = results["newsclean fingerprint, cold memo"]
    crawl = results["newsclean fingerprint, crawl-like memo"]
    for name, value in results.items():
        print(f"  {name:<41} {value:8.1f} us")
    for name in ("simhash.Simhash(text)", "trafilatura Simhash(text)"):
        print(
            f"  {name} / newsclean: {results[name] / warm:5.1f}x warm, "
            f"{results[name] / crawl:5.1f}x crawl-like, "
            f"{results[name] / coldest:5.1f}x cold"
        )
    compare_paths(texts)


if __name__ == "__main__":
    main(sys.argv[1:])

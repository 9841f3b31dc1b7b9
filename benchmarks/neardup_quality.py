"""Near-duplicate quality: precision/recall per variant type and per threshold k.

Positives: syndicated variants built from real article texts (aeb
``articleBody`` and newspaper ``text/*.txt``, at least 400 characters).
Negatives: all pairs of distinct real articles. A pair is predicted a near
duplicate when the shingle-simhash distance is <= k and the two min-hash
sketches share a bin (what ``NearIndex`` finds; ``simhash only`` rows drop the
bin condition, i.e. a brute-force scan). The default ``distance`` is marked.

Run: ``.venv/bin/python -m benchmarks.neardup_quality``
"""

from __future__ import annotations

import json
import random
import re
import sys
from itertools import combinations
from typing import TYPE_CHECKING

from benchmarks._shared import shared_dir
from scrapy_newsclean.neardup import (
    DEFAULT,
    Fingerprint,
    fingerprint,
    hamming,
    shares_bin,
)
from scrapy_newsclean.neardup._index import NearIndex

if TYPE_CHECKING:
    from collections.abc import Callable

MIN_CHARS = 400
KS = range(11, 27, 2)
DATELINES = ("WASHINGTON (Reuters) - ", "LONDON, May 4 (AP) — ", "(AFP) -- ", "AP — ")
BOILERPLATE = (
    (
        "Copyright 2025 The Associated Press. All rights reserved. This material "
        "may not be published, broadcast, rewritten or redistributed."
    ),
    "Read more: {headline}",
    "Sign up for our newsletter to get the latest news delivered to your inbox.",
)
CORRECTION = (
    "Correction: An earlier version of this story misstated the date of the "
    "announcement. It was on Tuesday, not Monday."
)
TYPOGRAPHY = {"'": "\u2019", '"': "\u201c", " - ": " \u2014 ", "\u2014": "--"}


def load_articles() -> list[str]:
    """Real article texts, deduplicated, at least MIN_CHARS long."""
    bench = shared_dir() / "benchmarks"
    truth = json.loads((bench / "aeb" / "ground-truth.json").read_text("utf-8"))
    texts = [entry["articleBody"] for entry in truth.values()]
    texts += [
        p.read_text("utf-8") for p in sorted((bench / "newspaper/text").glob("*.txt"))
    ]
    return list(dict.fromkeys(t.strip() for t in texts if len(t.strip()) >= MIN_CHARS))


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def headline_of(text: str) -> str:
    return " ".join(text.split()[:12])


def trim_end(text: str) -> str:
    """Drop the last paragraph, or the last ~15% when there is only one."""
    paras = paragraphs(text)
    if len(paras) >= 3:
        return "\n\n".join(paras[:-1])
    return text[: int(len(text) * 0.85)]


def edit_words(text: str, rng: random.Random, count: int = 4) -> str:
    words = text.split(" ")
    for _ in range(count):
        i = rng.randrange(len(words))
        words[i] = rng.choice(("officials", "reported", "new", "said", "company"))
    return " ".join(words)


def typography(text: str) -> str:
    for old, new in TYPOGRAPHY.items():
        text = text.replace(old, new)
    return text


def variants(text: str, other: str, rng: random.Random) -> dict[str, str]:
    """Syndicated copies of ``text``; ``other`` supplies foreign headlines."""
    head = headline_of(other)
    boiler = "\n\n".join(b.format(headline=head) for b in BOILERPLATE)
    return {
        "headline": f"{head}\n\n{text}",
        "dateline": rng.choice(DATELINES) + text,
        "trim_paragraph": trim_end(text),
        "correction": f"{text}\n\n{CORRECTION}",
        "word_edits": edit_words(text, rng),
        "typography": typography(text),
        "boilerplate": f"{text}\n\n{boiler}",
        "syndicated": f"{head}\n\n{rng.choice(DATELINES)}{trim_end(text)}\n\n{boiler}",
    }


def verdicts(a: Fingerprint, b: Fingerprint) -> tuple[int, bool]:
    """(simhash distance, sketches share a bin or the content is equal)."""
    return hamming(a.simhash, b.simhash), (
        a.content == b.content or shares_bin(a.sketch, b.sketch)
    )


def rates(pairs: list[tuple[int, bool]], k: int, *, verify: bool) -> int:
    return sum(1 for d, ok in pairs if d <= k and (ok or not verify))


def report(
    positives: dict[str, list[tuple[int, bool]]], negatives: list[tuple[int, bool]]
) -> None:
    print(f"negatives: {len(negatives)} pairs of distinct articles")
    header = "k  " + "".join(f"{name[:12]:>13}" for name in positives)
    for verify in (False, True):
        name = "simhash + shared sketch bin" if verify else "simhash only"
        print(f"\nrecall per variant ({name})")
        print(header + "      all     FP   precision")
        for k in sorted({*KS, DEFAULT.distance}):
            row = [rates(p, k, verify=verify) / len(p) for p in positives.values()]
            tp = sum(rates(p, k, verify=verify) for p in positives.values())
            total = sum(len(p) for p in positives.values())
            fp = rates(negatives, k, verify=verify)
            precision = tp / (tp + fp) if tp + fp else 1.0
            cells = "".join(f"{r:13.3f}" for r in row)
            mark = " <- default" if k == DEFAULT.distance else ""
            print(f"{k:<3}{cells}{tp / total:9.3f}{fp:7d}{precision:12.4f}{mark}")


def seed_checks() -> None:
    seeds = sorted((shared_dir() / "seeds").glob("*.expected.txt"))
    fps = [fingerprint(p.read_text("utf-8")) for p in seeds]
    for (pa, fa), (pb, fb) in combinations(zip(seeds, fps, strict=True), 2):
        d, ok = verdicts(fa, fb)
        print(f"seeds {pa.name} vs {pb.name}: simhash {d}, shared bin {ok}")


def main(argv: list[str]) -> None:
    rng = random.Random(20250713)
    texts = load_articles()
    fps = [fingerprint(t) for t in texts]
    print(
        f"articles: {len(texts)} (>= {MIN_CHARS} chars), default distance "
        f"{DEFAULT.distance}"
    )
    positives: dict[str, list[tuple[int, bool]]] = {}
    for i, text in enumerate(texts):
        other = texts[(i + 1 + rng.randrange(len(texts) - 1)) % len(texts)]
        for name, variant in variants(text, other, rng).items():
            positives.setdefault(name, []).append(
                verdicts(fps[i], fingerprint(variant))
            )
    negatives = [verdicts(a, b) for a, b in combinations(fps, 2)]
    report(positives, negatives)
    sketch_histogram(positives, negatives)
    recall_by_distance(texts, fps, rng)
    seed_checks()


def sketch_histogram(
    positives: dict[str, list[tuple[int, bool]]], negatives: list[tuple[int, bool]]
) -> None:
    """How often the candidate stage (a shared sketch bin) fires."""
    shared = sum(1 for _, ok in negatives if ok)
    print(f"\nnegatives sharing a sketch bin (index candidates): {shared}")
    missed: Callable[[list[tuple[int, bool]]], int] = lambda p: sum(
        not ok for _, ok in p
    )
    print("positives sharing no bin:", {n: missed(p) for n, p in positives.items()})


EDITS = (1, 2, 3, 4, 6, 8, 11, 15, 20, 27, 40)
MAX_DISTANCE = 12


def random_edits(
    text: str, vocabulary: list[str], count: int, rng: random.Random
) -> str:
    """*text* with *count* words replaced, inserted or deleted at random."""
    words = text.split(" ")
    for _ in range(count):
        i, action = rng.randrange(len(words)), rng.randrange(3)
        if action == 0:
            words[i] = rng.choice(vocabulary)
        elif action == 1:
            words.insert(i, rng.choice(vocabulary))
        elif len(words) > 1:
            del words[i]
    return " ".join(words)


def recall_by_distance(
    texts: list[str], fps: list[Fingerprint], rng: random.Random
) -> None:
    """The index's recall for copies at each simhash distance 0..MAX_DISTANCE."""
    index = NearIndex()
    for ref, fp in enumerate(fps):
        index.add(fp, ref)
    vocabulary = sorted({w for t in texts for w in t.split()})
    found: dict[int, list[int]] = {d: [0, 0] for d in range(MAX_DISTANCE + 1)}
    for ref, text in enumerate(texts):
        for count in EDITS:
            for _ in range(3):
                copy = fingerprint(random_edits(text, vocabulary, count, rng))
                distance = hamming(copy.simhash, fps[ref].simhash)
                if copy.empty or distance > MAX_DISTANCE:
                    continue
                hit = index.find(copy)
                found[distance][0] += hit is not None and hit[0] == ref
                found[distance][1] += 1
    print("\nrecall by simhash distance (copies with random word edits, NearIndex)")
    print("distance " + "".join(f"{d:>7}" for d in found))
    print("copies   " + "".join(f"{n:>7}" for _, n in found.values()))
    print("missed   " + "".join(f"{n - h:>7}" for h, n in found.values()))
    cells = "".join(f"{h / n if n else 1.0:7.3f}" for h, n in found.values())
    print("recall   " + cells)


if __name__ == "__main__":
    main(sys.argv[1:])

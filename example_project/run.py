"""Run the example end to end: serve the news network, crawl it, report.

    python example_project/run.py [--output DIR]

``siteserver.py`` serves four news outlets on their own loopback addresses;
the ``news`` spider crawls them and scrapy-newsclean drops error pages and
near-duplicate copies and strips boilerplate. Every run starts from scratch.
Written to the output directory (default ``example_project/output/``):

- ``items.jsonl``: the stored articles, each with a ``newsclean`` report;
- ``rejects.jsonl``: every dropped page or item with its stage and reason;
- ``stats.json``: the crawl's stats (``newsclean/...`` keys included);
- ``outlets.json``: the home page URL each outlet was served at;
- ``newsclean.db``: the store (fingerprints and learned site templates).
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from siteserver import serve

HERE = Path(__file__).resolve().parent
OUTPUT_FILES = ("items.jsonl", "rejects.jsonl", "stats.json", "outlets.json")
STORE_FILES = (
    "newsclean.db",
    "newsclean.db-wal",
    "newsclean.db-shm",
    "newsclean.db.lock",
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--output", type=Path, default=HERE / "output")
    output = parser.parse_args(argv).output.resolve()
    os.environ["NEWSNET_OUTPUT"] = str(output)  # read by newsnet/settings.py
    os.chdir(HERE)  # where scrapy.cfg lives
    for name in OUTPUT_FILES + STORE_FILES:  # reproducible: forget the last run
        (output / name).unlink(missing_ok=True)
    output.mkdir(parents=True, exist_ok=True)

    network = serve()
    try:
        process = CrawlerProcess(get_project_settings())
        crawler = process.create_crawler("news")
        process.crawl(crawler, start_urls=",".join(network.urls.values()))
        process.start()
    finally:
        network.stop()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    _write_json(output / "stats.json", stats)
    _write_json(output / "outlets.json", network.urls)
    if not network.own_hosts:
        print("\nNote: 127.0.0.2+ could not be bound; outlets share one site.")
    summarize(output)


def summarize(output: Path) -> None:
    """Print what was stored, dropped and stripped, from the output files."""
    items = read_jsonl(output / "items.jsonl")
    rejects = read_jsonl(output / "rejects.jsonl")
    print(f"\nStored {len(items)} articles in {output / 'items.jsonl'}:")
    for item in items:
        print(f"  {item['url']}  {item['title']!r}")

    print(f"\nDropped {len(rejects)} pages/items, see {output / 'rejects.jsonl'}:")
    by_reason: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for reject in rejects:
        by_reason[f"{reject['stage']}/{reject['reason']}"].append(reject)
    for key, group in sorted(by_reason.items()):
        print(f"  {key}: {len(group)}")
        for reject in group:
            print(f"      {reject['url']}  ({reject['detail'][:90]})")

    removed: Counter[str] = Counter()
    for item in items:
        removed.update(item["newsclean"]["blocks_removed"])
    print(f"\nStripped from the {len(items)} stored articles (blocks, by reason):")
    for reason, count in removed.most_common():
        print(f"  {reason}: {count}")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON Lines file (none when it does not exist)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def _write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

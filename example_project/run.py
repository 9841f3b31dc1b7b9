"""Run the example end to end: serve the news network, crawl it, report.

    python example_project/run.py [--output DIR]

The same crawl as ``scrapy crawl news`` in ``example_project/``, plus a
summary. Without start URLs, the project's ``LocalNewsNetwork`` extension
(``newsnet/localnet.py``) serves the four outlets of ``siteserver.py`` on their
own loopback addresses inside the crawl; the ``news`` spider crawls them and
scrapy-newsclean drops error pages and near-duplicate copies and strips
boilerplate. Every run starts from scratch. Written to the output directory
(default ``example_project/output/``):

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
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--output", type=Path, default=HERE / "output")
    output = parser.parse_args(argv).output.resolve()
    os.environ["NEWSNET_OUTPUT"] = str(output)  # read by newsnet/settings.py
    os.chdir(HERE)  # where scrapy.cfg lives

    process = CrawlerProcess(get_project_settings())
    process.crawl("news")  # no start URLs: LocalNewsNetwork serves the network
    process.start()
    outlets = json.loads((output / "outlets.json").read_text(encoding="utf-8"))
    if len({urlsplit(url).hostname for url in outlets.values()}) < 2:
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


if __name__ == "__main__":
    main()

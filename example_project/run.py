"""Run the example end to end: serve the local news site, crawl it, report.

``python example_project/run.py`` (the README's first command calls it).
Cleaned items go to ``example_project/output/items.jsonl``, every dropped page
or item to ``example_project/output/rejects.jsonl``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from siteserver import serve

HERE = Path(__file__).resolve().parent


def main() -> None:
    os.chdir(HERE)  # scrapy.cfg and the relative output paths live here
    (HERE / "output" / "rejects.jsonl").unlink(missing_ok=True)
    server = serve()
    start_url = f"http://127.0.0.1:{server.server_port}/"
    try:
        process = CrawlerProcess(get_project_settings())
        process.crawl("news", start_url=start_url)
        process.start()
    finally:
        server.shutdown()
    summarize(HERE / "output")


def summarize(output: Path) -> None:
    """Print what was stored and what was dropped, from the output files."""
    items = _read_jsonl(output / "items.jsonl")
    rejects = _read_jsonl(output / "rejects.jsonl")
    print(f"\nStored {len(items)} items in {output / 'items.jsonl'}:")
    for item in items:
        print(f"  {item['url']}  {item['title']!r}")
    print(f"Dropped {len(rejects)} pages/items, see {output / 'rejects.jsonl'}:")
    for (stage, reason), count in sorted(
        Counter((r["stage"], r["reason"]) for r in rejects).items()
    ):
        print(f"  {stage}/{reason}: {count}")


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


if __name__ == "__main__":
    main()

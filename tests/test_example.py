"""The example crawl, for real, against its news network, started both ways.

``example_project/run.py``, and ``scrapy crawl news`` in a copy of
``example_project/`` (the project serves its network itself). The expected fate
of every page comes from ``example_project/site/manifest.json``, the same file
the example's documentation describes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example_project"
MANIFEST: dict[str, Any] = json.loads(
    (EXAMPLE / "site" / "manifest.json").read_text(encoding="utf-8")
)["outlets"]
TEMPLATE_MIN_PAGES = 3  # NEWSCLEAN_TEMPLATE_MIN_PAGES in the example's settings

Page = tuple[str, str]  # (outlet, URL path)

#: Boilerplate of the four outlets that no stored body may contain.
BOILERPLATE = (
    "Most popular",
    "Read more",
    "Share this article",
    "Legal Disclaimer",
    "without warranty",
    "views expressed",
    "All rights reserved",
    "CommentsNo comment",
    "Sorry!!",
    "Lesen Sie auch",
    "Artikel teilen",
    "Newsletter",
    "Mehr zum Thema",
    "geäußerten Meinungen",
    "Alle Rechte vorbehalten",
    "Impressum",
    "Datenschutz",
    "関連記事",
    "シェアする",
    "情報提供",
    "続きを読む",
    "Similar News",
    "日本 最新ニュース",
)


@dataclass(frozen=True)
class Crawl:
    items: dict[Page, dict[str, Any]]
    rejects: dict[Page, dict[str, Any]]
    stats: dict[str, Any]
    stdout: str
    stderr: str
    how: str


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def _requested_url(reject: dict[str, Any]) -> str:
    """The URL the spider asked for (a redirect drop records where it landed)."""
    if reject["reason"].startswith("redirect_"):
        match = re.search(r"redirected from (\S+)", reject["detail"])
        assert match is not None, reject
        return match.group(1)
    return str(reject["url"])


def _by_page(
    records: list[dict[str, Any]],
    outlets: dict[str, str],
    url_of: Callable[[dict[str, Any]], str],
) -> dict[Page, dict[str, Any]]:
    """Records keyed by (outlet, path); each page may be recorded once only."""
    pages: dict[Page, dict[str, Any]] = {}
    for record in records:
        url = url_of(record)
        outlet = next(name for name, base in outlets.items() if url.startswith(base))
        page = (outlet, "/" + url[len(outlets[outlet]) :])
        assert page not in pages, f"{page} recorded twice"
        pages[page] = record
    return pages


def _run_py(tmp: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    output = tmp / "output"
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE / "run.py"), "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc, output


def _scrapy_crawl(tmp: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``scrapy crawl news`` in a copy of the project: its own settings, output."""
    project = tmp / "example_project"
    shutil.copytree(
        EXAMPLE, project, ignore=shutil.ignore_patterns("output", "__pycache__")
    )
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc, project / "output"


@pytest.fixture(
    scope="module", params=[_run_py, _scrapy_crawl], ids=["run_py", "scrapy_crawl"]
)
def crawl(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Crawl:
    proc, output = request.param(tmp_path_factory.mktemp("example"))
    assert proc.returncode == 0, proc.stderr[-5000:]
    outlets = json.loads((output / "outlets.json").read_text(encoding="utf-8"))
    items = _read_jsonl(output / "items.jsonl")
    rejects = _read_jsonl(output / "rejects.jsonl")
    return Crawl(
        items=_by_page(items, outlets, lambda item: item["url"]),
        rejects=_by_page(rejects, outlets, _requested_url),
        stats=json.loads((output / "stats.json").read_text(encoding="utf-8")),
        stdout=proc.stdout,
        stderr=proc.stderr,
        how=request.param.__name__,
    )


#: A stat key: a counter, ``newsclean/<component>/<event>``, or one of its reasons,
#: ``.../<event>/reason_count/<reason>``; plus Scrapy's retry keys.
STAT_KEY = re.compile(
    r"newsclean/[a-z_]+/[a-z0-9_]+(/reason_count/[a-z0-9_]+)?"
    r"|newsclean/error_page/retry/(count|max_reached|reason_count/[a-z0-9_]+)"
)


def documented_stat_keys() -> dict[str, re.Pattern[str]]:
    """The keys of the README's Stats table; ``<name>`` stands for any token."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Stats\n", 1)[1].split("\n## ", 1)[0]
    keys = [
        key
        for line in section.splitlines()
        if line.startswith("| `")
        for key in re.findall(r"`([^`]+)`", line.split(" | ", 1)[0])
    ]
    return {
        key: re.compile("newsclean/" + re.sub(r"<[a-z]+>", "[a-z0-9_]+", key))
        for key in keys
    }


def test_documented_stat_keys_follow_the_scheme() -> None:
    documented = documented_stat_keys()
    assert len(documented) > 40
    for key in documented:
        assert STAT_KEY.fullmatch("newsclean/" + re.sub(r"<[a-z]+>", "x", key)), key


def test_every_stat_key_of_the_crawl_is_documented(crawl: Crawl) -> None:
    patterns = documented_stat_keys().values()
    keys = [key for key in crawl.stats if key.startswith("newsclean/")]
    assert len(keys) > 20
    for key in keys:
        assert STAT_KEY.fullmatch(key), key
        assert any(p.fullmatch(key) for p in patterns), f"{key} not in README"


def _expected(prefix: str) -> dict[Page, str]:
    return {
        (outlet, path): fate
        for outlet, spec in MANIFEST.items()
        for path, fate in spec["pages"].items()
        if fate.startswith(prefix)
    }


def _groups() -> dict[str, set[Page]]:
    groups: dict[str, set[Page]] = {}
    for page, fate in _expected("duplicate:").items():
        groups.setdefault(fate.split(":", 1)[1], set()).add(page)
    return groups


GROUP_MEMBERS = set().union(*_groups().values())


def test_network_is_large_enough() -> None:
    pages = Counter(outlet for outlet, spec in MANIFEST.items() for _ in spec["pages"])
    assert len(pages) >= 3
    assert sum(pages.values()) >= 60
    assert all(len(_stored_of(outlet)) >= 4 for outlet in MANIFEST)


def _stored_of(outlet: str) -> set[Page]:
    return {page for page in _expected("stored") if page[0] == outlet}


def test_exactly_the_expected_articles_are_stored(crawl: Crawl) -> None:
    assert set(crawl.items) - GROUP_MEMBERS == set(_expected("stored"))


def test_error_pages_dropped_with_their_reason(crawl: Crawl) -> None:
    dropped = {
        page: f"error:{record['reason']}"
        for page, record in crawl.rejects.items()
        if record["stage"] == "error_page"
    }
    assert dropped == _expected("error:")
    assert crawl.stats["newsclean/error_page/retry/count"] >= 1  # the challenge


def test_boilerplate_only_page_dropped_empty(crawl: Crawl) -> None:
    emptied = {
        page
        for page, record in crawl.rejects.items()
        if (record["stage"], record["reason"]) == ("clean", "empty_after_clean")
    }
    assert emptied == set(_expected("empty"))


def test_nothing_else_dropped(crawl: Crawl) -> None:
    expected = set(_expected("error:")) | set(_expected("empty")) | GROUP_MEMBERS
    assert set(crawl.rejects) <= expected
    listings = set(_expected("listing"))
    assert not listings & (set(crawl.items) | set(crawl.rejects))


@pytest.mark.parametrize("group", sorted(_groups()))
def test_syndicated_story_stored_once(crawl: Crawl, group: str) -> None:
    members = _groups()[group]
    stored = members & set(crawl.items)
    assert len(stored) == 1, f"{group}: stored {sorted(stored)}"
    for page in members - stored:
        record = crawl.rejects[page]
        assert (record["stage"], record["reason"]) == ("duplicate", "near_duplicate")


def test_stored_bodies_hold_no_boilerplate_or_repeats(crawl: Crawl) -> None:
    for page, item in crawl.items.items():
        lines = item["body"].split("\n")
        assert all(lines), page
        assert len(set(lines)) == len(lines), f"repeated paragraph in {page}"
        found = [phrase for phrase in BOILERPLATE if phrase in item["body"]]
        assert not found, f"{page} still holds {found}"


def test_traps_are_kept(crawl: Crawl) -> None:
    for outlet, spec in MANIFEST.items():
        for path, phrases in spec["must_keep"].items():
            body = crawl.items[outlet, path]["body"]
            assert [p for p in phrases if p not in body] == [], (outlet, path)


@pytest.mark.parametrize("outlet", sorted(MANIFEST))
def test_site_template_learned(crawl: Crawl, outlet: str) -> None:
    line = MANIFEST[outlet]["template_line"]
    items = [item for (name, _), item in crawl.items.items() if name == outlet]
    kept = [item for item in items if line in item["body"]]
    # Learned from the first stored articles, then stripped from all the others.
    assert 1 <= len(kept) <= TEMPLATE_MIN_PAGES
    for item in items:
        if item not in kept:
            assert item["newsclean"]["blocks_removed"]["site_template"] >= 1
    assert crawl.stats["newsclean/clean/blocks_removed/reason_count/site_template"] > 0


def test_items_carry_fields_and_report(crawl: Crawl) -> None:
    for page, item in crawl.items.items():
        assert item["title"], page
        assert re.match(r"\d{4}-\d\d-\d\d", item["published"] or ""), page
        assert item["newsclean"]["chars_after"] < item["newsclean"]["chars_before"]


def test_crawl_logs_the_report(crawl: Crawl) -> None:
    assert f", stored {len(crawl.items)}; responses checked" in crawl.stderr
    assert "Serving the news network" in crawl.stderr


def test_run_prints_summary(crawl: Crawl) -> None:
    if crawl.how == "_scrapy_crawl":
        assert crawl.stdout == ""  # scrapy crawl: the log (stderr) says it all
        return
    assert f"Stored {len(crawl.items)} articles" in crawl.stdout
    assert f"Dropped {len(crawl.rejects)} pages/items" in crawl.stdout
    assert "error_page/status_403: 2" in crawl.stdout
    assert "site_template: " in crawl.stdout

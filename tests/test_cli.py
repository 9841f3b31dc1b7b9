"""The ``scrapy-newsclean`` command line, run for real (subprocess) and in-process."""

from __future__ import annotations

import copy
import io
import json
import os
import select
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from lxml import html
from scrapy import Spider, signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from scrapy_newsclean.cli._backfill import (
    Backfill,
    BackfillConfig,
    BackfillStats,
    OutputError,
    encode,
)
from scrapy_newsclean.cli._main import main, run_async
from scrapy_newsclean.cli._progress import Reporter
from scrapy_newsclean.crawl._pipelines import CleanTextPipeline, NearDuplicatePipeline
from scrapy_newsclean.stores import MemoryStore

if TYPE_CHECKING:
    from tests.conftest import MockServer

TESTS = Path(__file__).resolve().parent
SITES = TESTS / "sites"
TEXT = TESTS / "fixtures" / "text"
ERRORPAGES = TESTS / "fixtures" / "errorpages"

ORIGINAL = "https://menafn.example/story/russia-north-korea"
JAPAN = "https://japan.example/news/lavrov-pyongyang"
COPY = "https://wire.example/world/moscow-pyongyang"
EMPTY = "https://menafn.example/disclaimer"
NO_TEXT = "https://menafn.example/gallery/7"


def seed_text(name: str) -> str:
    """A real seed page's stored text (the crawl header line removed)."""
    text = (TEXT / f"{name}.txt").read_text(encoding="utf-8")
    return text.split("\n", 1)[1] if text.startswith(" date ") else text


def syndicated_copy() -> str:
    """Seed 000 as a wire service reprints it: another headline, last paragraph cut."""
    paragraphs = (SITES / "seed_000.expected.txt").read_text().strip().split("\n")
    return "\n".join(["Moscow and Pyongyang blame Western drills", *paragraphs[1:-1]])


def articles() -> list[dict[str, Any]]:
    return [
        {
            "url": ORIGINAL,
            "title": "Russia, North Korea",
            "body": seed_text("000_f0605b7f478a5237"),
        },
        {"url": JAPAN, "body": seed_text("003_52c365f2d776a0bf").split("\n")},
        {"url": COPY, "title": "Moscow and Pyongyang", "body": syndicated_copy()},
        {
            "url": EMPTY,
            "body": "Legal Disclaimer:\nMENAFN provides the information "
            "“as is” without warranty of any kind.",
        },
        {"url": NO_TEXT, "title": "Photos of the week"},
    ]


def template_articles() -> list[dict[str, Any]]:
    """Four articles of one site sharing its footer (learned after three)."""
    items = []
    for n in range(1, 5):
        tree = html.fromstring((SITES / f"template_{n}.html").read_bytes())
        body = [p.text_content() for p in tree.iter("p")]
        items.append({"url": f"https://harbourpost.example/n/{n}", "body": body})
    return items


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        stream.writelines(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def cli(
    *args: str, cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -m scrapy_newsclean ARGS`` in *cwd* (outside any Scrapy project)."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy_newsclean", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def body_text(item: dict[str, Any]) -> str:
    body = item["body"]
    return "\n".join(body) if isinstance(body, list) else str(body)


class TestClean:
    def test_cleans_and_drops_the_syndicated_copy(self, tmp_path: Path) -> None:
        source = write_jsonl(tmp_path / "in.jsonl", articles())
        result = cli(
            "clean", "in.jsonl", "-o", "out.jsonl", "--rejects", "r.jsonl", cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        kept = read_jsonl(tmp_path / "out.jsonl")
        assert [item["url"] for item in kept] == [ORIGINAL, JAPAN, NO_TEXT]
        expected = (SITES / "seed_000.expected.txt").read_text()
        assert kept[0]["body"].strip() == expected.strip()
        assert isinstance(kept[1]["body"], list)  # lists stay lists
        expected = (SITES / "seed_003.expected.txt").read_text()
        assert body_text(kept[1]).strip() == expected.strip()
        assert kept[2] == {"url": NO_TEXT, "title": "Photos of the week"}
        copy_, empty = read_jsonl(tmp_path / "r.jsonl")
        assert copy_["url"] == COPY
        assert (copy_["stage"], copy_["reason"]) == ("duplicate", "near_duplicate")
        assert copy_["duplicate_of"] == ORIGINAL
        assert 0 <= copy_["distance"] <= 17
        assert ORIGINAL in copy_["detail"]
        assert copy_["line"] == 3
        assert set(copy_) >= {"url", "stage", "reason", "status", "detail", "time"}
        assert (empty["url"], empty["stage"]) == (EMPTY, "clean")
        assert empty["reason"] == "empty_after_clean"
        stderr = result.stderr.decode()
        assert "5 lines read from in.jsonl" in stderr
        assert "duplicate/near_duplicate 1" in stderr
        assert "clean/empty_after_clean 1" in stderr
        assert source.read_text() == "".join(
            json.dumps(i, ensure_ascii=False) + "\n" for i in articles()
        )

    def test_same_url_again_is_already_stored(self, tmp_path: Path) -> None:
        first = articles()[0]
        write_jsonl(tmp_path / "in.jsonl", [first, first])
        argv = ["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")]
        rejects = tmp_path / "r.jsonl"
        assert main([*argv, "--rejects", str(rejects), "--no-project", "-q"]) == 0
        assert [item["url"] for item in read_jsonl(tmp_path / "out.jsonl")] == [
            ORIGINAL
        ]
        (again,) = read_jsonl(rejects)
        assert (again["reason"], again["duplicate_of"]) == ("already_stored", ORIGINAL)

    @pytest.mark.parametrize(
        ("hosts", "same_host_distance", "kept"),
        [
            (("www.youbeauty.example", "youbeauty.example"), 8, 2),
            (("www.youbeauty.example", "youbeauty.example"), 17, 1),
            (("youbeauty.example", "mirror.example"), 8, 1),
        ],
    )
    def test_distinct_articles_of_one_site_sharing_its_template(
        self, tmp_path: Path, hosts: tuple[str, str], same_host_distance: int, kept: int
    ) -> None:
        """Two real articles of one site whose texts keep most of its template
        (9 bits apart): both stored, unless the same-host bound is lifted; on
        two hosts the junk would still make them copies."""
        items = [
            {
                "url": f"https://{host}/article-{n}",
                "body": (TESTS / "fixtures" / "neardup_site" / f"youbeauty.com{n}.txt")
                .read_text("utf-8")
                .strip(),
            }
            for n, host in zip((1, 2), hosts, strict=True)
        ]
        write_jsonl(tmp_path / "in.jsonl", items)
        argv = ["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")]
        setting = f"NEWSCLEAN_DEDUP_SAME_HOST_DISTANCE={same_host_distance}"
        assert main([*argv, "-s", setting, "--no-project", "-q"]) == 0
        assert len(read_jsonl(tmp_path / "out.jsonl")) == kept

    def test_no_dedup_keeps_the_copy(self, tmp_path: Path) -> None:
        write_jsonl(tmp_path / "in.jsonl", articles())
        argv = ["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")]
        assert main([*argv, "--no-dedup", "--no-project", "-q"]) == 0
        kept = read_jsonl(tmp_path / "out.jsonl")
        assert [item["url"] for item in kept] == [ORIGINAL, JAPAN, COPY, NO_TEXT]
        assert "Legal Disclaimer" not in kept[0]["body"]

    def test_no_clean_leaves_the_text_alone(self, tmp_path: Path) -> None:
        items = articles()
        write_jsonl(tmp_path / "in.jsonl", items)
        argv = ["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")]
        assert main([*argv, "--no-clean", "--no-project", "-q"]) == 0
        kept = {item["url"]: item for item in read_jsonl(tmp_path / "out.jsonl")}
        assert kept[ORIGINAL] == items[0]
        assert kept[EMPTY] == items[3]  # not emptied: nothing was cleaned

    def test_no_stage_copies_valid_items(self, tmp_path: Path) -> None:
        items = articles()
        write_jsonl(tmp_path / "in.jsonl", items)
        argv = ["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")]
        assert main([*argv, "--no-clean", "--no-dedup", "-q"]) == 0
        assert read_jsonl(tmp_path / "out.jsonl") == items

    def test_tag_duplicates_and_keep_empty(self, tmp_path: Path) -> None:
        write_jsonl(tmp_path / "in.jsonl", articles())
        argv = ["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")]
        assert main([*argv, "--tag-duplicates", "--keep-empty", "-q"]) == 0
        kept = {item["url"]: item for item in read_jsonl(tmp_path / "out.jsonl")}
        assert list(kept) == [ORIGINAL, JAPAN, COPY, EMPTY, NO_TEXT]
        assert kept[COPY]["newsclean_duplicate"]["of"] == ORIGINAL
        assert "newsclean_duplicate" not in kept[ORIGINAL]
        assert kept[EMPTY]["body"] == ""

    def test_stdin_to_stdout(self, tmp_path: Path) -> None:
        data = (write_jsonl(tmp_path / "in.jsonl", articles())).read_bytes()
        result = cli("clean", "-", "--rejects", "r.jsonl", cwd=tmp_path, stdin=data)
        assert result.returncode == 0, result.stderr
        kept = [json.loads(line) for line in result.stdout.decode().splitlines()]
        assert [item["url"] for item in kept] == [ORIGINAL, JAPAN, NO_TEXT]
        assert "5 lines read from <stdin>" in result.stderr.decode()
        assert "“" in result.stdout.decode()  # ensure_ascii=False

    def test_sqlite_store_remembers_the_first_run(self, tmp_path: Path) -> None:
        first, second = articles()[:2], [articles()[2], template_articles()[0]]
        write_jsonl(tmp_path / "first.jsonl", first)
        write_jsonl(tmp_path / "second.jsonl", second)
        store = f"sqlite:///{tmp_path / 'state.db'}"
        one = cli(
            "clean", "first.jsonl", "-o", "one.jsonl", "--store", store, cwd=tmp_path
        )
        assert one.returncode == 0, one.stderr
        two = cli(
            "clean",
            "second.jsonl",
            "-o",
            "two.jsonl",
            "--store",
            store,
            "--rejects",
            "r.jsonl",
            cwd=tmp_path,
        )
        assert two.returncode == 0, two.stderr
        assert [i["url"] for i in read_jsonl(tmp_path / "two.jsonl")] == [
            second[1]["url"]
        ]
        (record,) = read_jsonl(tmp_path / "r.jsonl")
        assert (record["url"], record["duplicate_of"]) == (COPY, ORIGINAL)
        cli("clean", "second.jsonl", "-o", "alone.jsonl", cwd=tmp_path)
        assert len(read_jsonl(tmp_path / "alone.jsonl")) == 2  # memory:// forgets

    def test_streams_each_item_before_the_input_ends(self, tmp_path: Path) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scrapy_newsclean", "clean", "-", "-q"],
            cwd=tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            proc.stdin.write(encode(articles()[0]))
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "no output before the end of the input"
            assert json.loads(proc.stdout.readline())["url"] == ORIGINAL
        finally:
            proc.stdin.close()
            proc.wait(timeout=60)
            proc.stdout.close()
        assert proc.returncode == 0

    def test_project_settings_then_options(self, tmp_path: Path) -> None:
        (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = newsproject\n")
        (tmp_path / "newsproject.py").write_text(
            "NEWSCLEAN_DUPLICATE_ACTION = 'tag'\nNEWSCLEAN_REPORT_FIELD = 'report'\n"
        )
        write_jsonl(tmp_path / "in.jsonl", articles()[:3])
        result = cli(
            "clean", "in.jsonl", "-s", "NEWSCLEAN_REPORT_FIELD=None", cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        kept = [json.loads(line) for line in result.stdout.splitlines()]
        assert kept[2]["newsclean_duplicate"]["of"] == ORIGINAL  # project: tag
        assert "report" not in kept[0]  # -s overrides the project
        ignored = cli("clean", "in.jsonl", "--no-project", cwd=tmp_path)
        assert len(ignored.stdout.splitlines()) == 2  # default action: drop


class TestMalformedInput:
    def test_bad_lines_reported_and_skipped(self, tmp_path: Path) -> None:
        items = articles()
        huge = {"url": "https://huge.example/1", "body": "word " * 1_100_000}
        lines = [
            encode(items[0]),  # 1 kept
            b"\x00\x01\x02\xff\xfe binary junk\n",  # 2 invalid_utf8
            b'{"url": "https://x.example/caf\xe9"}\n',  # 3 invalid_utf8
            b'[{"url": "https://x.example/list"}]\n',  # 4 not_an_object
            encode(huge),  # 5 line_too_long
            b"\n",  # 6 blank
            b'{"url": "https://x.example/", "body": nope}\n',  # 7 malformed_json
            encode(items[1]),  # 8 kept
            b'{"url": "https://x.example/cut", "body": "Russ',  # 9 truncated
        ]
        (tmp_path / "in.jsonl").write_bytes(b"".join(lines))
        assert len(lines[4]) > 5_000_000
        result = cli(
            "clean", "in.jsonl", "-o", "out.jsonl", "--rejects", "r.jsonl", cwd=tmp_path
        )
        assert result.returncode == 1
        stderr = result.stderr.decode()
        assert "Traceback" not in stderr
        for line, reason in [
            (2, "invalid_utf8"),
            (3, "invalid_utf8"),
            (4, "not_an_object"),
            (5, "line_too_long"),
            (7, "malformed_json"),
            (9, "malformed_json"),
        ]:
            assert f"in.jsonl:{line}: {reason}: " in stderr
        assert "truncated" in stderr
        records = read_jsonl(tmp_path / "r.jsonl")
        assert [(r["line"], r["reason"]) for r in records] == [
            (2, "invalid_utf8"),
            (3, "invalid_utf8"),
            (4, "not_an_object"),
            (5, "line_too_long"),
            (7, "malformed_json"),
            (9, "malformed_json"),
        ]
        assert {r["stage"] for r in records} == {"input"}
        assert all(r["detail"].startswith(f"line {r['line']}: ") for r in records)
        assert '\'[{"url"' in records[2]["detail"]  # a short excerpt
        output = (tmp_path / "out.jsonl").read_bytes()
        assert output.endswith(b"\n")
        kept = [json.loads(line) for line in output.splitlines()]
        assert [item["url"] for item in kept] == [ORIGINAL, JAPAN]
        assert "malformed: 6 (" in stderr

    def test_non_standard_numbers_refused(self, tmp_path: Path) -> None:
        """NaN, Infinity and floats too large would be written back as
        ``NaN``/``Infinity``, which standard JSON readers refuse."""
        lines = [
            b'{"url": "https://x.example/1", "score": NaN}\n',
            b'{"url": "https://x.example/2", "score": -Infinity}\n',
            b'{"url": "https://x.example/3", "score": 1e400}\n',
            b'{"url": "https://x.example/4", "score": 1.5e300}\n',
        ]
        (tmp_path / "in.jsonl").write_bytes(b"".join(lines))
        result = cli("clean", "in.jsonl", "-o", "out.jsonl", "--no-dedup", cwd=tmp_path)
        assert result.returncode == 1
        stderr = result.stderr.decode()
        assert "in.jsonl:1: malformed_json: NaN is not standard JSON" in stderr
        assert "in.jsonl:2: malformed_json: -Infinity is not standard JSON" in stderr
        assert "in.jsonl:3: malformed_json: number 1e400 is too large" in stderr
        output = (tmp_path / "out.jsonl").read_text("utf-8")
        assert output == '{"url": "https://x.example/4", "score": 1.5e+300}\n'

    def test_longer_limit_accepts_a_big_line(self, tmp_path: Path) -> None:
        big = {"url": "https://big.example/1", "body": "x" * 300}
        (tmp_path / "in.jsonl").write_bytes(encode(big))
        argv = ["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.jsonl")]
        assert main([*argv, "--max-line-bytes", "100", "-q"]) == 1
        assert main([*argv, "--max-line-bytes", "1000", "-q"]) == 0
        assert read_jsonl(tmp_path / "o.jsonl") == [big]

    def test_lone_surrogates_still_give_valid_utf8(self) -> None:
        line = encode(json.loads('{"body": "a\\ud800b"}'))
        assert json.loads(line.decode("utf-8")) == {"body": "a\ud800b"}


class TestSameAsThePipelines:
    """A backfill and a crawl keep the same items, cleaned the same way."""

    @deferred_f_from_coro_f
    async def test_same_items_and_drops(self, tmp_path: Path) -> None:
        items = [*template_articles(), *articles()]
        crawl_rejects = tmp_path / "crawl_rejects.jsonl"
        kept = await run_pipelines(copy.deepcopy(items), crawl_rejects)
        write_jsonl(tmp_path / "in.jsonl", items)
        result = cli(
            "clean", "in.jsonl", "-o", "out.jsonl", "--rejects", "r.jsonl", cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        assert read_jsonl(tmp_path / "out.jsonl") == kept
        fourth = kept[3]["body"]
        assert len(fourth) < len(items[3]["body"])  # the learned footer went

        def drops(path: Path) -> list[tuple[Any, ...]]:
            return [
                (r["url"], r["stage"], r["reason"], r.get("duplicate_of"))
                for r in read_jsonl(path)
            ]

        assert drops(tmp_path / "r.jsonl") == drops(crawl_rejects)


async def run_pipelines(items: list[dict[str, Any]], rejects: Path) -> list[Any]:
    """Each item through both pipelines, then item_scraped/item_dropped, in order."""
    crawler = get_crawler(
        Spider, {"NEWSCLEAN_STORE": "memory://", "NEWSCLEAN_REJECTS": str(rejects)}
    )
    crawler.spider = Spider.from_crawler(crawler, name="items")
    stages = [
        build_from_crawler(cls, crawler)
        for cls in (CleanTextPipeline, NearDuplicatePipeline)
    ]
    for stage in stages:
        await stage.open_spider()
    kept = []
    for original in items:
        item = original
        try:
            for stage in stages:
                item = await stage.process_item(item)
        except DropItem as exc:
            await crawler.signals.send_catch_log_async(
                signals.item_dropped,
                item=item,
                response=None,
                spider=crawler.spider,
                exception=exc,
            )
            continue
        kept.append(item)
        await crawler.signals.send_catch_log_async(
            signals.item_scraped, item=item, response=None, spider=crawler.spider
        )
    for stage in stages:
        await stage.close_spider()
    return kept


class TestBackfill:
    def test_a_failed_write_releases_the_fingerprint(self) -> None:
        store = MemoryStore()
        written: list[bytes] = []

        def write(data: bytes) -> None:
            if not written:
                written.append(b"")
                raise OSError(28, "No space left on device")
            written.append(data)

        source = io.BytesIO(encode(articles()[0]))
        backfill = Backfill(BackfillConfig(), store=store, write=write)
        with pytest.raises(OutputError, match="No space left"):
            run_async(backfill.run(source))
        assert backfill.stats.events["duplicate/released"] == 1
        assert len(store) == 0
        again = Backfill(BackfillConfig(), store=store, write=write)
        run_async(again.run(io.BytesIO(encode(articles()[2]))))
        assert again.stats.written == 1  # not a duplicate of the unwritten one
        assert again.stats.events["duplicate/committed"] == 1

    def test_broken_pipe_is_one_error_line(self, tmp_path: Path) -> None:
        items = [
            {"url": f"https://x.example/{n}", "body": f"story number {n} " * 50}
            for n in range(400)
        ]
        write_jsonl(tmp_path / "in.jsonl", items)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scrapy_newsclean",
                "clean",
                "in.jsonl",
                "--no-dedup",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline()
        proc.stdout.close()
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 1
        assert b"cannot write the output" in stderr
        assert b"Traceback" not in stderr


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestReporter:
    def test_progress_line_on_a_terminal_only(self) -> None:
        now = [100.0]
        terminal = FakeTerminal()
        reporter = Reporter(terminal, "in.jsonl", clock=lambda: now[0])
        stats = BackfillStats(lines=3, written=2)
        reporter.tick(stats)
        assert (
            terminal.getvalue()
            == "\r\x1b[K3 lines read, 2 kept, 0 dropped, 0 malformed"
        )
        stats.lines = 4
        reporter.tick(stats)  # within 0.5 s: not redrawn
        assert "4 lines" not in terminal.getvalue()
        now[0] += 0.6
        reporter.tick(stats)
        assert terminal.getvalue().endswith(
            "4 lines read, 2 kept, 0 dropped, 0 malformed"
        )
        reporter.notify(7, "malformed_json: oops")
        assert terminal.getvalue().endswith(
            "\r\x1b[Kscrapy-newsclean: in.jsonl:7: malformed_json: oops\n"
        )
        plain = io.StringIO()
        Reporter(plain, "in.jsonl").tick(stats)
        assert plain.getvalue() == ""


class TestCheck:
    @pytest.mark.parametrize(
        ("page", "first_line"),
        [
            (SITES / "cloudflare_challenge.html", "DROP challenge_cloudflare"),
            (SITES / "article.html", "KEEP"),
            (SITES / "article_mentions_errors.html", "KEEP"),
            (SITES / "soft404.html", "DROP soft_404"),
            (
                ERRORPAGES / "datadome_blocked_2021-08.html.gz",
                "DROP challenge_datadome",
            ),
        ],
        ids=["cloudflare", "article", "mentions-errors", "soft404", "gzipped"],
    )
    def test_local_file(
        self, page: Path, first_line: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["check", str(page), "--no-project"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0] == first_line
        assert "status: 200" in out
        assert any(
            line.startswith("signals: ") and "text_chars=" in line for line in out
        )

    def test_status_option_and_fail_on_drop(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        page = str(SITES / "article.html")
        assert main(["check", page, "--status", "404", "--fail-on-drop"]) == 1
        assert capsys.readouterr().out.startswith("DROP status_404\n")
        assert main(["check", page, "--fail-on-drop"]) == 0

    def test_url_from_a_local_server(
        self, mockserver: MockServer, tmp_path: Path
    ) -> None:
        cases = {
            "/site/cloudflare_challenge.html": "DROP challenge_cloudflare",
            "/site/article.html": "KEEP",
            "/status/404/article.html": "DROP status_404",
            "/redirect/302?to=/": "DROP redirect_home",
            "/site/report.pdf": "KEEP",
        }
        for path, first_line in cases.items():
            result = cli("check", mockserver.url(path), cwd=tmp_path)
            assert result.returncode == 0, result.stderr
            out = result.stdout.decode().splitlines()
            assert out[0] == first_line, (path, out)
        result = cli(
            "check", mockserver.url("/site/cloudflare_challenge.html"), cwd=tmp_path
        )
        assert "title='just a moment...'" in result.stdout.decode()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TestErrors:
    @pytest.mark.parametrize(
        "args",
        [
            [],
            ["clean"],
            ["clean", "in.jsonl", "--bogus"],
            ["clean", "in.jsonl", "-s", "DOWNLOAD_DELAY=1"],
            ["clean", "in.jsonl", "--max-line-bytes", "0"],
            ["check"],
            ["check", "page.html", "--status", "abc"],
        ],
        ids=[
            "no-command",
            "no-input",
            "unknown-option",
            "not-newsclean-setting",
            "bad-limit",
            "check-no-target",
            "bad-status",
        ],
    )
    def test_usage_errors_exit_2(self, args: list[str], tmp_path: Path) -> None:
        result = cli(*args, cwd=tmp_path)
        assert result.returncode == 2
        assert b"usage: scrapy-newsclean" in result.stderr
        assert b"Traceback" not in result.stderr

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["clean", "missing.jsonl"], "cannot read missing.jsonl"),
            (
                ["clean", "in.jsonl", "--store", "mongodb://x"],
                "NEWSCLEAN_STORE must be",
            ),
            (
                ["clean", "in.jsonl", "-s", "NEWSCLEAN_DEDUP_SCOPE=planet"],
                "NEWSCLEAN_DEDUP_SCOPE must be one of",
            ),
            (["clean", "in.jsonl", "-o", "in.jsonl"], "are the same file"),
            (["clean", "in.jsonl", "--rejects", "in.jsonl"], "are the same file"),
            (["clean", "in.jsonl", "-o", "no/such/dir/out.jsonl"], "cannot write"),
            (["check", "missing.html"], "cannot read missing.html"),
            (["check", "ftp://example.com/a"], "only http:// and https://"),
            (["check", f"http://127.0.0.1:{closed_port()}/a"], "cannot fetch"),
        ],
        ids=[
            "missing-input",
            "bad-store",
            "bad-setting",
            "output-is-input",
            "rejects-is-input",
            "unwritable-output",
            "missing-page",
            "ftp",
            "unreachable",
        ],
    )
    def test_errors_are_one_line_exit_2(
        self, args: list[str], message: str, tmp_path: Path
    ) -> None:
        write_jsonl(tmp_path / "in.jsonl", articles()[:1])
        before = (tmp_path / "in.jsonl").read_bytes()
        result = cli(*args, cwd=tmp_path)
        assert result.returncode == 2
        stderr = result.stderr.decode()
        assert stderr.startswith("scrapy-newsclean: error: ")
        assert message in stderr
        assert stderr.count("\n") == 1
        assert (tmp_path / "in.jsonl").read_bytes() == before

    def test_locked_sqlite_store_exit_2(self, tmp_path: Path) -> None:
        write_jsonl(tmp_path / "in.jsonl", articles()[:1])
        store = f"sqlite:///{tmp_path / 'state.db'}"
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_STORE, store],
            stdout=subprocess.PIPE,
        )
        assert holder.stdout is not None
        try:
            assert holder.stdout.readline() == b"open\n"
            result = cli("clean", "in.jsonl", "--store", store, cwd=tmp_path)
        finally:
            holder.kill()
            holder.wait(timeout=10)
            holder.stdout.close()
        assert result.returncode == 2
        assert b"in use by another process" in result.stderr


HOLD_STORE = """
import asyncio, sys, time
from scrapy_newsclean.stores import build_store
store = build_store(sys.argv[1])
asyncio.new_event_loop().run_until_complete(store.open())
print("open", flush=True)
time.sleep(60)
"""


def test_console_script_installed() -> None:
    script = Path(sys.executable).with_name("scrapy-newsclean")
    if not script.exists():
        pytest.skip("console script not installed (pip install -e .)")
    result = subprocess.run(
        [script, "--help"],
        capture_output=True,
        check=False,
        env={**os.environ},
        timeout=60,
    )
    assert result.returncode == 0
    assert b"clean" in result.stdout

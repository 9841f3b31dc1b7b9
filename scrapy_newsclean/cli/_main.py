"""``scrapy-newsclean``: the command line's entry point and its two commands.

``clean`` (:mod:`~scrapy_newsclean.cli._clean`) streams JSON Lines through the
pipelines' cleaning and dedup offline; ``check``
(:mod:`~scrapy_newsclean.cli._check`) classifies one page as
:class:`~scrapy_newsclean.ErrorPageMiddleware` does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy_newsclean import __version__, _accel
from scrapy_newsclean.cli._check import add_check_parser, check_command
from scrapy_newsclean.cli._clean import add_clean_parser, clean_command
from scrapy_newsclean.cli._progress import PROG
from scrapy_newsclean.cli._settings import CliError, load_settings

if TYPE_CHECKING:
    from collections.abc import Coroutine, Sequence

T = TypeVar("T")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args)
        if args.command == "check":
            return check_command(args, settings)
        return run_async(clean_command(args, settings))
    except CliError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Clean and deduplicate stored news items as the scrapy-newsclean "
        "pipelines do, and check pages as its middleware does.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}; kernels: {_accel.ACTIVE}",
        help="show the version and which kernels run (compiled or pure Python)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        type=_setting,
        metavar="NAME=VALUE",
        help="set a NEWSCLEAN_* setting (repeatable; None for None), "
        "e.g. -s NEWSCLEAN_DEDUP_DISTANCE=4",
    )
    common.add_argument(
        "--no-project",
        dest="project",
        action="store_false",
        help="ignore the settings of the Scrapy project in the current directory",
    )
    add_clean_parser(commands, common)
    add_check_parser(commands, common)
    return parser


def _setting(text: str) -> tuple[str, str | None]:
    name, sep, value = text.partition("=")
    if not sep or not name.startswith("NEWSCLEAN_"):
        raise argparse.ArgumentTypeError(f"expected NEWSCLEAN_NAME=VALUE, got {text!r}")
    return name, None if value == "None" else value


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run *coro* on a new event loop, in a thread when one already runs here.

    ``main()`` may be called from code that runs an event loop (a notebook,
    Scrapy with the asyncio reactor): that loop is left alone.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_new_loop(coro)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_run_new_loop, coro).result()


def _run_new_loop(coro: Coroutine[Any, Any, T]) -> T:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

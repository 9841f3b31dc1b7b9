"""Reading the package's JSON data files (signature tables), with plain checks.

Pure and small: the loaders of each table (``cleaning/_signature_files``,
``errorpages/_signature_files``) hold their schemas; this module only finds,
reads and type-checks.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable
    from os import PathLike

_T = TypeVar("_T")


def read_json_files(
    package: str, folder: str, extra: Iterable[str | PathLike[str]] = ()
) -> list[tuple[str, Any]]:
    """``(source, data)`` of every ``*.json`` in a package folder, then of ``extra``.

    Package files come sorted by name (``_``-prefixed ones first: shared data
    such as group definitions); ``source`` names the file in error messages.
    """
    found: list[tuple[str, Any]] = []
    base = files(package).joinpath(folder)
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            source = f"{package}/{folder}/{entry.name}"
            found.append((source, _parse(source, entry.read_text(encoding="utf-8"))))
    for path in extra:
        source = str(path)
        found.append((source, _parse(source, Path(path).read_text(encoding="utf-8"))))
    return found


def _parse(source: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{source}: not valid JSON: {exc}") from exc


def fields(
    where: str,
    value: object,
    required: Collection[str],
    optional: Collection[str] = (),
) -> dict[str, Any]:
    """``value`` as a dict holding all ``required`` keys and no unknown key."""
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object, got {value!r:.80}")  # noqa: TRY004
    missing = [key for key in required if key not in value]
    unknown = sorted(set(value) - set(required) - set(optional))
    if missing or unknown:
        raise ValueError(f"{where}: missing keys {missing}, unknown keys {unknown}")
    return value


def typed(where: str, value: object, kind: type[_T]) -> _T:
    """``value`` when it is a ``kind`` (a bool is not an int here)."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{where}: expected {kind.__name__}, got {value!r:.80}")
    return value


def strings(where: str, value: object, *, nonempty: bool = True) -> tuple[str, ...]:
    """``value`` as a tuple of non-empty strings (at least one when ``nonempty``)."""
    if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
        raise ValueError(f"{where}: expected a list of non-empty strings")
    if nonempty and not value:
        raise ValueError(f"{where}: expected at least one string")
    return tuple(value)

"""Read an item's text fields whatever the spider put there.

Spiders store text as ``str``, as ``bytes``, as a list of paragraphs, or not at
all. :func:`read_text` turns a field value into text or says, with a
snake_case problem token, why it cannot; nothing here raises on bad values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from itemadapter import ItemAdapter

#: Field names searched for article text by default (the first present wins
#: for fingerprints; every present one is cleaned).
DEFAULT_TEXT_FIELDS: tuple[str, ...] = (
    "body",
    "text",
    "content",
    "article",
    "article_body",
    "articleBody",
    "article_text",
    "full_text",
    "maintext",
)


@dataclass(frozen=True, slots=True)
class FieldText:
    """The text of one field: a document, or a document made of paragraphs."""

    text: str
    paragraphs: tuple[str, ...] | None = None  # set when the value was a list
    was_bytes: bool = False


def item_url(adapter: ItemAdapter, field: str) -> str | None:
    """The item's URL field as a string, or None."""
    value = adapter.get(field) if field in adapter else None
    return value if isinstance(value, str) else None


def read_text(value: object) -> tuple[FieldText | None, str | None]:
    """``(text, None)`` for usable values, ``(None, problem)`` otherwise.

    Problems: ``missing`` (``None``), ``invalid_utf8`` (bytes that are not
    UTF-8), ``bad_type_<name>`` (numbers, dicts, lists holding non-strings...).
    """
    if value is None:
        return None, "missing"
    if isinstance(value, str):
        return FieldText(value), None
    if isinstance(value, bytes | bytearray):
        try:
            return FieldText(bytes(value).decode("utf-8"), was_bytes=True), None
        except UnicodeDecodeError:
            return None, "invalid_utf8"
    if isinstance(value, list | tuple):
        if all(isinstance(part, str) for part in value):
            return FieldText("\n".join(value), paragraphs=tuple(value)), None
        return None, "bad_type_list"
    return None, f"bad_type_{type(value).__name__.lower()}"

"""Read an item's text fields whatever the spider put there.

Spiders store text as ``str``, as ``bytes``, as a list of paragraphs, or not at
all. :func:`read_text` turns a field value into text or says, with a
snake_case problem token, why it cannot; nothing here raises on bad values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from w3lib.html import remove_tags, remove_tags_with_content, replace_entities

if TYPE_CHECKING:
    from itemadapter import ItemAdapter

#: Markup that tells a field holds HTML rather than text (two such tags).
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|span|a|li|ul|h[1-6]|table|tr|td|script|style|article|section)"
    r"\b[^<>]{0,500}>",
    re.IGNORECASE,
)
_BLOCK_END = re.compile(
    r"<(?:br\s*/?|/(?:p|div|li|h[1-6]|tr|article|section|blockquote))>", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class FieldText:
    """The text of one field: a document, or a document made of paragraphs."""

    text: str
    paragraphs: tuple[str, ...] | None = None  # set when the value was a list
    was_bytes: bool = False
    was_html: bool = False


def looks_like_html(text: str) -> bool:
    """Whether a text field holds HTML markup (checks the first 20,000 chars).

    Two tags or more, and at least one for every line: a text whose
    lines mention ``<div>`` or ``<p>`` (an article about HTML) stays text.
    """
    if "<" not in text:
        return False
    head = text[:20_000]
    tags = len(_HTML_TAG.findall(head))
    lines = sum(1 for line in head.splitlines() if line.strip())
    return tags >= 2 and tags >= lines


def html_to_text(html: str) -> str:
    """The text of an HTML fragment: one line per block, entities decoded."""
    html = remove_tags_with_content(html, which_ones=("script", "style"))
    html = _BLOCK_END.sub("\n", html)
    return replace_entities(remove_tags(html))


def item_url(adapter: ItemAdapter, field: str) -> str | None:
    """The item's URL field as a string, or None."""
    value = adapter.get(field) if field in adapter else None
    return value if isinstance(value, str) else None


def read_text(value: object) -> tuple[FieldText | None, str | None]:
    """``(text, None)`` for usable values, ``(None, problem)`` otherwise.

    Problems: ``missing`` (``None``), ``invalid_utf8`` (bytes that are not
    UTF-8), ``bad_type_<name>`` (numbers, dicts, lists holding non-strings...).
    HTML where text was expected is turned into text (``was_html``).
    """
    if value is None:
        return None, "missing"
    if isinstance(value, str):
        if looks_like_html(value):
            return FieldText(html_to_text(value), was_html=True), None
        return FieldText(value), None
    if isinstance(value, bytes | bytearray):
        try:
            text = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return None, "invalid_utf8"
        if looks_like_html(text):
            return FieldText(html_to_text(text), was_bytes=True, was_html=True), None
        return FieldText(text, was_bytes=True), None
    if isinstance(value, list | tuple):
        if all(isinstance(part, str) for part in value):
            return FieldText("\n".join(value), paragraphs=tuple(value)), None
        return None, "bad_type_list"
    return None, f"bad_type_{type(value).__name__.lower()}"

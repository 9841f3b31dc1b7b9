"""The text an item is fingerprinted by (pure: no Scrapy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy_newsclean._item_fields import read_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from itemadapter import ItemAdapter


def dedup_text(
    adapter: ItemAdapter,
    text_fields: Sequence[str],
    dedup_fields: Sequence[str] | None,
) -> tuple[str | None, str | None]:
    """``(text, None)`` to fingerprint, or ``(None, problem)``.

    Without *dedup_fields*, the first text field holding text is used; with
    them, all of them that hold text, joined by newlines (e.g. title + body).
    """
    problem = "missing"
    parts = []
    for name in dedup_fields or text_fields:
        if name not in adapter:
            continue
        value, field_problem = read_text(adapter[name])
        if value is None or not value.text.strip():
            problem = field_problem or "empty"
            continue
        parts.append(value.text)
        if dedup_fields is None:
            break
    if not parts:
        return None, problem
    return "\n".join(parts), None

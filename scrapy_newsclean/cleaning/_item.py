"""Clean the text fields of one item (any item type, through itemadapter).

Pure: no Scrapy. :class:`~scrapy_newsclean.itemflow.ItemProcessor` (shared by
:class:`CleanTextPipeline` and the offline CLI, so a crawl and a backfill clean
the same way) calls :func:`prepare_item`, asks the store for the site template
of the prepared blocks, then calls :func:`clean_prepared`; :func:`clean_item`
does both steps with a template already at hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scrapy_newsclean import _defaults
from scrapy_newsclean._item_fields import read_text
from scrapy_newsclean.cleaning._blocks import Removal, clean_blocks, split_blocks
from scrapy_newsclean.cleaning._signatures import DEFAULT_SIGNATURES, Signatures

if TYPE_CHECKING:
    from itemadapter import ItemAdapter

    from scrapy_newsclean.cleaning._page_evidence import PageEvidence
    from scrapy_newsclean.cleaning._site_templates import TemplateLookup


@dataclass(frozen=True, slots=True)
class CleanConfig:
    """What to clean: which fields, with which signatures, up to what size.

    Longer field values than ``max_chars`` are left as they are (cleaning them
    would stall a crawl).
    """

    fields: tuple[str, ...] = _defaults.NEWSCLEAN_TEXT_FIELDS
    html_field: str | None = _defaults.NEWSCLEAN_CLEAN_HTML_FIELD
    signatures: Signatures = DEFAULT_SIGNATURES  # + NEWSCLEAN_SIGNATURES (none)
    max_chars: int = _defaults.NEWSCLEAN_MAX_TEXT_CHARS


@dataclass(slots=True)
class ItemCleanOutcome:
    """What :func:`clean_item` did to one item."""

    cleaned_fields: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # field -> problem token
    converted: dict[str, str] = field(default_factory=dict)  # field -> "bytes"/"html"
    chars_before: int = 0
    chars_after: int = 0
    blocks: list[str] = field(default_factory=list)  # input blocks, for templates
    evidence: str | None = None  # "page" or "html_field": the page judged blocks
    judged: int = 0  # blocks found on the page
    overruled: list[str] = field(default_factory=list)  # fields the page would empty

    @property
    def emptied(self) -> bool:
        """The item had text and cleaning removed all of it."""
        return self.chars_before > 0 and self.chars_after == 0

    def report(self) -> dict[str, object]:
        """A JSON-friendly summary for the per-item report field."""
        counts: dict[str, int] = {}
        for removal in self.removed:
            counts[removal.reason] = counts.get(removal.reason, 0) + 1
        return {
            "fields": list(self.cleaned_fields),
            "blocks_removed": counts,
            "chars_before": self.chars_before,
            "chars_after": self.chars_after,
            "skipped_fields": dict(self.problems),
            "converted_fields": dict(self.converted),
        }


@dataclass(frozen=True, slots=True)
class PreparedField:
    """One text field read and split into blocks, ready to clean."""

    name: str
    text: str
    blocks: list[str]
    is_list: bool
    converted: bool  # bytes or HTML: written back as text even when untouched


def prepare_item(
    adapter: ItemAdapter, config: CleanConfig, outcome: ItemCleanOutcome
) -> list[PreparedField]:
    """Read and split every configured text field; note unusable ones in *outcome*."""
    prepared = []
    for name in config.fields:
        if name not in adapter:
            continue
        value, problem = read_text(adapter[name])
        if value is None:
            outcome.problems[name] = problem or "missing"
        elif len(value.text) > config.max_chars:
            outcome.problems[name] = "oversize"
        else:
            blocks = (
                list(value.paragraphs)
                if value.paragraphs is not None
                else split_blocks(value.text)
            )
            prepared.append(
                PreparedField(
                    name,
                    value.text,
                    blocks,
                    value.paragraphs is not None,
                    value.was_bytes or value.was_html,
                )
            )
            if value.was_html or value.was_bytes:
                outcome.converted[name] = "html" if value.was_html else "bytes"
            outcome.blocks.extend(blocks)
    return prepared


def clean_prepared(
    adapter: ItemAdapter,
    fields: list[PreparedField],
    config: CleanConfig,
    outcome: ItemCleanOutcome,
    template: TemplateLookup | None = None,
    *,
    evidence: PageEvidence | None = None,
) -> None:
    """Clean the prepared fields and write them back into the item.

    *evidence* is the page the item came from (see :func:`clean_blocks`).
    """
    for field_ in fields:
        result = clean_blocks(
            field_.blocks,
            signatures=config.signatures,
            template=template,
            evidence=evidence,
        )
        outcome.judged += result.judged
        if result.overruled:
            outcome.overruled.append(field_.name)
        if result.removed:  # an untouched field keeps its original formatting
            adapter[field_.name] = (
                list(result.blocks) if field_.is_list else result.text
            )
        elif field_.converted:
            adapter[field_.name] = field_.text
        outcome.cleaned_fields.append(field_.name)
        outcome.removed.extend(result.removed)
        outcome.chars_before += sum(len(b) for b in field_.blocks)
        outcome.chars_after += sum(len(b) for b in result.blocks)


def block_keys(adapter: ItemAdapter, config: CleanConfig) -> set[str]:
    """The page-lookup keys of the blocks the cleaner will judge in *adapter*."""
    from scrapy_newsclean.cleaning._page_evidence import _block_key  # noqa: PLC0415

    fields = prepare_item(adapter, config, ItemCleanOutcome())
    return {_block_key(block) for field_ in fields for block in field_.blocks}


def html_field_evidence(
    adapter: ItemAdapter, config: CleanConfig, outcome: ItemCleanOutcome
) -> PageEvidence | None:
    """The page evidence of the item's own HTML field (:attr:`CleanConfig.html_field`).

    Call it after :func:`prepare_item`: only the blocks it read
    (``outcome.blocks``) are judged. None when no field is configured or the
    item has none; a value that is not text is noted in *outcome*
    (``problems``) and ignored.
    """
    name = config.html_field
    if name is None or name not in adapter:
        return None
    value = adapter[name]
    if not isinstance(value, (str, bytes)) or not value:
        outcome.problems[name] = f"bad_type_{type(value).__name__}"
        return None
    from scrapy_newsclean.cleaning._page_evidence import (  # noqa: PLC0415
        block_key,
        page_evidence_from_html,  # lxml is loaded only by items that need it
    )

    # The blocks judged as in a crawl: the item's own, already prepared.
    wanted = {block_key(block) for block in outcome.blocks}
    evidence = page_evidence_from_html(value, wanted)
    return evidence or None


def clean_item(
    adapter: ItemAdapter,
    config: CleanConfig,
    template: TemplateLookup | None = None,
    evidence: PageEvidence | None = None,
) -> ItemCleanOutcome:
    """Clean every configured text field of the item in place.

    A ``str`` or UTF-8 ``bytes`` value becomes the cleaned ``str``; a list of
    paragraphs stays a list of the kept paragraphs. Fields that are absent are
    ignored; unusable values are left untouched and named in ``problems``.
    """
    outcome = ItemCleanOutcome()
    fields = prepare_item(adapter, config, outcome)
    if evidence is None:
        evidence = html_field_evidence(adapter, config, outcome)
    clean_prepared(adapter, fields, config, outcome, template, evidence=evidence)
    return outcome

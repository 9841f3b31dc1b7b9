"""What happens to one item: the cleaning and near-duplicate decisions (pure).

:class:`ItemProcessor` is shared by the Scrapy pipelines and the offline CLI,
so a crawl and a backfill decide identically. Side effects go through
:class:`Effects` (stats and logs in a crawl, counters and stderr in the CLI);
a drop is ``effects.drop(...)``, which raises the caller's exception.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from scrapy_newsclean import _defaults
from scrapy_newsclean._sites import site_of
from scrapy_newsclean.cleaning._item import (
    CleanConfig,
    ItemCleanOutcome,
    clean_prepared,
    html_field_evidence,
    prepare_item,
)
from scrapy_newsclean.cleaning._site_templates import (
    SAMPLE_SIZE,
    UNRELATED_BITS,
    SiteTemplateView,
    block_template_keys,
)
from scrapy_newsclean.neardup._fingerprint import fingerprint
from scrapy_newsclean.neardup._item_text import dedup_text
from scrapy_newsclean.neardup._near import duplicate_reason
from scrapy_newsclean.neardup._params import DEFAULT, SimhashConfig
from scrapy_newsclean.stores import (
    Match,
    Reservation,
    StoreUnavailable,
    TemplateSighting,
)
from scrapy_newsclean.stores._base import ResolvesNow

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from itemadapter import ItemAdapter

    from scrapy_newsclean.cleaning._page_evidence import PageEvidence
    from scrapy_newsclean.cleaning._site_templates import KeyForms, TemplateKeys
    from scrapy_newsclean.neardup._fingerprint import Fingerprint
    from scrapy_newsclean.stores import FingerprintStore

#: The template keys of a cleaned item, learned once the item is stored.
TemplateEntry = TemplateSighting
#: Items in a row whose text is the same short string: a placeholder (warned once).
PLACEHOLDER_RUN = 5
#: A longer text is never taken for a placeholder.
PLACEHOLDER_MAX_CHARS = 100
_CLEAN = CleanConfig()
#: Texts whose fingerprint :class:`RecentFingerprints` keeps (items in flight
#: between the cleaning and the dedup pipeline: Scrapy's CONCURRENT_ITEMS).
RECENT_FINGERPRINTS = 128
#: A longer text is fingerprinted again rather than kept alive by the cache.
RECENT_MAX_CHARS = 100_000


class RecentFingerprints:
    """The fingerprints of the last texts fingerprinted, shared by processors.

    In a crawl the cleaning and the dedup pipeline each have an
    :class:`ItemProcessor`; cleaning fingerprints an item's cleaned text (for
    its template sighting) and dedup then fingerprints the same text: with
    one instance shared, it is computed once. Keyed by the text and the
    :class:`SimhashConfig`; at most :data:`RECENT_FINGERPRINTS` entries, the
    oldest dropped first, none longer than :data:`RECENT_MAX_CHARS`.
    """

    __slots__ = ("_recent",)

    def __init__(self) -> None:
        self._recent: dict[tuple[str, SimhashConfig], Fingerprint] = {}

    def fingerprint(self, text: str, config: SimhashConfig) -> Fingerprint:
        """``fingerprint(text, config)``, computed once for a recent text."""
        key = (text, config)
        fp = self._recent.get(key)
        if fp is None:
            fp = fingerprint(text, config)
            if len(text) > RECENT_MAX_CHARS:
                return fp
            recent = self._recent
            if len(recent) >= RECENT_FINGERPRINTS:
                del recent[next(iter(recent))]
            recent[key] = fp
        return fp


#: The setting naming the field that each stage writes.
_FIELD_SETTINGS = {
    "clean": "NEWSCLEAN_REPORT_FIELD",
    "duplicate": "NEWSCLEAN_DUPLICATE_TAG_FIELD",
}


@dataclass(frozen=True, slots=True)
class ProcessConfig:
    """The resolved ``NEWSCLEAN_*`` settings of both item stages."""

    clean: CleanConfig | None = _CLEAN if _defaults.NEWSCLEAN_CLEAN_ENABLED else None
    dedup: bool = _defaults.NEWSCLEAN_DEDUP_ENABLED
    text_fields: tuple[str, ...] = _defaults.NEWSCLEAN_TEXT_FIELDS
    dedup_fields: tuple[str, ...] | None = _defaults.NEWSCLEAN_DEDUP_FIELDS
    url_field: str = _defaults.NEWSCLEAN_URL_FIELD
    keep_empty: bool = _defaults.NEWSCLEAN_KEEP_EMPTY
    report_field: str | None = _defaults.NEWSCLEAN_REPORT_FIELD
    templates: bool = _defaults.NEWSCLEAN_TEMPLATE_ENABLED
    template_min_pages: int = _defaults.NEWSCLEAN_TEMPLATE_MIN_PAGES
    scope: str = _defaults.NEWSCLEAN_DEDUP_SCOPE  # or "site"
    duplicate_action: str = _defaults.NEWSCLEAN_DUPLICATE_ACTION  # or "tag"
    tag_field: str = _defaults.NEWSCLEAN_DUPLICATE_TAG_FIELD
    no_text_action: str = _defaults.NEWSCLEAN_NO_TEXT_ACTION  # or "drop"
    min_words: int = _defaults.NEWSCLEAN_DEDUP_MIN_WORDS
    store_failure: str = _defaults.NEWSCLEAN_STORE_FAILURE  # or "drop"
    simhash: SimhashConfig = DEFAULT
    pending_wait: float = _defaults.NEWSCLEAN_DEDUP_PENDING_WAIT

    @property
    def needs_store(self) -> bool:
        """Whether a stage reads the store (fingerprints, or site templates)."""
        return self.dedup or (self.clean is not None and self.templates)


class Effects(Protocol):
    """Where the decisions go: counters, notes, drops."""

    def inc(self, event: str, count: int = 1, site: str | None = None) -> None:
        """Count ``<stage>/<event>`` (e.g. ``clean/items``), for *site* if given."""

    def note(self, url: str | None, message: str) -> None:
        """One line about an item that passes despite a problem."""

    def warn(self, url: str | None, message: str) -> None:
        """A misconfiguration seen in the items (said once by the caller)."""

    def drop(
        self, stage: str, reason: str, url: str | None, detail: str, **extra: Any
    ) -> NoReturn:
        """Record the drop and raise (the caller's exception)."""


class StoreAccess(Protocol):
    async def ready(self) -> FingerprintStore:
        """The open store; raises StoreUnavailable while it cannot be reached."""


class DirectStore:
    """:class:`StoreAccess` for a store that is already open."""

    def __init__(self, store: FingerprintStore) -> None:
        self.store = store

    async def ready(self) -> FingerprintStore:
        return self.store


class ItemProcessor:
    """Clean and check items; learn and commit once the caller stored them."""

    def __init__(
        self,
        config: ProcessConfig,
        store: StoreAccess | None,
        effects: Effects,
        sleep: Callable[[float], Awaitable[None]],
        fingerprints: RecentFingerprints | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.effects = effects
        self.sleep = sleep
        self._seen: FingerprintStore | None = None  # the store ready() gave
        self._now: ResolvesNow | None = None  # it, if it resolves without awaiting
        # cleaning's fingerprints, reused by dedup on the same text (shared by
        # the crawl's two pipelines)
        self.fingerprints = (
            RecentFingerprints() if fingerprints is None else fingerprints
        )
        # the short text of the last items and how many in a row had it
        self._run: tuple[str, int] | None = None
        self._warned: set[str] = set()  # misconfigurations already warned about

    async def _ready(self) -> FingerprintStore:
        """The open store (see :meth:`StoreAccess.ready`), remembered."""
        assert self.store is not None
        store = await self.store.ready()
        if store is not self._seen:
            self._seen = store
            self._now = store if isinstance(store, ResolvesNow) else None
        return store

    async def clean(
        self,
        adapter: ItemAdapter,
        url: str | None,
        evidence: PageEvidence | None = None,
    ) -> TemplateEntry | None:
        """Clean the item in place; the template entry to learn if it is stored.

        *evidence* is what the page the item came from tells about its blocks
        (a crawl's :class:`PageEvidenceMiddleware`); without it, the item's own
        HTML field when one is configured, else the text rules alone. An
        unexpected error leaves the item uncleaned (noted, counted).
        """
        assert self.config.clean is not None
        self.effects.inc("clean/items")
        outcome = ItemCleanOutcome()
        try:
            fields = prepare_item(adapter, self.config.clean, outcome)
            site = site_of(url)
            learn = bool(site) and self.config.templates and self.store is not None
            keys, known = block_template_keys(outcome.blocks) if learn else (None, None)
            template = await self._template(site, keys, known)
            if evidence is not None:
                outcome.evidence = "page"
            else:
                evidence = html_field_evidence(adapter, self.config.clean, outcome)
                outcome.evidence = "html_field" if evidence is not None else None
            clean_prepared(
                adapter, fields, self.config.clean, outcome, template, evidence=evidence
            )
        except Exception as exc:  # noqa: BLE001  # bad input must never stop a crawl
            self.effects.inc("clean/error")
            self.effects.note(
                url, f"could not clean ({exc!r}); the item passes uncleaned"
            )
            return None
        self._account(outcome, url, site)
        if outcome.emptied and not self.config.keep_empty:
            self.effects.drop(
                "clean",
                "empty_after_clean",
                url,
                f"{len(outcome.removed)} blocks removed, no text left",
                removed=outcome.report()["blocks_removed"],
            )
        if self.config.report_field:
            self._set(adapter, self.config.report_field, outcome.report(), "clean", url)
        return self._sighting(adapter, site, keys) if keys is not None else None

    def _sighting(
        self, adapter: ItemAdapter, site: str, keys: TemplateKeys
    ) -> TemplateSighting | None:
        """What the cleaned item teaches; prose keys with its text's simhash."""
        spread: frozenset[int] = frozenset()
        simhash = 0
        if keys.spread:
            config = self.config
            text, _ = dedup_text(adapter, config.text_fields, config.dedup_fields)
            fp = self._fingerprint(text) if text is not None else None
            if fp is not None and not fp.empty:
                spread, simhash = frozenset(keys.spread), fp.simhash
        if not keys.plain and not spread:
            return None
        return TemplateSighting(
            site, frozenset(keys.plain), spread, simhash, UNRELATED_BITS, SAMPLE_SIZE
        )

    def _fingerprint(self, text: str) -> Fingerprint:
        """``fingerprint(text)``, computed once for cleaning and dedup."""
        return self.fingerprints.fingerprint(text, self.config.simhash)

    async def _template(
        self, site: str, keys: TemplateKeys | None, known: dict[str, KeyForms] | None
    ) -> SiteTemplateView | None:
        if keys is None or not (keys.plain or keys.spread) or self.store is None:
            return None
        try:
            store = await self._ready()
            counts = await store.template_counts(
                site, keys.plain | keys.spread, time.time()
            )
        except StoreUnavailable:
            self._unreachable("clean/template_store_unavailable")
            return None
        least = self.config.template_min_pages
        return SiteTemplateView({k: c for k, c in counts.items() if c >= least}, known)

    def _account(self, outcome: ItemCleanOutcome, url: str | None, site: str) -> None:
        if outcome.removed:
            self.effects.inc("clean/items_cleaned")
        if outcome.evidence is not None:
            self.effects.inc(
                f"clean/page_evidence_items/reason_count/{outcome.evidence}"
            )
            self.effects.inc("clean/page_evidence_blocks_found", outcome.judged)
            missed = len(outcome.blocks) - outcome.judged
            if missed:
                self.effects.inc("clean/page_evidence_blocks_not_found", missed)
            if outcome.overruled:
                self.effects.inc("clean/page_evidence_overruled")
                self.effects.note(
                    url,
                    "the page would remove every block of"
                    f" {', '.join(outcome.overruled)}, where the text rules keep a"
                    " paragraph: its main container is not where the spider's text"
                    " came from; cleaned by the text rules alone",
                )
        blocks: dict[str, int] = {}
        chars: dict[str, int] = {}
        for removal in outcome.removed:  # one counter update per reason
            reason = removal.reason
            blocks[reason] = blocks.get(reason, 0) + 1
            chars[reason] = chars.get(reason, 0) + len(removal.text)
        for reason, count in blocks.items():
            self.effects.inc(
                f"clean/blocks_removed/reason_count/{reason}", count, site=site
            )
            self.effects.inc(
                f"clean/chars_removed/reason_count/{reason}", chars[reason]
            )
        for name, problem in outcome.problems.items():
            self.effects.inc(f"clean/field_skipped/reason_count/{problem}")
            self.effects.note(url, f"field {name!r} not cleaned ({problem})")
        for name, kind in outcome.converted.items():
            self.effects.inc(f"clean/field_converted/reason_count/{kind}")
            if kind == "html":
                self.effects.note(url, f"field {name!r} held HTML: cleaned as text")

    def _set(
        self, adapter: ItemAdapter, name: str, value: Any, stage: str, url: str | None
    ) -> None:
        try:
            adapter[name] = value
        except KeyError:
            self.effects.inc(f"{stage}/field_undeclared")
            if stage in self._warned:
                return
            self._warned.add(stage)
            item_class = type(adapter.item)
            setting = _FIELD_SETTINGS[stage]
            self.effects.warn(
                url,
                f"{setting} is {name!r}, which is not a field of"
                f" {item_class.__module__}.{item_class.__qualname__}: declare"
                f" {name} = scrapy.Field() there - no more will be shown (stat"
                f" newsclean/{stage}/field_undeclared counts the items)",
            )

    async def dedup(self, adapter: ItemAdapter, url: str | None) -> Reservation | None:
        """Check the item; the reservation to commit once it is stored.

        Near-duplicates, items without text and store failures follow the
        configured actions (drop through ``effects.drop``, or pass).
        """
        config = self.config
        self.effects.inc("duplicate/items")
        text, problem = dedup_text(adapter, config.text_fields, config.dedup_fields)
        self._watch_placeholder(adapter, text)
        fp = self._fingerprint(text) if text is not None else None
        if fp is None or fp.empty:
            self._no_text(url, problem or "no_words")
            return None
        if fp.size < config.min_words:
            # "NULL", "n/a": a placeholder, not an article; never a duplicate
            self._no_text(url, "too_short")
            return None
        scope = site_of(url) if config.scope == "site" else ""
        try:
            outcome = await self._check(scope, fp, url)
        except StoreUnavailable as exc:
            self._store_failed(url, exc)
            return None
        if isinstance(outcome, Reservation):
            self.effects.inc("duplicate/kept")
            return outcome
        if outcome.pending:  # waited in vain: its original may never be stored
            self._pending_timeout(url, outcome)
            return None
        self._duplicate(adapter, url, outcome)
        return None

    def _pending_timeout(self, url: str | None, match: Match) -> None:
        """Keep an item whose in-flight original did not resolve in time."""
        self.effects.inc("duplicate/pending_timeout_passed")
        self.effects.note(
            url,
            f"kept (pending_timeout): its near-duplicate {_kept(match)} (distance"
            f" {match.distance}) was still in flight after"
            f" {self.config.pending_wait:g} s (NEWSCLEAN_DEDUP_PENDING_WAIT);"
            " it passes unchecked",
        )

    async def _check(
        self, scope: str, fp: Fingerprint, url: str | None
    ) -> Match | Reservation:
        """Check-and-reserve; while the match is still in flight, wait for it.

        A match still in flight after ``pending_wait`` is returned as is (the
        caller keeps the item: a dead worker's reservation never drops one).
        """
        store = await self._ready()
        deadline = time.monotonic() + self.config.pending_wait
        delay = 0.01
        while True:
            outcome = await store.check_and_reserve(scope, fp, url, time.time())
            if not (isinstance(outcome, Match) and outcome.pending):
                return outcome
            if time.monotonic() >= deadline:
                return outcome
            self.effects.inc("duplicate/pending_waits")
            await self.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _duplicate(self, adapter: ItemAdapter, url: str | None, match: Match) -> None:
        reason = duplicate_reason(url, match.url)
        of = "already stored" if reason == "already_stored" else "near-duplicate of"
        detail = f"{of} {_kept(match)} (distance {match.distance})"
        # a store that does not keep URLs (Redis by default) names the fingerprint
        ref = {} if match.ref is None else {"ref": match.ref}
        if self.config.duplicate_action == "tag":
            self.effects.inc("duplicate/tagged")
            tag = {"of": match.url, "distance": match.distance, **ref}
            self._set(adapter, self.config.tag_field, tag, "duplicate", url)
            return
        self.effects.drop(
            "duplicate",
            reason,
            url,
            detail,
            duplicate_of=match.url,
            distance=match.distance,
            **{f"duplicate_{key}": value for key, value in ref.items()},
        )

    def _watch_placeholder(self, adapter: ItemAdapter, text: str | None) -> None:
        """Warn once when PLACEHOLDER_RUN items in a row have the same short text.

        The text is then a placeholder that a later pipeline fills in (as
        news-please's extractor does): newsclean runs too early.
        """
        if "placeholder" in self._warned:
            return
        short = text.strip() if text and len(text) < 4 * PLACEHOLDER_MAX_CHARS else ""
        if not short or len(short) > PLACEHOLDER_MAX_CHARS:
            self._run = None
            return
        run = self._run
        count = run[1] + 1 if run is not None and run[0] == short else 1
        self._run = (short, count)
        if count < PLACEHOLDER_RUN:
            return
        self._warned.add("placeholder")
        fields = self.config.dedup_fields or self.config.text_fields
        field = next((name for name in fields if name in adapter), fields[0])
        self.effects.warn(
            None,
            f"{count} items in a row have the same text {short!r} in field"
            f" {field!r}: a placeholder that a later pipeline fills in? Then"
            " newsclean's pipelines run too early: give them higher ITEM_PIPELINES"
            " numbers than that pipeline (the order is logged at start; README:"
            " Pipeline order)",
        )

    def _no_text(self, url: str | None, problem: str) -> None:
        self.effects.inc("duplicate/no_text")
        self.effects.inc(f"duplicate/no_text/reason_count/{problem}")
        if self.config.no_text_action == "drop":
            self.effects.drop("duplicate", "no_text", url, problem)
        self.effects.note(url, f"no text to fingerprint ({problem}); it passes")

    def _store_failed(self, url: str | None, exc: Exception) -> None:
        self._unreachable()
        if self.config.store_failure == "drop":
            self.effects.drop("duplicate", "store_unavailable", url, str(exc))
        self.effects.inc("duplicate/store_unavailable_passed")
        self.effects.note(url, f"store unavailable ({exc}); it passes unchecked")

    def _unreachable(self, event: str | None = None) -> None:
        """Count a store call that failed because the store could not be reached.

        The one place that counts ``store/unavailable`` (once per failed call,
        whichever stage made it), plus the stage's own *event* if given.
        """
        self.effects.inc("store/unavailable")
        if event is not None:
            self.effects.inc(event)

    def learn_now(self, entry: TemplateEntry) -> Awaitable[None] | None:
        """:meth:`learn` at once if the store allows it, else its awaitable."""
        if self._now is None:
            return self.learn(entry)
        self._now.add_template_keys_now(entry, time.time())
        return None

    def commit_now(self, reservation: Reservation) -> Awaitable[None] | None:
        """:meth:`commit` at once if the store allows it, else its awaitable."""
        if self._now is None:
            return self.commit(reservation)
        self._now.commit_now(reservation, time.time())
        self.effects.inc("duplicate/committed")
        return None

    def release_now(self, reservation: Reservation) -> Awaitable[None] | None:
        """:meth:`release` at once if the store allows it, else its awaitable."""
        if self._now is None:
            return self.release(reservation)
        self._now.release_now(reservation)
        self.effects.inc("duplicate/released")
        return None

    async def learn(self, entry: TemplateEntry) -> None:
        """The item reached storage: its blocks count towards the site template."""
        try:
            store = await self._ready()
            await store.add_template_keys(entry, time.time())
        except StoreUnavailable:
            self._unreachable("clean/template_store_unavailable")

    async def commit(self, reservation: Reservation) -> None:
        """The item reached storage: keep its fingerprint."""
        try:
            store = await self._ready()
            await store.commit(reservation, time.time())
        except StoreUnavailable as exc:
            self._unreachable("duplicate/commit_failed")
            self.effects.note(
                reservation.url, f"could not commit its fingerprint: {exc}"
            )
        else:
            self.effects.inc("duplicate/committed")

    async def release(self, reservation: Reservation) -> None:
        """The item never reached storage: forget its fingerprint."""
        try:
            store = await self._ready()
            await store.release(reservation)
        except StoreUnavailable:
            self._unreachable("duplicate/release_failed")
        else:
            self.effects.inc("duplicate/released")


def _kept(match: Match) -> str:
    """The kept article for a log line: its URL, else the store's id for it."""
    if match.url is not None or match.ref is None:
        return str(match.url)
    return f"fingerprint {match.ref} (URL not stored)"

"""``memory://``: fingerprints and templates in this process only.

Also the hot path of the SQLite store, which subclasses :class:`MemoryStore`
and persists what it commits.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrapy_newsclean.neardup._index import NearIndex
from scrapy_newsclean.neardup._near import counts_as_duplicate
from scrapy_newsclean.neardup._params import DEFAULT
from scrapy_newsclean.stores._base import Match, Reservation

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from typing_extensions import Self

    from scrapy_newsclean.neardup._fingerprint import Fingerprint
    from scrapy_newsclean.neardup._params import SimhashConfig
    from scrapy_newsclean.stores._base import StoreOptions, TemplateSighting

#: Most template keys kept per site (least recently counted go first).
DEFAULT_MAX_TEMPLATE_KEYS = 4096


@dataclass(slots=True)
class Record:
    """What the store knows about one indexed fingerprint."""

    scope: str
    url: str | None
    time: float
    pending: bool
    sketch: int  # the index's removal hint


@dataclass(slots=True)
class Learned:
    """What the store knows about one template key of a site."""

    count: int
    seen: float  # when last counted (the TTL runs from it)
    sample: tuple[int, ...] = ()  # simhashes of unrelated pages it was counted on


class MemoryStore:
    """Fingerprints in a :class:`~scrapy_newsclean.neardup._index.NearIndex` per scope.

    Check-and-reserve runs without awaiting anything, so it is atomic within
    the event loop: two concurrent items of the same story never both pass.
    """

    display_uri = "memory://"

    def __init__(
        self,
        config: SimhashConfig = DEFAULT,
        ttl: float | None = None,
        max_template_keys: int = DEFAULT_MAX_TEMPLATE_KEYS,
    ) -> None:
        self.config = config
        self.ttl = ttl
        self.max_template_keys = max_template_keys
        self._indexes: dict[str, NearIndex] = {}
        self._records: dict[int, Record] = {}
        self._templates: dict[str, OrderedDict[int, Learned]] = {}
        self._next_ref = 1

    @classmethod
    def from_uri(cls, uri: str, options: StoreOptions) -> Self:
        """``memory://`` (the rest of the URI is ignored)."""
        return cls(options.config, options.ttl)

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        """Forget reservations never committed, as a crash would."""
        for ref, record in list(self._records.items()):
            if record.pending:
                self._forget(record.scope, ref, record.sketch)

    def __len__(self) -> int:
        return sum(len(index) for index in self._indexes.values())

    def _index(self, scope: str) -> NearIndex:
        index = self._indexes.get(scope)
        if index is None:
            index = self._indexes[scope] = NearIndex(self.config)
        return index

    def _expired(self, record: Record, now: float) -> bool:
        return (
            self.ttl is not None and not record.pending and record.time < now - self.ttl
        )

    def _lookup(self, ref: int) -> Record | None:
        return self._records.get(ref)

    def _forget(self, scope: str, ref: int, sketch: int | None) -> None:
        self._index(scope).remove(ref, sketch)
        self._records.pop(ref, None)

    async def check_and_reserve(
        self, scope: str, fingerprint: Fingerprint, url: str | None, now: float
    ) -> Match | Reservation:
        return self.check_and_reserve_now(scope, fingerprint, url, now)

    def check_and_reserve_now(
        self, scope: str, fingerprint: Fingerprint, url: str | None, now: float
    ) -> Match | Reservation:
        """Synchronous :meth:`check_and_reserve` (atomic: no await inside)."""
        index = self._index(scope)
        looked_up: dict[int, Record | None] = {}  # a SQLite lookup is a query

        def accept(ref: int, distance: int) -> bool:
            record = looked_up[ref] = self._lookup(ref)
            if record is None or self._expired(record, now):
                return True  # found, then forgotten below
            return counts_as_duplicate(distance, url, record.url, self.config)

        while (hit := index.find(fingerprint, accept)) is not None:
            ref, distance = hit
            record = looked_up[ref]  # accept() read it when it chose the hit
            if record is not None and not self._expired(record, now):
                return Match(record.url, distance, record.pending)
            self._forget(scope, ref, record.sketch if record else None)
        ref = self._next_ref
        self._next_ref += 1
        if not fingerprint.empty:
            index.add(fingerprint, ref)
            self._records[ref] = Record(scope, url, now, True, fingerprint.sketch)
        return Reservation(scope, fingerprint, url, ref)

    async def commit(self, reservation: Reservation, now: float) -> None:
        self.commit_now(reservation, now)

    def commit_now(self, reservation: Reservation, now: float) -> None:
        """Synchronous :meth:`commit`."""
        record = self._records.get(reservation.ref)
        if record is not None:
            record.pending = False
            record.time = now

    async def release(self, reservation: Reservation) -> None:
        self.release_now(reservation)

    def release_now(self, reservation: Reservation) -> None:
        """Synchronous :meth:`release`."""
        if reservation.ref in self._records:
            self._forget(
                reservation.scope, reservation.ref, reservation.fingerprint.sketch
            )

    def _live(self, learned: Learned, now: float) -> bool:
        return self.ttl is None or learned.seen >= now - self.ttl

    async def template_counts(
        self, site: str, keys: Iterable[int], now: float
    ) -> Mapping[int, int]:
        learned = self._templates.get(site)
        if not learned:
            return {}
        found = ((key, learned.get(key)) for key in keys)
        return {
            key: entry.count
            for key, entry in found
            if entry is not None and self._live(entry, now)
        }

    async def add_template_keys(self, sighting: TemplateSighting, now: float) -> None:
        self.add_template_keys_now(sighting, now)

    def add_template_keys_now(self, sighting: TemplateSighting, now: float) -> None:
        """Synchronous :meth:`add_template_keys`."""
        learned = self._templates.setdefault(sighting.site, OrderedDict())
        for key in sighting.plain:
            self._count(learned, key, now).count += 1
        for key in sighting.spread:
            entry = self._count(learned, key, now)
            if sighting.unrelated(entry.sample):
                entry.count += 1
                if len(entry.sample) < sighting.sample_size:
                    entry.sample += (sighting.simhash,)
        while len(learned) > self.max_template_keys:
            learned.popitem(last=False)

    def _count(
        self, learned: OrderedDict[int, Learned], key: int, now: float
    ) -> Learned:
        """The key's entry, now its latest (a new one if it was absent or expired)."""
        entry = learned.get(key)
        if entry is None or not self._live(entry, now):
            entry = learned[key] = Learned(0, now)
        entry.seen = now
        learned.move_to_end(key)
        return entry

"""What every fingerprint store offers, and the values it exchanges.

A store answers one question atomically: *is there a kept article near this
fingerprint? If not, reserve this one.* A reservation becomes permanent with
:meth:`FingerprintStore.commit` (the item reached storage) or disappears with
:meth:`FingerprintStore.release` (it did not), so a fingerprint never makes a
later article look like a duplicate of something that was never stored.

Stores also keep the per-site template counts learned by the cleaning stage
(:class:`TemplateSighting`), which expire with the fingerprint TTL.

A store class is registered for a URI scheme (:setting:`NEWSCLEAN_STORES`) and
built by its ``from_uri(uri, options)`` classmethod (:class:`StoreOptions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from scrapy_newsclean._defaults import (
    NEWSCLEAN_DEDUP_HEARTBEAT,
    NEWSCLEAN_DEDUP_LEASE,
    NEWSCLEAN_DEDUP_TTL,
    NEWSCLEAN_STORE_PREFIX,
)
from scrapy_newsclean.neardup._params import DEFAULT

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from scrapy_newsclean.neardup._fingerprint import Fingerprint
    from scrapy_newsclean.neardup._params import SimhashConfig


class StoreUnavailable(Exception):
    """The store cannot be reached (a network store is down)."""


class StoreLocked(Exception):
    """Another process holds this store (an embedded store is single-writer)."""


@dataclass(frozen=True, slots=True)
class Match:
    """A kept (or in-flight) article that the new one nearly duplicates.

    ``url``: the kept article's URL, None when the store does not know it (a
    Redis store without ``?urls=1`` knows only the URLs of its own
    reservations, and the item's own URL fetched again). ``ref``: optional,
    the store's name for the kept fingerprint (the Redis store: its id in
    hex), for logs when ``url`` is None; not part of equality.
    """

    url: str | None
    distance: int
    pending: bool = False  # reserved by an item that has not reached storage yet
    ref: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A fingerprint held for one in-flight item until commit or release."""

    scope: str
    fingerprint: Fingerprint
    url: str | None
    ref: int


@dataclass(frozen=True, slots=True)
class TemplateSighting:
    """The learnable blocks of one stored page of a site.

    Each key of ``plain`` counts one page more. A key of ``spread`` counts
    one page more only when ``simhash`` (the page's) is at least ``bits``
    from every simhash of the key's sample; the store then adds it to the
    sample, which keeps the first ``sample_size`` such pages (see
    :mod:`~scrapy_newsclean.cleaning._site_templates`).
    """

    site: str
    plain: frozenset[int]
    spread: frozenset[int] = frozenset()
    simhash: int = 0
    bits: int = 0
    sample_size: int = 0

    def unrelated(self, sample: Iterable[int]) -> bool:
        """Whether the page is at least ``bits`` from every page of *sample*."""
        return all((self.simhash ^ other).bit_count() >= self.bits for other in sample)


@dataclass(frozen=True, slots=True)
class StoreOptions:
    """What a store is built with, besides its URI (plain values, no Scrapy objects).

    ``config``: the near-duplicate parameters (:setting:`NEWSCLEAN_DEDUP_DISTANCE`);
    ``ttl``: seconds a committed fingerprint counts, None for ever
    (:setting:`NEWSCLEAN_DEDUP_TTL`); ``prefix``: the namespace of a shared
    store's keys (:setting:`NEWSCLEAN_STORE_PREFIX`); ``lease`` and
    ``heartbeat``: how long a store shared by processes holds an in-flight
    item's reservation after its process last renewed it, and how often a
    live process renews its own (:setting:`NEWSCLEAN_DEDUP_LEASE`,
    :setting:`NEWSCLEAN_DEDUP_HEARTBEAT`); ``settings``: every
    ``NEWSCLEAN_*`` setting of the crawl or CLI run, by name, so that a
    third-party store can read its own options.
    """

    config: SimhashConfig = DEFAULT
    ttl: float | None = NEWSCLEAN_DEDUP_TTL
    prefix: str = NEWSCLEAN_STORE_PREFIX
    lease: float = NEWSCLEAN_DEDUP_LEASE
    heartbeat: float = NEWSCLEAN_DEDUP_HEARTBEAT
    settings: Mapping[str, Any] = field(default_factory=dict)


class FingerprintStore(Protocol):
    """Fingerprints of kept articles (near-duplicate lookup) and site templates.

    A class registered in :setting:`NEWSCLEAN_STORES` also has the classmethod
    ``from_uri(cls, uri: str, options: StoreOptions) -> Self``, which builds a
    store that is not opened yet. :mod:`scrapy_newsclean.testing` holds the
    contract suite every store passes.
    """

    #: The store URI with any password hidden, for logs.
    display_uri: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def check_and_reserve(
        self, scope: str, fingerprint: Fingerprint, url: str | None, now: float
    ) -> Match | Reservation:
        """The nearest verified near duplicate in *scope*, else a reservation."""

    async def commit(self, reservation: Reservation, now: float) -> None:
        """The reserved item reached storage: keep its fingerprint for the TTL."""

    async def release(self, reservation: Reservation) -> None:
        """The reserved item never reached storage: forget its fingerprint."""

    async def template_counts(
        self, site: str, keys: Iterable[int], now: float
    ) -> Mapping[int, int]:
        """How many stored articles of *site* counted each block key.

        A key last counted more than the TTL before *now* is absent.
        """

    async def add_template_keys(self, sighting: TemplateSighting, now: float) -> None:
        """Count one more stored article for the keys of *sighting* (atomically).

        A key last counted more than the TTL before *now* starts again from 0.
        """


@runtime_checkable
class ResolvesNow(Protocol):
    """Optional: a store (in-process) that resolves reservations without awaiting.

    Callers that find these methods may use them instead of the awaitable
    :meth:`~FingerprintStore.commit`, :meth:`~FingerprintStore.release` and
    :meth:`~FingerprintStore.add_template_keys`, to the same effect.
    """

    def commit_now(self, reservation: Reservation, now: float) -> None: ...

    def release_now(self, reservation: Reservation) -> None: ...

    def add_template_keys_now(self, sighting: TemplateSighting, now: float) -> None:
        """Synchronous :meth:`~FingerprintStore.add_template_keys`."""

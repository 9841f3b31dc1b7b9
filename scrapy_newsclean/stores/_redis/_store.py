"""``redis://host:port/db``: fingerprints shared by many crawler processes.

Every check-and-reserve is one Lua script
(:mod:`~scrapy_newsclean.stores._redis._scripts`; ``EVALSHA``, reloaded after a
server restart), so two processes never both reserve the same story. Ids are
random (48 bits) and chosen by the client, so a script retried after a
dropped connection recognises its own entry instead of reporting it as a
duplicate.
Keys: :mod:`~scrapy_newsclean.stores._redis._keys`; outages:
:mod:`~scrapy_newsclean.stores._redis._connection`.

While the store is open, a heartbeat renews this process's pending
reservations every ``heartbeat`` seconds (one script call), so they last as
long as the process lives and expire ``lease`` seconds after it dies.

The kept article's URL is not stored (layout 2: hashes of the URL and its
host in each entry serve the same-host rule and recognise a URL fetched
again): a :class:`~scrapy_newsclean.stores.Match` names the kept
fingerprint's id (``ref``), and its URL when it was reserved by this store
object (a bounded memo) or when the item's own URL is the kept one. The URI
option ``?urls=1`` stores every kept URL too (at 1M fingerprints with
85-character URLs: 215.7 instead of 87.3 bytes per fingerprint).

Site templates are counted by one script call per page and cut back to
``max_template_keys`` (lowest counts, then oldest, first) when they grow 25%
over.
"""

from __future__ import annotations

import asyncio
import secrets
import struct
import time
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy_newsclean import _defaults, _imports
from scrapy_newsclean._bounded_memo import Memo
from scrapy_newsclean.neardup._fingerprint import FINGERPRINT_VERSION
from scrapy_newsclean.neardup._params import DEFAULT
from scrapy_newsclean.neardup._sketch import sketch_bins
from scrapy_newsclean.stores._base import Match, Reservation, StoreUnavailable
from scrapy_newsclean.stores._memory import DEFAULT_MAX_TEMPLATE_KEYS
from scrapy_newsclean.stores._redis._connection import RedisConnection, display
from scrapy_newsclean.stores._redis._keys import (
    ID_BYTES,
    LAYOUT,
    expiry_seconds,
    item_args,
    meta_key,
    parse_version,
    template_key,
    version_value,
)
from scrapy_newsclean.stores._redis._scripts import SCRIPTS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from typing_extensions import Self

    from scrapy_newsclean.neardup._fingerprint import Fingerprint
    from scrapy_newsclean.neardup._params import SimhashConfig
    from scrapy_newsclean.stores._base import StoreOptions, TemplateSighting

#: Most items sent in one script call (bounds the time Redis is busy).
BATCH = 500
_SWEEP_EVERY = 16
_SAFETY_MARGIN = 86400.0
#: URLs of this store object's own reservations remembered for matches
#: (two generations of this many).
URL_MEMO = 8192
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def split_options(uri: str) -> tuple[str, bool | None]:
    """*uri* without the store's own query option ``urls``, and its value
    (None when absent); redis-py would refuse an unknown option."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    found = [value for name, value in query if name == "urls"]
    if not found:
        return uri, None
    value = found[-1].strip().lower()
    if value not in _TRUE + _FALSE:
        raise ValueError(
            f"the redis store option urls={found[-1]!r} must be 1 or 0 (true/false)"
        )
    rest = urlencode([(name, v) for name, v in query if name != "urls"])
    return urlunsplit(parts._replace(query=rest)), value in _TRUE


class RedisStore:
    """Fingerprints and site templates in Redis, shared by many processes.

    ``uri`` is ``redis://[:password@]host:port/db``, ``rediss://…`` or
    ``unix:///path?db=0``; keys start with ``prefix``
    (:setting:`NEWSCLEAN_STORE_PREFIX`).
    ``lease``: seconds a reservation blocks others after its process last
    renewed it (then it counts as released: the process died);
    ``heartbeat``: seconds between renewals of this process's pending
    reservations (:setting:`NEWSCLEAN_DEDUP_LEASE`,
    :setting:`NEWSCLEAN_DEDUP_HEARTBEAT`); :meth:`close` releases them at once.
    ``store_urls``: keep every kept article's URL in Redis too (the URI
    option ``?urls=1``; default off, see the module docstring). Every
    failure to reach Redis raises
    :exc:`~scrapy_newsclean.stores._base.StoreUnavailable`; the next call
    reconnects.
    """

    def __init__(
        self,
        uri: str,
        *,
        prefix: str = "newsclean",
        config: SimhashConfig = DEFAULT,
        ttl: float | None = None,
        lease: float = _defaults.NEWSCLEAN_DEDUP_LEASE,
        heartbeat: float = _defaults.NEWSCLEAN_DEDUP_HEARTBEAT,
        max_template_keys: int = DEFAULT_MAX_TEMPLATE_KEYS,
        connect_timeout: float = 2.0,
        timeout: float = 10.0,
        store_urls: bool | None = None,
    ) -> None:
        plain, option = split_options(uri)
        self.store_urls = bool(option if store_urls is None else store_urls)
        self._redis = RedisConnection(
            plain, connect_timeout=connect_timeout, timeout=timeout
        )
        self.display_uri = self._redis.display_uri = display(uri)
        if _imports.redis is None:
            raise ValueError(
                f"NEWSCLEAN_STORE={self.display_uri!r} needs the redis package:"
                " pip install scrapy-newsclean[redis]"
            )
        if not 0 < heartbeat < lease:
            raise ValueError(
                f"heartbeat ({heartbeat!r} s) must be > 0 and shorter than the"
                f" lease ({lease!r} s)"
            )
        self.prefix, self.config, self.ttl, self.lease = prefix, config, ttl, lease
        self.heartbeat = heartbeat
        self._beat: asyncio.Task[None] | None = None
        self.max_template_keys = max_template_keys
        self._bands = len(sketch_bins(0))
        # this process's reservations still pending: released at close
        self._pending: dict[int, Reservation] = {}
        # id -> URL of this store's reservations, to name the kept article
        self._urls: Memo[int, str] = Memo(URL_MEMO)
        # the script arguments of each pending reservation (computed once)
        self._args: dict[int, list[Any]] = {}

    def _item_args(self, r: Reservation) -> list[Any]:
        args = self._args.get(r.ref)
        if args is None:
            args = item_args(self.prefix, r.scope, r.fingerprint, r.ref, r.url)
        return args

    @classmethod
    def from_uri(cls, uri: str, options: StoreOptions) -> Self:
        """``redis://``, ``rediss://`` or ``unix://`` (redis-py's URL forms)."""
        return cls(
            uri,
            prefix=options.prefix,
            config=options.config,
            ttl=options.ttl,
            lease=options.lease,
            heartbeat=options.heartbeat,
        )

    @property
    def client(self) -> Any:
        return self._redis.client

    async def open(self) -> None:
        """Connect, check the server answers and the stored fingerprint version."""
        self._redis.connect(SCRIPTS)
        client, meta = self._redis.client, meta_key(self.prefix)
        try:
            with self._redis.errors("connect"):
                await client.ping()
                await client.hsetnx(meta, "version", version_value(FINGERPRINT_VERSION))
                stored = await client.hget(meta, "version")
        except StoreUnavailable:
            await self.close()
            raise
        version, layout = parse_version(stored or b"")
        if version != str(FINGERPRINT_VERSION):
            await self.close()
            raise ValueError(
                f"{self.display_uri} prefix {self.prefix!r} holds fingerprints of"
                f" version {version!r}, this scrapy-newsclean computes version"
                f" {FINGERPRINT_VERSION}: use another NEWSCLEAN_STORE_PREFIX"
            )
        if layout != LAYOUT:
            await self.close()
            raise ValueError(
                f"{self.display_uri} prefix {self.prefix!r} holds fingerprints in"
                f" the Redis key layout {layout} (of an earlier scrapy-newsclean),"
                f" this scrapy-newsclean reads layout {LAYOUT} only: use another"
                " NEWSCLEAN_STORE_PREFIX, or delete the prefix's keys to start"
                f" afresh (redis-cli --scan --pattern '{self.prefix}:*'"
                " | xargs redis-cli unlink)"
            )
        self._beat = asyncio.get_running_loop().create_task(self._heartbeat())

    async def _heartbeat(self) -> None:
        """Renew this process's pending reservations until :meth:`close`."""
        while True:
            await asyncio.sleep(self.heartbeat)
            with suppress(StoreUnavailable):  # Redis down: the next beat retries
                await self.renew(time.time())

    async def renew(self, now: float) -> None:
        """Extend this process's pending reservations to ``now + lease``.

        One script call per :data:`BATCH`; a reservation committed, released
        or already expired meanwhile is left as it is.
        """
        items = [r for r in self._pending.values() if not r.fingerprint.empty]
        head = [now, expiry_seconds(now + self.lease), self.config.distance]
        head.append(self._bands)
        for start in range(0, len(items), BATCH):
            args = list(head)
            for r in items[start : start + BATCH]:
                args += self._item_args(r)
            with self._redis.errors("renew reservations"):
                await self._redis.script("renew")(args=args)

    async def close(self) -> None:
        """Release this process's pending reservations (best effort) and disconnect."""
        beat, self._beat = self._beat, None
        if beat is not None:
            beat.cancel()
            with suppress(asyncio.CancelledError):
                await beat
        if not self._redis.is_open:
            return
        with suppress(StoreUnavailable):  # else their lease runs out
            await self.release_many(list(self._pending.values()))
        await self._redis.disconnect()

    def _safety(self) -> int:
        if self.ttl is None:
            return 0
        return int(self.ttl + self.lease + _SAFETY_MARGIN)

    async def check_and_reserve(
        self, scope: str, fingerprint: Fingerprint, url: str | None, now: float
    ) -> Match | Reservation:
        (outcome,) = await self.check_and_reserve_many([(scope, fingerprint, url)], now)
        return outcome

    async def check_and_reserve_many(
        self, items: Sequence[tuple[str, Fingerprint, str | None]], now: float
    ) -> list[Match | Reservation]:
        """:meth:`check_and_reserve` for each item, in order, in one script call.

        Each item sees the reservations of the items before it.
        """
        reservations = [
            Reservation(scope, fp, url, secrets.randbits(8 * ID_BYTES))
            for scope, fp, url in items
        ]
        outcomes: list[Match | Reservation] = list(reservations)
        todo = [i for i, r in enumerate(reservations) if not r.fingerprint.empty]
        # the rule is a shared sketch bin (the bucket) + the simhash distance,
        # closer on the item's own host (counts_as_duplicate)
        head: list[Any] = [now, self.lease, self.config.distance, self._bands]
        head += [self._safety(), _SWEEP_EVERY, self.config.same_host_distance]
        head.append(int(self.store_urls))
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            args = list(head)
            items_args = []
            for i in chunk:
                r = reservations[i]
                items_args.append(
                    item_args(self.prefix, r.scope, r.fingerprint, r.ref, r.url)
                )
                args += items_args[-1]
            with self._redis.errors("check a fingerprint"):
                replies = await self._redis.script("check")(args=args)
            for i, item, reply in zip(chunk, items_args, replies, strict=True):
                if reply[0] != 1:
                    r = reservations[i]
                    self._pending[r.ref] = r
                    self._args[r.ref] = item
                    if r.url is not None:
                        self._urls.put(r.ref, r.url)
            for i, reply in zip(chunk, replies, strict=True):
                if reply[0] == 1:
                    outcomes[i] = self._match(reply, reservations[i].url)
        return outcomes

    def _match(self, reply: list[Any], url: str | None) -> Match:
        """A CHECK reply {1, distance, pending, id, same URL, stored URL}."""
        _, distance, pending, eid, same, stored = reply
        ref = int.from_bytes(eid, "big")
        if stored:
            kept: str | None = stored.decode("utf-8", "replace")
        elif same:  # the item's URL hashes as the kept one's: fetched again
            kept = url
        else:
            kept = self._urls.get(ref)
        return Match(kept, int(distance), pending=pending == 1, ref=eid.hex())

    async def commit(self, reservation: Reservation, now: float) -> None:
        await self.commit_many([reservation], now)

    async def commit_many(
        self, reservations: Iterable[Reservation], now: float
    ) -> None:
        """:meth:`commit` several reservations in one script call."""
        expiry = "" if self.ttl is None else expiry_seconds(now + self.ttl)
        await self._settle(reservations, [now, expiry], "commit a fingerprint")

    async def release(self, reservation: Reservation) -> None:
        await self.release_many([reservation])

    async def release_many(self, reservations: Iterable[Reservation]) -> None:
        """:meth:`release` several reservations in one script call."""
        await self._settle(reservations, None, "release a fingerprint")

    async def _settle(
        self, reservations: Iterable[Reservation], times: list[Any] | None, action: str
    ) -> None:
        items = [r for r in reservations if not r.fingerprint.empty]
        cached = [self._item_args(r) for r in items]
        for r in items:
            self._pending.pop(r.ref, None)
            self._args.pop(r.ref, None)
        head = [*(times or ["", ""]), self.config.distance, self._bands]
        head += [self._safety(), int(self.store_urls)]
        for start in range(0, len(items), BATCH):
            args = list(head)
            for item in cached[start : start + BATCH]:
                if times is None:  # no simhash: release
                    args += [*item[:2], b"", *item[3:]]
                else:
                    args += item
            with self._redis.errors(action):
                await self._redis.script("settle")(args=args)

    async def template_counts(
        self, site: str, keys: Iterable[int], now: float
    ) -> Mapping[int, int]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        with self._redis.errors("read template counts"):
            values = await self.client.hmget(
                template_key(self.prefix, site),
                [key.to_bytes(8, "big") for key in keys],
            )
        oldest = None if self.ttl is None else now - self.ttl
        counts = {}
        for key, value in zip(keys, values, strict=True):
            if value is None:
                continue
            if value.isdigit():  # written before templates expired
                counts[key] = int(value)
                continue
            count, seen = struct.unpack_from(">Id", value)
            if oldest is None or seen >= oldest:
                counts[key] = count
        return counts

    async def add_template_keys(self, sighting: TemplateSighting, now: float) -> None:
        plain = [key.to_bytes(8, "big") for key in sighting.plain]
        spread = [key.to_bytes(8, "big") for key in sighting.spread]
        if not plain and not spread:
            return
        args = [
            now,
            "" if self.ttl is None else now - self.ttl,
            self._safety(),
            sighting.simhash.to_bytes(8, "big"),
            sighting.bits,
            sighting.sample_size,
            self.max_template_keys,
            len(plain),
            *plain,
            *spread,
        ]
        with self._redis.errors("count template keys"):
            await self._redis.script("learn")(
                keys=[template_key(self.prefix, sighting.site)], args=args
            )

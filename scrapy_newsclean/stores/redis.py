"""``redis://host:port/db``: fingerprints shared by many crawler processes.

Every check-and-reserve is one Lua script (``EVALSHA``, reloaded after a
server restart), so two processes never both reserve the same story.

Layout per scope (``{prefix}:fp:{scope}``), a constant number of keys:

- ``…:d{k}:b{i}``: one hash per sketch bin (:func:`~scrapy_newsclean.simhash.sketch_bins`);
  field = the bin's value (3 bytes), value = the bucket's entries, 32 bytes each: simhash and sketch
  (big-endian, read as four 32-bit halves by Lua's ``bit`` ops), an 8-byte id
  and the expiry time (a double: ``now + lease`` while pending, ``now + ttl``
  once committed, infinity without a TTL);
- ``…:u``: id -> ``P`` (pending) or ``C`` (committed), then ``=url`` if any;
- ``…:m``: the cleaning sweep's counter and cursors.

Expiry is judged by the caller's ``now``, never the server clock: a lookup
drops the expired entries of the buckets it reads, and every 16th insertion
sweeps a few more buckets (``HSCAN``), so dead entries never pile up. A
server-side ``EXPIRE`` (TTL + lease + one day, renewed by every write) only
removes scopes nobody writes to any more. Ids are random and chosen by the
client, so a script retried after a dropped connection recognises its own
entry instead of reporting it as a duplicate.

Site templates: ``{prefix}:tpl:{site}``, a hash of 8-byte key -> count, cut
back to ``max_template_keys`` (lowest counts first) when it grows 25% over.
"""

from __future__ import annotations

import re
import secrets
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from scrapy_newsclean import _imports
from scrapy_newsclean.simhash import DEFAULT, FINGERPRINT_VERSION, sketch_bins
from scrapy_newsclean.stores.base import Match, Reservation, StoreUnavailable
from scrapy_newsclean.stores.memory import DEFAULT_MAX_TEMPLATE_KEYS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from scrapy_newsclean.simhash import Fingerprint, SimhashConfig

#: Seconds a pending reservation holds before it counts as released.
DEFAULT_LEASE = 300.0
#: Most items sent in one script call (bounds the time Redis is busy).
BATCH = 500
_SWEEP_EVERY = 16
_SAFETY_MARGIN = 86400.0

_LUA_COMMON = """
local band, bxor, rshift = bit.band, bit.bxor, bit.rshift
local function pop(x)
  x = x - band(rshift(x, 1), 0x55555555)
  x = band(x, 0x33333333) + band(rshift(x, 2), 0x33333333)
  x = band(x + rshift(x, 4), 0x0F0F0F0F)
  x = x + rshift(x, 8)
  x = x + rshift(x, 16)
  return band(x, 0x3F)
end
-- the entries of one bucket alive at `now` (nil: all); expired ones lose their url
local function live(hkey, field, now, ukey)
  local s = redis.call('HGET', hkey, field)
  local out, dirty = {}, false
  if not s then return out, false end
  for pos = 1, #s, 32 do
    local e = string.sub(s, pos, pos + 31)
    if now and struct.unpack('>d', e, 25) < now then
      dirty = true
      redis.call('HDEL', ukey, string.sub(e, 17, 24))
    else
      out[#out + 1] = e
    end
  end
  return out, dirty
end
local function save(hkey, field, entries)
  if #entries == 0 then redis.call('HDEL', hkey, field)
  else redis.call('HSET', hkey, field, table.concat(entries)) end
end
local function without(entries, id)
  local out = {}
  for _, e in ipairs(entries) do
    if string.sub(e, 17, 24) ~= id then out[#out + 1] = e end
  end
  return out
end
local function expire(base, k, nb, safety)
  if safety <= 0 then return end
  for j = 0, nb - 1 do redis.call('EXPIRE', base .. ':d' .. k .. ':b' .. j, safety) end
  redis.call('EXPIRE', base .. ':u', safety)
  redis.call('EXPIRE', base .. ':m', safety)
end
"""

# ARGV: now lease k sk nb safety sweep_every, then per item:
# base id simhash(8) sketch(8) url(''|'='..url) fields(3 * nb)
_LUA_CHECK = (
    _LUA_COMMON
    + """
local function sweep(base, k, nb, now, every)
  local mkey, ukey = base .. ':m', base .. ':u'
  local n = redis.call('HINCRBY', mkey, 'n', 1)
  if n % every ~= 0 then return end
  local j = math.floor(n / every) % nb
  local hkey = base .. ':d' .. k .. ':b' .. j
  local r = redis.call('HSCAN', hkey, redis.call('HGET', mkey, 'c' .. j) or '0',
                       'COUNT', 8)
  redis.call('HSET', mkey, 'c' .. j, r[1])
  for x = 1, #r[2], 2 do
    local entries, dirty = live(hkey, r[2][x], now, ukey)
    if dirty then save(hkey, r[2][x], entries) end
  end
end
local now, lease, k = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local sk, nb, safety = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local every = tonumber(ARGV[7])
local results = {}
for i = 8, #ARGV, 6 do
  local base, id, sim, sketch = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local ukey = base .. ':u'
  local qa, qb = struct.unpack('>I4I4', sim)
  local qc, qd = struct.unpack('>I4I4', sketch)
  local lists, dirty, hkeys, fields = {}, {}, {}, {}
  local best, bestd, own = nil, 65, false
  for j = 1, nb do
    hkeys[j] = base .. ':d' .. k .. ':b' .. (j - 1)
    fields[j] = string.sub(ARGV[i + 5], 3 * j - 2, 3 * j)
    lists[j], dirty[j] = live(hkeys[j], fields[j], now, ukey)
    for _, e in ipairs(lists[j]) do
      local eid = string.sub(e, 17, 24)
      if eid == id then
        own = true
      else
        local a, b, c, d = struct.unpack('>I4I4I4I4', e)
        local dist = pop(bxor(a, qa)) + pop(bxor(b, qb))
        if dist < bestd and dist <= k
            and pop(bxor(c, qc)) + pop(bxor(d, qd)) <= sk then
          best, bestd = eid, dist
        end
      end
    end
  end
  if best and not own then
    for j = 1, nb do if dirty[j] then save(hkeys[j], fields[j], lists[j]) end end
    results[#results + 1] = {1, bestd, redis.call('HGET', ukey, best) or ''}
  else
    local entry = sim .. sketch .. id .. struct.pack('>d', now + lease)
    for j = 1, nb do
      if not own then table.insert(lists[j], entry) end
      if dirty[j] or not own then save(hkeys[j], fields[j], lists[j]) end
    end
    if not own then
      redis.call('HSET', ukey, id, 'P' .. ARGV[i + 4])
      expire(base, k, nb, safety)
      sweep(base, k, nb, now, every)
    end
    results[#results + 1] = {0}
  end
end
return results
"""
)

# ARGV: now ('' for none) expiry ('' for never) k nb safety, then per item:
# base id simhash(8) sketch(8) url(''|'='..url) fields(3 * nb); simhash '' releases
_LUA_SETTLE = (
    _LUA_COMMON
    + """
local now, expiry, k = tonumber(ARGV[1]), tonumber(ARGV[2]) or math.huge, ARGV[3]
local nb, safety = tonumber(ARGV[4]), tonumber(ARGV[5])
for i = 6, #ARGV, 6 do
  local base, id, sim = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local ukey = base .. ':u'
  for j = 1, nb do
    local hkey = base .. ':d' .. k .. ':b' .. (j - 1)
    local field = string.sub(ARGV[i + 5], 3 * j - 2, 3 * j)
    local entries = without((live(hkey, field, now, ukey)), id)
    if sim ~= '' then
      entries[#entries + 1] = sim .. ARGV[i + 3] .. id .. struct.pack('>d', expiry)
    end
    save(hkey, field, entries)
  end
  if sim ~= '' then
    redis.call('HSET', ukey, id, 'C' .. ARGV[i + 4])
    expire(base, k, nb, safety)
  else
    redis.call('HDEL', ukey, id)
  end
end
return 0
"""
)

# KEYS[1]: a site's template hash; ARGV[1]: most keys kept (lowest counts go)
_LUA_TRIM = """
local all = redis.call('HGETALL', KEYS[1])
local keep = tonumber(ARGV[1])
local n = #all / 2
if n <= keep then return 0 end
local items = {}
for i = 1, #all, 2 do items[#items + 1] = {all[i], tonumber(all[i + 1])} end
table.sort(items, function(x, y) return x[2] < y[2] end)
for i = 1, n - keep do redis.call('HDEL', KEYS[1], items[i][1]) end
return n - keep
"""


def _secrets_of(uri: str) -> list[str]:
    """Passwords in *uri* (userinfo or ``?password=``), to scrub from messages."""
    found = [
        unquote(value) for value in re.findall(r"[?&]password=([^&#]+)", uri) if value
    ]
    password = urlsplit(uri).password
    if password:
        found += [password, unquote(password)]
    return found


def _display(uri: str) -> str:
    """*uri* without its passwords."""
    from scrapy_newsclean.stores import redact  # noqa: PLC0415 (import cycle)

    return re.sub(r"([?&]password=)[^&#]*", r"\1***", redact(uri))


class RedisStore:
    """Fingerprints and site templates in Redis, shared by many processes.

    ``uri`` is ``redis://[:password@]host:port/db``, ``rediss://…`` or
    ``unix:///path?db=0``; keys start with ``prefix``
    (:setting:`NEWSCLEAN_STORE_PREFIX`).
    ``lease``: seconds a reservation blocks others before it counts as
    released (its process died); :meth:`close` releases this process's
    pending reservations at once. Every failure to reach Redis raises
    :exc:`~scrapy_newsclean.stores.base.StoreUnavailable`; the next call
    reconnects.
    """

    def __init__(
        self,
        uri: str,
        *,
        prefix: str = "newsclean",
        config: SimhashConfig = DEFAULT,
        ttl: float | None = None,
        lease: float = DEFAULT_LEASE,
        max_template_keys: int = DEFAULT_MAX_TEMPLATE_KEYS,
        connect_timeout: float = 2.0,
        timeout: float = 10.0,
    ) -> None:
        self.display_uri = _display(uri)
        if _imports.redis is None:
            raise ValueError(
                f"NEWSCLEAN_STORE={self.display_uri!r} needs the redis package:"
                " pip install scrapy-newsclean[redis]"
            )
        if lease <= 0:
            raise ValueError(f"lease must be > 0 seconds, got {lease!r}")
        self._uri, self._secrets = uri, _secrets_of(uri)
        self.prefix, self.config, self.ttl, self.lease = prefix, config, ttl, lease
        self.max_template_keys = max_template_keys
        self._timeouts = (connect_timeout, timeout)
        self._bands = len(sketch_bins(0))
        self._client: Any = None
        self._scripts: dict[str, Any] = {}
        # this process's reservations still pending: released at close
        self._pending: dict[int, Reservation] = {}

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn redis and socket errors into StoreUnavailable (password-free)."""
        try:
            yield
        except (_imports.redis.exceptions.RedisError, OSError) as exc:
            detail = f"{type(exc).__name__}: {exc}"
            for secret in self._secrets:
                detail = detail.replace(secret, "***")
            raise StoreUnavailable(
                f"Redis store {self.display_uri} failed to {action} ({detail})"
            ) from exc

    @property
    def client(self) -> Any:
        if self._client is None:
            raise RuntimeError(f"{self.display_uri} is not open")
        return self._client

    def _script(self, name: str) -> Any:
        self.client  # noqa: B018 (raises when not open)
        return self._scripts[name]

    async def open(self) -> None:
        """Connect, check the server answers and the stored fingerprint version."""
        aredis = _imports.redis
        connect_timeout, timeout = self._timeouts
        self._client = aredis.asyncio.Redis.from_url(
            self._uri,
            socket_connect_timeout=connect_timeout,
            socket_timeout=timeout,
            # one immediate retry: a pooled connection may predate a restart
            retry=aredis.asyncio.retry.Retry(aredis.backoff.NoBackoff(), 1),
        )
        for name, lua in (("check", _LUA_CHECK), ("settle", _LUA_SETTLE)):
            self._scripts[name] = self._client.register_script(lua)
        self._scripts["trim"] = self._client.register_script(_LUA_TRIM)
        meta = f"{self.prefix}:meta"
        try:
            with self._errors("connect"):
                await self._client.ping()
                await self._client.hsetnx(meta, "version", FINGERPRINT_VERSION)
                version = await self._client.hget(meta, "version")
        except StoreUnavailable:
            await self.close()
            raise
        if version != str(FINGERPRINT_VERSION).encode():
            await self.close()
            raise ValueError(
                f"{self.display_uri} prefix {self.prefix!r} holds fingerprints of"
                f" version {version!r}, this scrapy-newsclean computes version"
                f" {FINGERPRINT_VERSION}: use another NEWSCLEAN_STORE_PREFIX"
            )

    async def close(self) -> None:
        """Release this process's pending reservations (best effort) and disconnect."""
        if self._client is None:
            return
        with suppress(StoreUnavailable):  # else their lease runs out
            await self.release_many(list(self._pending.values()))
        client, self._client = self._client, None
        with self._errors("close"):
            await client.aclose()

    def _base(self, scope: str) -> str:
        return f"{self.prefix}:fp:{scope}"

    @staticmethod
    def _fields(sketch: int) -> bytes:
        """The bucket field of each sketch bin (candidates share one)."""
        return b"".join(value.to_bytes(3, "big") for value in sketch_bins(sketch))

    def _safety(self) -> int:
        if self.ttl is None:
            return 0
        return int(self.ttl + self.lease + _SAFETY_MARGIN)

    def _item_args(
        self, scope: str, fp: Fingerprint, ref: int, url: str | None
    ) -> list[Any]:
        return [
            self._base(scope),
            ref.to_bytes(8, "big"),
            fp.simhash.to_bytes(8, "big"),
            fp.sketch.to_bytes(8, "big"),
            "" if url is None else f"={url}",
            self._fields(fp.sketch),
        ]

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
            Reservation(scope, fp, url, secrets.randbits(63))
            for scope, fp, url in items
        ]
        outcomes: list[Match | Reservation] = list(reservations)
        todo = [i for i, r in enumerate(reservations) if not r.fingerprint.empty]
        config = self.config
        # sketch distance 64: the rule is a shared bin (the bucket) + simhash
        head = [now, self.lease, config.distance, 64]
        head += [self._bands, self._safety(), _SWEEP_EVERY]
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            args = list(head)
            for i in chunk:
                r = reservations[i]
                args += self._item_args(r.scope, r.fingerprint, r.ref, r.url)
            with self._errors("check a fingerprint"):
                replies = await self._script("check")(args=args)
            for i, reply in zip(chunk, replies, strict=True):
                if reply[0] == 1:
                    outcomes[i] = self._match(int(reply[1]), reply[2])
                else:
                    self._pending[reservations[i].ref] = reservations[i]
        return outcomes

    @staticmethod
    def _match(distance: int, value: bytes) -> Match:
        url = value[2:].decode("utf-8", "replace") if len(value) > 1 else None
        return Match(url, distance, pending=value[:1] == b"P")

    async def commit(self, reservation: Reservation, now: float) -> None:
        await self.commit_many([reservation], now)

    async def commit_many(
        self, reservations: Iterable[Reservation], now: float
    ) -> None:
        """:meth:`commit` several reservations in one script call."""
        expiry = "" if self.ttl is None else now + self.ttl
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
        for r in items:
            self._pending.pop(r.ref, None)
        head = [*(times or ["", ""]), self.config.distance, self._bands]
        head.append(self._safety())
        for start in range(0, len(items), BATCH):
            args = list(head)
            for r in items[start : start + BATCH]:
                item = self._item_args(r.scope, r.fingerprint, r.ref, r.url)
                if times is None:
                    item[2] = b""  # no simhash: release
                args += item
            with self._errors(action):
                await self._script("settle")(args=args)

    def _template_key(self, site: str) -> str:
        return f"{self.prefix}:tpl:{site}"

    async def template_counts(
        self, site: str, keys: Iterable[int]
    ) -> Mapping[int, int]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        with self._errors("read template counts"):
            values = await self.client.hmget(
                self._template_key(site), [key.to_bytes(8, "big") for key in keys]
            )
        return {
            key: int(value)
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    async def add_template_keys(self, site: str, keys: Iterable[int]) -> None:
        fields = [key.to_bytes(8, "big") for key in keys]
        if not fields:
            return
        name = self._template_key(site)
        with self._errors("count template keys"):
            async with self.client.pipeline(transaction=True) as pipe:
                for field in fields:
                    pipe.hincrby(name, field, 1)
                pipe.hlen(name)
                *_, size = await pipe.execute()
            if size > self.max_template_keys + self.max_template_keys // 4:
                await self._script("trim")(keys=[name], args=[self.max_template_keys])

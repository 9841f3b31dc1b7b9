"""The Redis store's Lua scripts: each call is atomic on the server.

:data:`CHECK` looks up and reserves a batch of fingerprints, :data:`SETTLE`
commits or releases reservations, :data:`RENEW` extends a live process's
pending reservations (its heartbeat), :data:`LEARN` counts a page's template keys
and cuts a site's template back (key layout:
:mod:`scrapy_newsclean.stores._redis._keys`).

Expiry is judged by the caller's ``now``, never the server clock: a lookup
drops the expired entries of the buckets it reads, and every ``sweep_every``
insertion sweeps a few more buckets (``HSCAN``), so dead entries never pile
up. A server-side ``EXPIRE`` (``safety`` seconds, renewed by every write) only
removes scopes nobody writes to any more. An entry already holding the
caller's id is the caller's own (a retried call), never a duplicate.
"""

from __future__ import annotations

_COMMON = """
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

# ARGV: now lease k nb safety sweep_every ks, then per item:
# base id simhash(8) sketch(8) url(''|'='..url) fields(3 * nb) host
# A candidate farther than ks on the item's host under another URL is no
# duplicate (neardup._near.counts_as_duplicate; hostkey mirrors host_key).
CHECK = (
    _COMMON
    + """
local function hostkey(u)
  local a = string.match(u, '^[^:/?#]+://([^/?#]*)')
  if not a then return '' end
  a = string.gsub(a, '^.*@', '')
  a = string.gsub(a, ':%d*$', '')
  a = string.gsub(string.lower(a), '^www%.', '')
  return a
end
local function counts(dist, ks, host, url, ukey, eid)
  if dist <= ks or host == '' or url == '' then return true end
  local v = redis.call('HGET', ukey, eid)
  if not v or #v < 2 then return true end
  local kept = string.sub(v, 2)
  return kept == url or hostkey(string.sub(kept, 2)) ~= host
end
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
local nb, safety, every = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ks = tonumber(ARGV[7])
local results = {}
for i = 8, #ARGV, 7 do
  local base, id, sim, sketch = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local url, host = ARGV[i + 4], ARGV[i + 6]
  local ukey = base .. ':u'
  local qa, qb = struct.unpack('>I4I4', sim)
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
        local a, b = struct.unpack('>I4I4', e)
        local dist = pop(bxor(a, qa)) + pop(bxor(b, qb))
        if dist < bestd and dist <= k and counts(dist, ks, host, url, ukey, eid) then
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
      redis.call('HSET', ukey, id, 'P' .. url)
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
SETTLE = (
    _COMMON
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

# ARGV: now expiry k nb, then per item: base id simhash sketch url fields
# (as CHECK); only entries still pending and unexpired get the new expiry
RENEW = (
    _COMMON
    + """
local now, expiry, k = tonumber(ARGV[1]), struct.pack('>d', tonumber(ARGV[2])), ARGV[3]
local nb = tonumber(ARGV[4])
for i = 5, #ARGV, 6 do
  local base, id = ARGV[i], ARGV[i + 1]
  local state = redis.call('HGET', base .. ':u', id)
  if state and string.sub(state, 1, 1) == 'P' then
    for j = 1, nb do
      local hkey = base .. ':d' .. k .. ':b' .. (j - 1)
      local field = string.sub(ARGV[i + 5], 3 * j - 2, 3 * j)
      local s = redis.call('HGET', hkey, field)
      if s then
        for pos = 1, #s, 32 do
          if string.sub(s, pos + 16, pos + 23) == id then
            if struct.unpack('>d', s, pos + 24) >= now then
              s = string.sub(s, 1, pos + 23) .. expiry .. string.sub(s, pos + 32)
              redis.call('HSET', hkey, field, s)
            end
            break
          end
        end
      end
    end
  end
end
return 0
"""
)

# KEYS[1]: a site's template hash. ARGV: now, oldest ('': nothing expires),
# safety (0: the hash never expires), simhash (8 bytes), bits, sample size,
# most keys kept (lowest counts, then oldest, go when 25% over), number of
# plain fields, then the plain fields and the spread fields
LEARN = (
    _COMMON
    + """
local function entry(v, now)
  if not v then return 0, now, '' end
  -- a bare decimal count: written by HINCRBY before templates expired
  if string.match(v, '^%d+$') then return tonumber(v), now, '' end
  local count, seen = struct.unpack('>I4d', v)
  return count, seen, string.sub(v, 13)
end
local function unrelated(sample, qa, qb, bits)
  for pos = 1, #sample, 8 do
    local a, b = struct.unpack('>I4I4', string.sub(sample, pos, pos + 7))
    if pop(bxor(a, qa)) + pop(bxor(b, qb)) < bits then return false end
  end
  return true
end
local function trim(name, keep, oldest)
  local all = redis.call('HGETALL', name)
  local items = {}
  for i = 1, #all, 2 do
    local count, seen = entry(all[i + 1], 0)
    if oldest and seen < oldest then count = 0 end
    items[#items + 1] = {all[i], count, seen}
  end
  table.sort(items, function(x, y)
    if x[2] ~= y[2] then return x[2] < y[2] end
    return x[3] < y[3]
  end)
  for i = 1, #items - keep do redis.call('HDEL', name, items[i][1]) end
end
local name, now, oldest = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local safety, sim, bits = tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local size, keep, plain = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local qa, qb = struct.unpack('>I4I4', sim)
for i = 9, #ARGV do
  local count, seen, sample = entry(redis.call('HGET', name, ARGV[i]), now)
  if oldest and seen < oldest then count, sample = 0, '' end
  if i < 9 + plain then
    count = count + 1
  elseif unrelated(sample, qa, qb, bits) then
    count = count + 1
    if #sample < 8 * size then sample = sample .. sim end
  end
  redis.call('HSET', name, ARGV[i], struct.pack('>I4d', count, now) .. sample)
end
if redis.call('HLEN', name) > keep + math.floor(keep / 4) then
  trim(name, keep, oldest)
end
if safety > 0 then redis.call('EXPIRE', name, safety) end
return 0
"""
)

#: Each script by the name the store calls it.
SCRIPTS = {"check": CHECK, "settle": SETTLE, "renew": RENEW, "learn": LEARN}

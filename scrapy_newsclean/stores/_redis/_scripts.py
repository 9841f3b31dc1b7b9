"""The Redis store's Lua scripts: each call is atomic on the server.

:data:`CHECK` looks up and reserves a batch of fingerprints, :data:`SETTLE`
commits or releases reservations, :data:`RENEW` extends a live process's
pending reservations (its heartbeat), :data:`LEARN` counts a page's template keys
and cuts a site's template back (key layout and entry format:
:mod:`scrapy_newsclean.stores._redis._keys`).

Expiry is judged by the caller's ``now``, never the server clock: a lookup
drops the expired candidates it meets (a field holds about ``n / 16384``
entries; a lookup looks for the one byte that makes an entry a candidate), and
every ``sweep_every`` insertion sweeps a few bucket fields (``HSCAN``) of every
expired entry, so dead entries never pile up. A server-side ``EXPIRE``
(``safety`` seconds, renewed by every write) only removes scopes nobody writes
to any more. An entry already holding
the caller's id is the caller's own (a retried call), never a duplicate.

A bucket field holds every fingerprint whose bin value starts with the
field's bits; an entry is a candidate only when its low bits (the entry's
byte 9, without the pending bit) are the item's too, so the candidates are
exactly those sharing a whole sketch bin value, as in layout 1.
"""

from __future__ import annotations

_COMMON = """
local band, bxor, rshift = bit.band, bit.bxor, bit.rshift
local byte, sub = string.byte, string.sub
local ES, Z4, Z3 = 26, '\\0\\0\\0\\0', '\\0\\0\\0'
local function pop(x)
  x = x - band(rshift(x, 1), 0x55555555)
  x = band(x, 0x33333333) + band(rshift(x, 2), 0x33333333)
  x = band(x + rshift(x, 4), 0x0F0F0F0F)
  x = x + rshift(x, 8)
  x = x + rshift(x, 16)
  return band(x, 0x3F)
end
-- s without the entries at the positions of `gone` (ascending)
local function cut(s, gone)
  if #gone == 0 then return s end
  local parts, start = {}, 1
  for _, pos in ipairs(gone) do
    parts[#parts + 1] = sub(s, start, pos - 1)
    start = pos + ES
  end
  parts[#parts + 1] = sub(s, start)
  return table.concat(parts)
end
local function save(hkey, field, s)
  if #s == 0 then redis.call('HDEL', hkey, field)
  else redis.call('HSET', hkey, field, s) end
end
-- the position of the entry of `id` with low bin bits `r` (shifted) in s
-- (string.find in C, then the match must be an entry's id)
local function find(s, id, r)
  local at = string.find(s, id, 1, true)
  while at do
    local pos = at - 9
    if pos % ES == 1 and band(byte(s, pos + 8), 0xFE) == r then return pos end
    at = string.find(s, id, at + 1, true)
  end
  return nil
end
-- whether the scope's url map is to be kept in step (on, or written by another)
local function umapped(urls, ukey)
  return urls == 1 or redis.call('EXISTS', ukey) == 1
end
local function expire(base, k, nb, safety)
  if safety <= 0 then return end
  for j = 0, nb - 1 do redis.call('EXPIRE', base .. ':d' .. k .. ':b' .. j, safety) end
  redis.call('EXPIRE', base .. ':u', safety)
  redis.call('EXPIRE', base .. ':m', safety)
end
"""

# ARGV: now lease k nb safety sweep_every ks urls, then per item:
# base id(6) simhash(8) urlhash(4) hosthash(3) fields(2 * nb) residues(nb)
# url(''|'='..url). A candidate farther than ks on the item's host under another
# URL is no duplicate (neardup._near.counts_as_duplicate, on the entry's hashes).
# A match replies {1, distance, pending, id, same url hash, url ('' unknown)}.
CHECK = (
    _COMMON
    + """
local function counts(dist, ks, uh, hh, s, pos)
  if dist <= ks or uh == Z4 or hh == Z3 then return true end
  local kept = sub(s, pos + 19, pos + 22)
  if kept == Z4 or kept == uh then return true end
  return sub(s, pos + 23, pos + 25) ~= hh
end
-- the positions of the entries of s whose byte 9 is r or r + 1 (the low bin
-- bits, committed or pending), ascending: a plain string.find (memchr, in C)
-- of each byte, kept where it is an entry's byte 9
local function candidates(s, r)
  local out = {}
  for c = r, r + 1 do
    local ch = string.char(c)
    local hit = string.find(s, ch, 9, true)
    while hit do
      local skip = (9 - hit) % ES
      if skip == 0 then
        out[#out + 1] = hit - 8
        skip = ES
      end
      hit = string.find(s, ch, hit + skip, true)
    end
  end
  table.sort(out)
  return out
end
local function sweep(base, k, nb, now, every, ukey, umap)
  local mkey = base .. ':m'
  local n = redis.call('HINCRBY', mkey, 'n', 1)
  if n % every ~= 0 then return end
  local j = math.floor(n / every) % nb
  local hkey = base .. ':d' .. k .. ':b' .. j
  local r = redis.call('HSCAN', hkey, redis.call('HGET', mkey, 'c' .. j) or '0',
                       'COUNT', 8)
  redis.call('HSET', mkey, 'c' .. j, r[1])
  for x = 1, #r[2], 2 do
    local s, gone = r[2][x + 1], {}
    for pos = 1, #s, ES do
      if struct.unpack('>I4', s, pos + 15) < now then
        gone[#gone + 1] = pos
        if umap then redis.call('HDEL', ukey, sub(s, pos + 9, pos + 14)) end
      end
    end
    if #gone > 0 then save(hkey, r[2][x], cut(s, gone)) end
  end
end
local now, lease, k = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local nb, safety, every = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ks, urls = tonumber(ARGV[7]), tonumber(ARGV[8])
local expiry = struct.pack('>I4', math.max(0, math.min(math.ceil(now + lease), 4294967295)))
local results = {}
for i = 9, #ARGV, 8 do
  local base, id, sim, uh, hh = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local flds, res, url = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
  local ukey = base .. ':u'
  local umap = umapped(urls, ukey)
  local qa, qb = struct.unpack('>I4I4', sim)
  local strs, gone, hkeys, fields = {}, {}, {}, {}
  local bestd, own, reply = 65, false, nil
  for j = 1, nb do
    hkeys[j] = base .. ':d' .. k .. ':b' .. (j - 1)
    fields[j] = sub(flds, 2 * j - 1, 2 * j)
    local r = byte(res, j) * 2
    local s = redis.call('HGET', hkeys[j], fields[j]) or ''
    strs[j], gone[j] = s, {}
    -- a candidate: the same low bin bits (byte 9 without the pending bit)
    for _, at in ipairs(candidates(s, r)) do
      local b = byte(s, at + 8)
      if struct.unpack('>I4', s, at + 15) < now then
        local g = gone[j]
        g[#g + 1] = at
        if umap then redis.call('HDEL', ukey, sub(s, at + 9, at + 14)) end
      elseif sub(s, at + 9, at + 14) == id then
        own = true
      else
        local a, c = struct.unpack('>I4I4', s, at)
        local dist = pop(bxor(a, qa)) + pop(bxor(c, qb))
        if dist < bestd and dist <= k and counts(dist, ks, uh, hh, s, at) then
          local same = 0
          if uh ~= Z4 and sub(s, at + 19, at + 22) == uh then same = 1 end
          bestd = dist
          reply = {1, dist, b - r, sub(s, at + 9, at + 14), same}
        end
      end
    end
    if #gone[j] > 0 then strs[j] = cut(s, gone[j]) end
  end
  if reply and not own then
    for j = 1, nb do if #gone[j] > 0 then save(hkeys[j], fields[j], strs[j]) end end
    local kept = ''
    if urls == 1 then kept = redis.call('HGET', ukey, reply[4]) or '' end
    reply[6] = kept
    results[#results + 1] = reply
  else
    if own then
      for j = 1, nb do if #gone[j] > 0 then save(hkeys[j], fields[j], strs[j]) end end
    else
      local tail = id .. expiry .. uh .. hh
      for j = 1, nb do
        redis.call('HSET', hkeys[j], fields[j],
                   strs[j] .. sim .. string.char(byte(res, j) * 2 + 1) .. tail)
      end
      if urls == 1 and url ~= '' then redis.call('HSET', ukey, id, sub(url, 2)) end
      expire(base, k, nb, safety)
      sweep(base, k, nb, now, every, ukey, umap)
    end
    results[#results + 1] = {0}
  end
end
return results
"""
)

# ARGV: now (unused) expiry (whole seconds, '' for never) k nb safety urls,
# then per item as CHECK's; simhash '' releases. The item's entry (if still
# there) is replaced by a committed one, or removed; others are left as they are
# (expired ones go with lookups and sweeps).
SETTLE = (
    _COMMON
    + """
local k = ARGV[3]
local expiry = struct.pack('>I4', tonumber(ARGV[2]) or 4294967295)
local nb, safety, urls = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
for i = 7, #ARGV, 8 do
  local base, id, sim = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local ukey = base .. ':u'
  local umap = umapped(urls, ukey)
  for j = 1, nb do
    local hkey = base .. ':d' .. k .. ':b' .. (j - 1)
    local field = sub(ARGV[i + 5], 2 * j - 1, 2 * j)
    local r = byte(ARGV[i + 6], j) * 2
    local s = redis.call('HGET', hkey, field) or ''
    local pos = find(s, id, r)
    if pos then s = sub(s, 1, pos - 1) .. sub(s, pos + ES) end
    if sim ~= '' then
      s = s .. sim .. string.char(r) .. id .. expiry .. ARGV[i + 3] .. ARGV[i + 4]
    end
    if pos or sim ~= '' then save(hkey, field, s) end
  end
  if sim ~= '' then
    if urls == 1 and ARGV[i + 7] ~= '' then
      redis.call('HSET', ukey, id, sub(ARGV[i + 7], 2))
    end
    expire(base, k, nb, safety)
  elseif umap then
    redis.call('HDEL', ukey, id)
  end
end
return 0
"""
)

# ARGV: now expiry (whole seconds) k nb, then per item as CHECK's; only the
# item's entries still pending and unexpired get the new expiry
RENEW = (
    _COMMON
    + """
local now, k, nb = tonumber(ARGV[1]), ARGV[3], tonumber(ARGV[4])
local expiry = struct.pack('>I4', tonumber(ARGV[2]))
for i = 5, #ARGV, 8 do
  local base, id = ARGV[i], ARGV[i + 1]
  for j = 1, nb do
    local hkey = base .. ':d' .. k .. ':b' .. (j - 1)
    local field = sub(ARGV[i + 5], 2 * j - 1, 2 * j)
    local s = redis.call('HGET', hkey, field)
    local pos = s and find(s, id, byte(ARGV[i + 6], j) * 2)
    if pos and band(byte(s, pos + 8), 1) == 1
        and struct.unpack('>I4', s, pos + 15) >= now then
      redis.call('HSET', hkey, field,
                 sub(s, 1, pos + 14) .. expiry .. sub(s, pos + 19))
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

#!lua flags=allow-oom
--[[ browse: the messages of one state, oldest first, without changing anything (read only).

Shows the keys as they are: a lease that has ended, or a delayed message whose time has come,
still shows in its state until the next receive of the queue moves it back to ready (receives do
that lazily, see receive-9.lua). Ready entries are listed in the order receives take them.

Full Redis (allow-oom): runs when Redis is at its maxmemory, so that a full queue can still be
looked at (the dashboard is where one goes to see why): it writes nothing.

KEYS[1] ready     LIST  entries "<id>" or "<id>.<n>", oldest first
KEYS[2] delayed   ZSET  entry -> due ms
KEYS[3] inflight  ZSET  entry (= receipt) -> lease end ms
KEYS[4] bodies    HASH  id -> body

ARGV[1] state: "ready", "inFlight" or "delayed"
ARGV[2] offset: entries to skip (0 = the oldest)
ARGV[3] limit: at most this many (1-100)
ARGV[4] body bytes: each body is cut to its first this many bytes (its full size is given too)

The frames ahead of a body (message-attributes.ts: a dead letter's origin, a redriven message's
base, the attributes) are skipped: size and body are the body's as sent; origin is the dead letter's
"<source queue>/<id there>.<n>" ("<source queue>/<id there>" from older versions).

Output: {entry, at, size, body, origin, base, entry, ...}: the entry ("<id>" or "<id>.<n>"), the lease
end or due time in ms ("" for ready), the body's full size in bytes, the body (cut), where it died
("" for a message that is not a dead letter), and the base (deliveries of a redriven message's
earlier lives, 0 for others: its receive count is n - base). An
entry whose body is gone (deleted between the two reads cannot happen in one script; kept for
safety) is left out.
]]
local rcall = redis.call
local ready, delayed, inflight, bodies = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local state, offset, limit, cut = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

local entries, scores = {}, {}
if state == 'ready' then
  entries = rcall('LRANGE', ready, offset, offset + limit - 1)
else
  local page = rcall('ZRANGE', state == 'delayed' and delayed or inflight, offset, offset + limit - 1, 'WITHSCORES')
  for i = 1, #page, 2 do
    entries[#entries + 1] = page[i]
    scores[#entries] = page[i + 1]
  end
end
if #entries == 0 then return {} end

local ids = {}
for i, entry in ipairs(entries) do
  local dot = string.find(entry, '.', 1, true)
  ids[i] = dot and string.sub(entry, 1, dot - 1) or entry
end
local found = rcall('HMGET', bodies, unpack(ids))

local sub = string.sub
-- Where the body as sent starts in a stored value (after its frames), the origin frame's text, the base.
local function bodyStart(value)
  local from, origin, base = 1, '', 0
  if #value >= 8 and sub(value, 1, 4) == '\0tqd' then
    local n = struct.unpack('>I4', value, 5)
    origin, from = sub(value, 9, 8 + n), 9 + n
  end
  if #value >= from + 7 and sub(value, from, from + 3) == '\0tqb' then
    base, from = struct.unpack('>I4', value, from + 4), from + 8
  end
  if #value >= from + 7 and sub(value, from, from + 3) == '\0tqa' then
    from = from + 8 + struct.unpack('>I4', value, from + 4)
  end
  return from, origin, base
end

local out = {}
for i, entry in ipairs(entries) do
  local value = found[i]
  if value then
    local from, origin, base = bodyStart(value)
    out[#out + 1] = entry
    out[#out + 1] = scores[i] or ''
    out[#out + 1] = #value - from + 1
    out[#out + 1] = sub(value, from, from + cut - 1)
    out[#out + 1] = origin
    out[#out + 1] = base
  end
end
return out

--[[ send: store new messages, ready at once or after a delay.

Sends are grouped: each group is one send() or sendBatch() call and is stored whole or not at all
(a body over the queue's maxMessageBytes refuses its group, and only its group). Groups that look
alike travel as one run: "50, 0, 1" stands for fifty send() calls of one body each, no delay.

Idempotent sends: a body may carry a dedup id. If a message was sent with that id within the
queue's dedupWindowMs (counted from that first send), the body is not stored: it gets the first
message's id, and stats.deduplicated counts it. Two bodies with one dedup id in one call: the second
gets the first's id. Dedup ids live in a hash and a sorted set of expiry times; each call sweeps
some expired ones, and both keys expire whole with the latest, so an abandoned queue keeps none.

KEYS[1] ready      LIST  entries ready to receive
KEYS[2] delayed    ZSET  entry -> due time (ms)
KEYS[3] bodies     HASH  id -> body
KEYS[4] stats      HASH  counters (seq, sent)
KEYS[5] config     HASH  queue settings (maxMessageBytes, dedupWindowMs)
KEYS[6] dedup      HASH  dedup id -> id of the message first sent with it
KEYS[7] dedup expiry ZSET  dedup id -> time (ms) its window ends

ARGV[1]            wake channel, published to when the queue may have become receivable sooner
ARGV[2]            maxMessageBytes to use when the queue has none configured
ARGV[3]            dedupWindowMs to use when the queue has none configured
ARGV[4]            R, the number of runs
ARGV[5]            D, the number of bodies that carry a dedup id
ARGV[6..5+3R]      runs, each: groups, delayMs, bodies per group
ARGV[6+3R..5+3R+2D] D pairs: body number (1 = the first body of the call), its dedup id
ARGV[6+3R+2D..]    the bodies, group after group

Output: {now, first_1, ..., first_G, n_1, id_1, n_2, id_2, ...}: the time (ms, as text), one entry
per group, then the bodies that were deduplicated:
  first_i > 0   the group was stored (or all of it deduplicated); its new bodies (in order,
                skipping deduplicated ones) have the ids "<now>-<first_i>", "<now>-<first_i + 1>", ...
  TOO_BIG (-1)  a body is larger than maxMessageBytes; nothing of the group was stored
  n_k, id_k     body number n_k was not stored: id_k is the message first sent with its dedup id
]]
local rcall = redis.call
local ready, delayed, bodies, stats, config, dedup, dedupExpiry = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

-- (The same helper is in respond-6.lua: a script runs alone in Redis and cannot load shared code.)
-- A command over a long list, in slices: Lua's unpack stops at about 8000 values, and the sends of
-- one tick may be many thousands. `step` is even, so field/value and score/member pairs stay whole.
local function inSlices(command, key, list)
  local step = 1000
  for i = 1, #list, step do rcall(command, key, unpack(list, i, math.min(i + step - 1, #list))) end
end

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nowText = string.format('%d', now)
local settings = rcall('HMGET', config, 'maxMessageBytes', 'dedupWindowMs')
local maxBytes = tonumber(settings[1] or ARGV[2])
local runs, nDedup = tonumber(ARGV[4]), tonumber(ARGV[5])
local pairsAt = 6 + 3 * runs
local firstBody = pairsAt + 2 * nDedup

-- Unroll the runs into groups: { delayMs, first body index, last body index } (indexes in ARGV).
local groups, total = {}, 0
local body = firstBody
for r = 6, 5 + 3 * runs, 3 do
  local delayMs, size = tonumber(ARGV[r + 1]), tonumber(ARGV[r + 2])
  for _ = 1, tonumber(ARGV[r]) do
    local fits = true
    for j = body, body + size - 1 do
      if #ARGV[j] > maxBytes then fits = false break end
    end
    groups[#groups + 1] = fits and { delayMs, body, body + size - 1 } or false
    if fits then total = total + size end
    body = body + size
  end
end

-- Dedup ids, for the bodies of the groups that fit, in order: a body whose id stands for a message
-- already (its window not over, swept or not) answers that message's id; one whose id an earlier
-- body of this call took answers that body's id; the others are stored and start a window.
local dedupOf, firstIdOf, sameAs, dups = {}, {}, {}, {}
if nDedup > 0 then
  local ids = {}
  for k = 0, nDedup - 1 do
    ids[k + 1] = ARGV[pairsAt + 2 * k + 1]
    dedupOf[firstBody - 1 + tonumber(ARGV[pairsAt + 2 * k])] = ids[k + 1]
  end
  local stale = rcall('ZRANGEBYSCORE', dedupExpiry, '-inf', now, 'LIMIT', 0, 100 + nDedup)
  if #stale > 0 then
    inSlices('HDEL', dedup, stale)
    inSlices('ZREM', dedupExpiry, stale)
  end
  local known, claimed = {}, {}
  local found = rcall('HMGET', dedup, unpack(ids))
  for k = 1, nDedup do
    if found[k] then known[ids[k]] = found[k] end
  end
  for g = 1, #groups do
    local group = groups[g]
    if group then
      for j = group[2], group[3] do
        local d = dedupOf[j]
        if d and known[d] then
          firstIdOf[j] = known[d]
        elseif d and claimed[d] then
          sameAs[j] = claimed[d]
        elseif d then
          claimed[d] = j
        end
        if firstIdOf[j] or sameAs[j] then
          dups[#dups + 1] = j
          total = total - 1
        end
      end
    end
  end
end

local out = { nowText }
local wake = false
local seq = 0
if total > 0 then
  local readyWasEmpty = rcall('LLEN', ready) == 0
  local earliest = rcall('ZRANGE', delayed, 0, 0, 'WITHSCORES')[2]
  earliest = earliest and tonumber(earliest) or math.huge
  seq = rcall('HINCRBY', stats, 'seq', total) - total
  rcall('HINCRBY', stats, 'sent', total)
  local windowEnd = now + tonumber(settings[2] or ARGV[3])
  local fields, readyIds, scored, firsts, windows = {}, {}, {}, {}, {}
  for g = 1, #groups do
    local group = groups[g]
    if group then
      local delayMs = group[1]
      out[g + 1] = seq + 1
      for j = group[2], group[3] do
        if not (firstIdOf[j] or sameAs[j]) then
          seq = seq + 1
          local id = nowText .. '-' .. seq
          firstIdOf[j] = id -- for a later body of this call with the same dedup id
          fields[#fields + 1], fields[#fields + 2] = id, ARGV[j]
          if dedupOf[j] then
            firsts[#firsts + 1], firsts[#firsts + 2] = dedupOf[j], id
            windows[#windows + 1], windows[#windows + 2] = windowEnd, dedupOf[j]
          end
          if delayMs > 0 then
            scored[#scored + 1], scored[#scored + 2] = now + delayMs, id
          else
            readyIds[#readyIds + 1] = id
          end
        end
      end
      if delayMs > 0 and now + delayMs < earliest then wake = true; earliest = now + delayMs end
    else
      out[g + 1] = -1
    end
  end
  inSlices('HSET', bodies, fields)
  if #scored > 0 then inSlices('ZADD', delayed, scored) end
  if #readyIds > 0 then
    inSlices('RPUSH', ready, readyIds)
    -- Waiters only exist while the queue is empty, so a send into a non-empty list needs no signal.
    if readyWasEmpty then wake = true end
  end
  if #firsts > 0 then
    inSlices('HSET', dedup, firsts)
    inSlices('ZADD', dedupExpiry, windows)
    local last = tonumber(rcall('ZRANGE', dedupExpiry, -1, -1, 'WITHSCORES')[2])
    rcall('PEXPIREAT', dedup, last)
    rcall('PEXPIREAT', dedupExpiry, last)
  end
else
  for g = 1, #groups do out[g + 1] = groups[g] and 1 or -1 end -- a group that fits is all deduplicated
end

if #dups > 0 then
  rcall('HINCRBY', stats, 'deduplicated', #dups)
  for _, j in ipairs(dups) do
    out[#out + 1] = j - firstBody + 1
    out[#out + 1] = firstIdOf[j] or firstIdOf[sameAs[j]]
  end
end

if wake then rcall('PUBLISH', ARGV[1], '') end
return out

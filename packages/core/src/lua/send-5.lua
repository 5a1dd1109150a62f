--[[ send: store new messages, ready at once or after a delay.

Sends are grouped: each group is one send() or sendBatch() call and is stored whole or not at all
(a body over the queue's maxMessageBytes refuses its group, and only its group). Groups that look
alike travel as one run: "50, 0, 1" stands for fifty send() calls of one body each, no delay.

KEYS[1] ready      LIST  entries ready to receive
KEYS[2] delayed    ZSET  entry -> due time (ms)
KEYS[3] bodies     HASH  id -> body
KEYS[4] stats      HASH  counters (seq, sent)
KEYS[5] config     HASH  queue settings (maxMessageBytes)

ARGV[1]            wake channel, published to when the queue may have become receivable sooner
ARGV[2]            maxMessageBytes to use when the queue has none configured
ARGV[3]            R, the number of runs
ARGV[4..3+3R]      runs, each: groups, delayMs, bodies per group
ARGV[4+3R..]       the bodies, group after group

Output: {now, first_1, first_2, ...}, one entry per group after the time (ms, as text):
  first_i > 0   the group was stored; its ids are "<now>-<first_i>", "<now>-<first_i + 1>", ...
  TOO_BIG (-1)  a body is larger than maxMessageBytes; nothing of the group was stored
]]
local rcall = redis.call
local ready, delayed, bodies, stats, config = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

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
local maxBytes = tonumber(rcall('HGET', config, 'maxMessageBytes') or ARGV[2])

-- Unroll the runs into groups: { delayMs, first body index, last body index }.
local groups, total = {}, 0
local runs = tonumber(ARGV[3])
local body = 4 + 3 * runs
for r = 4, 3 + 3 * runs, 3 do
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

local out = { nowText }
local wake = false
if total > 0 then
  local readyWasEmpty = rcall('LLEN', ready) == 0
  local earliest = rcall('ZRANGE', delayed, 0, 0, 'WITHSCORES')[2]
  earliest = earliest and tonumber(earliest) or math.huge

  local seq = rcall('HINCRBY', stats, 'seq', total) - total
  rcall('HINCRBY', stats, 'sent', total)
  local fields, readyIds, scored, nf, nr, ns = {}, {}, {}, 0, 0, 0
  for g = 1, #groups do
    local group = groups[g]
    if not group then
      out[g + 1] = -1
    else
      local delayMs = group[1]
      out[g + 1] = seq + 1
      for j = group[2], group[3] do
        seq = seq + 1
        local id = nowText .. '-' .. seq
        fields[nf + 1], fields[nf + 2] = id, ARGV[j]
        nf = nf + 2
        if delayMs > 0 then
          scored[ns + 1], scored[ns + 2] = now + delayMs, id
          ns = ns + 2
        else
          nr = nr + 1
          readyIds[nr] = id
        end
      end
      if delayMs > 0 and now + delayMs < earliest then wake = true; earliest = now + delayMs end
    end
  end
  inSlices('HSET', bodies, fields)
  if ns > 0 then inSlices('ZADD', delayed, scored) end
  if nr > 0 then
    inSlices('RPUSH', ready, readyIds)
    -- Waiters only exist while the queue is empty, so a send into a non-empty list needs no signal.
    if readyWasEmpty then wake = true end
  end
else
  for g = 1, #groups do out[g + 1] = -1 end
end

if wake then rcall('PUBLISH', ARGV[1], '') end
return out

--[[ send: store new messages, ready at once or after a delay.

The caller's sends are grouped: each group is one send() or sendBatch() call and is stored whole or
not at all (a body over the queue's maxMessageBytes refuses its group, and only its group).

KEYS[1] ready      LIST  ids ready to receive
KEYS[2] delayed    ZSET  id -> due time (ms)
KEYS[3] bodies     HASH  id -> body
KEYS[4] stats      HASH  counters (seq, sent)
KEYS[5] config     HASH  queue settings (maxMessageBytes)

ARGV[1]            wake channel, published to when the queue may have become receivable sooner
ARGV[2]            maxMessageBytes to use when the queue has none configured
ARGV[3..]          groups, each: delayMs, count, body_1 .. body_count

Output: one entry per group, in order:
  array of ids        the group was stored; ids are "<now ms>-<seq>"
  -1                  TOO_BIG: a body is larger than maxMessageBytes; nothing of the group was stored
]]
local rcall = redis.call
local ready, delayed, bodies, stats, config = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nowText = string.format('%d', now)
local maxBytes = tonumber(rcall('HGET', config, 'maxMessageBytes') or ARGV[2])

local readyWasEmpty = rcall('LLEN', ready) == 0
local earliest = rcall('ZRANGE', delayed, 0, 0, 'WITHSCORES')[2]
earliest = earliest and tonumber(earliest) or math.huge
local wake = false

-- First pass: which groups fit. Second: number and store all of them with one command per key.
local out, accepted, total = {}, {}, 0
local i = 3
while i <= #ARGV do
  local delayMs, count = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local first, last = i + 2, i + 1 + count
  i = last + 1
  local fits = true
  for j = first, last do
    if #ARGV[j] > maxBytes then fits = false break end
  end
  if fits then
    accepted[#accepted + 1] = { #out + 1, delayMs, first, last }
    total = total + count
  end
  out[#out + 1] = -1
end

if total > 0 then
  local seq = rcall('HINCRBY', stats, 'seq', total) - total
  rcall('HINCRBY', stats, 'sent', total)
  local fields, readyIds, scored = {}, {}, {}
  for _, g in ipairs(accepted) do
    local slot, delayMs, first, last = g[1], g[2], g[3], g[4]
    local ids = {}
    for j = first, last do
      seq = seq + 1
      local id = nowText .. '-' .. seq
      ids[#ids + 1] = id
      fields[#fields + 1] = id
      fields[#fields + 1] = ARGV[j]
      if delayMs > 0 then
        scored[#scored + 1] = now + delayMs
        scored[#scored + 1] = id
      else
        readyIds[#readyIds + 1] = id
      end
    end
    if delayMs > 0 and now + delayMs < earliest then wake = true; earliest = now + delayMs end
    out[slot] = ids
  end
  rcall('HSET', bodies, unpack(fields))
  if #scored > 0 then rcall('ZADD', delayed, unpack(scored)) end
  if #readyIds > 0 then
    rcall('RPUSH', ready, unpack(readyIds))
    if readyWasEmpty then wake = true end
  end
end

-- Waiters only exist while the queue is empty, so a send into a non-empty list needs no signal.
if wake then rcall('PUBLISH', ARGV[1], '') end
return out

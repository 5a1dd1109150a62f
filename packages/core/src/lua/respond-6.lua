#!lua flags=allow-oom
--[[ respond: answer requests. For each, in one step: store the reply for the request's waiter and
delete the request, so that exactly one reply is ever stored per request.

Only the current reservation may respond (the receipt is in inflight and its lease has not ended): a
responder whose lease ran out, a second respond, or an unknown receipt changes nothing. Replies wait
in one hash per queue, each until its expiry time; expired ones are swept here and never returned by
collect. Both reply keys expire as a whole with the latest reply, so an abandoned queue keeps none.

Full Redis (allow-oom): runs when Redis is at its maxmemory, so that requests can still be answered:
each reply replaces its request's body. A reply no larger than its request frees at least what it
stores; a larger one would grow memory, so while Redis is over its maxmemory (INFO memory, asked only
then) it is refused with FULL and that request changes nothing.

KEYS[1] inflight      ZSET entry (= receipt) -> lease end ms
KEYS[2] bodies        HASH id -> body
KEYS[3] stats         HASH counters (deleted)
KEYS[4] config        HASH settings (replyTtlMs, maxMessageBytes)
KEYS[5] replies       HASH request id -> reply
KEYS[6] reply-expiry  ZSET request id -> time (ms) its reply expires

ARGV[1]       replied channel, published to once with the ids answered, separated by spaces
ARGV[2]       replyTtlMs to use when the queue has none configured
ARGV[3]       maxMessageBytes to use when the queue has none configured
ARGV[4..]     pairs: receipt "<id>.<receiveCount>", reply body

Output: a string with one character per pair: REPLIED ("1") replied (request deleted), STALE ("0")
        unknown or stale receipt (nothing changed), TOO_BIG ("B") the reply is larger than the queue's
        maxMessageBytes (nothing changed), FULL ("F") the reply is larger than its request and Redis
        is over its maxmemory (nothing changed)
]]
local rcall = redis.call
local inflight, bodies, stats, config, replies, expiry = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local find, sub = string.find, string.sub

-- (The same helper is in send-7.lua: a script runs alone in Redis and cannot load shared code.)
-- A command over a long list, in slices: Lua's unpack stops at about 8000 values, and one call may
-- answer thousands of requests. `step` is even, so field/value and score/member pairs stay whole.
local function inSlices(command, key, list)
  local step = 1000
  for i = 1, #list, step do rcall(command, key, unpack(list, i, math.min(i + step - 1, #list))) end
end

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local settings = rcall('HMGET', config, 'replyTtlMs', 'maxMessageBytes')
local expires = now + tonumber(settings[1] or ARGV[2])
local maxBytes = tonumber(settings[2] or ARGV[3])

-- Sweep replies nobody collected in time: up to as many as this call stores, and a hundred more,
-- so that abandoned replies cannot pile up faster than they go.
local stale = rcall('ZRANGEBYSCORE', expiry, '-inf', now, 'LIMIT', 0, 100 + (#ARGV - 3) / 2)
if #stale > 0 then
  inSlices('HDEL', replies, stale)
  inSlices('ZREM', expiry, stale)
end

-- Is Redis over its maxmemory? Asked at most once per call, and only for a reply that grows memory.
local full
local function isFull()
  if full == nil then
    local info = rcall('INFO', 'memory')
    local used, max = tonumber(string.match(info, 'used_memory:(%d+)')), tonumber(string.match(info, 'maxmemory:(%d+)'))
    full = max ~= nil and max > 0 and used >= max
  end
  return full
end

local out, answered, stored, scored = {}, {}, {}, {}
local n = 0
for i = 4, #ARGV, 2 do
  local receipt, reply = ARGV[i], ARGV[i + 1]
  local lease = rcall('ZSCORE', inflight, receipt)
  if #reply > maxBytes then
    out[#out + 1] = 'B'
  elseif not lease or tonumber(lease) <= now then
    out[#out + 1] = '0'
  else
    local id = sub(receipt, 1, find(receipt, '.', 1, true) - 1)
    if #reply > rcall('HSTRLEN', bodies, id) and isFull() then
      out[#out + 1] = 'F'
    else
      rcall('ZREM', inflight, receipt) -- now, so that the same receipt twice in one call answers once
      n = n + 1
      answered[n] = id
      stored[2 * n - 1], stored[2 * n] = id, reply
      scored[2 * n - 1], scored[2 * n] = expires, id
      out[#out + 1] = '1'
    end
  end
end

if n > 0 then
  inSlices('HDEL', bodies, answered)
  rcall('HINCRBY', stats, 'deleted', n)
  inSlices('HSET', replies, stored)
  inSlices('ZADD', expiry, scored)
  local last = tonumber(rcall('ZRANGE', expiry, -1, -1, 'WITHSCORES')[2])
  rcall('PEXPIREAT', replies, last)
  rcall('PEXPIREAT', expiry, last)
  rcall('PUBLISH', ARGV[1], table.concat(answered, ' '))
end
return table.concat(out)

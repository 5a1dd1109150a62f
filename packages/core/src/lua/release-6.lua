--[[ release: end the current reservation early: the message is ready again now, or after delayMs.

With ARGV[4] = "undo" the delivery is also taken back (receive count and stats.received minus one):
the engine does this for a message reserved for a receiver that had already gone away.

KEYS[1] ready     LIST
KEYS[2] delayed   ZSET id -> due ms
KEYS[3] inflight  ZSET id -> lease end ms
KEYS[4] receives  HASH id -> receive count
KEYS[5] stats     HASH counters (received)
KEYS[6] bodies    HASH (only read: a released message must still exist)

ARGV[1] receipt "<id>.<receiveCount>"
ARGV[2] delay ms (0 = ready at once)
ARGV[3] wake channel
ARGV[4] "undo" or ""

Output: 1 released, 0 unknown or stale receipt (nothing changed)
]]
local rcall = redis.call
local ready, delayed, inflight, receives, stats, bodies = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local id, count = string.match(ARGV[1], '^(.+)%.(%d+)$')
if not id then return 0 end
local lease = rcall('ZSCORE', inflight, id)
if not lease or tonumber(lease) <= now or rcall('HGET', receives, id) ~= count then return 0 end
if rcall('HEXISTS', bodies, id) == 0 then return 0 end

rcall('ZREM', inflight, id)
if ARGV[4] == 'undo' then
  if rcall('HINCRBY', receives, id, -1) <= 0 then rcall('HDEL', receives, id) end
  rcall('HINCRBY', stats, 'received', -1)
end

local delayMs = tonumber(ARGV[2])
if delayMs > 0 then
  local earliest = rcall('ZRANGE', delayed, 0, 0, 'WITHSCORES')[2]
  rcall('ZADD', delayed, now + delayMs, id)
  if not earliest or now + delayMs < tonumber(earliest) then rcall('PUBLISH', ARGV[3], '') end
else
  -- Re-enters at the tail, like a new send: ready messages go out in the order they became ready.
  if rcall('RPUSH', ready, id) == 1 then rcall('PUBLISH', ARGV[3], '') end
end
return 1

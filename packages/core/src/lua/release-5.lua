#!lua flags=allow-oom
--[[ release: end the current reservation early: the message is ready again now, or after delayMs.

With ARGV[4] = "undo" the delivery is also taken back (receive count and stats.received minus one):
the engine does this for a message reserved for a receiver that had already gone away.

Full Redis (allow-oom): runs when Redis is at its maxmemory: it moves an entry that exists (inflight ->
ready or delayed), freeing it before adding it, and grows no more than that one entry's bookkeeping.

KEYS[1] ready     LIST entries
KEYS[2] delayed   ZSET entry -> due ms
KEYS[3] inflight  ZSET entry (= receipt) -> lease end ms
KEYS[4] bodies    HASH (only read: a released message must still exist)
KEYS[5] stats     HASH counters (received)

ARGV[1] receipt "<id>.<receiveCount>"
ARGV[2] delay ms (0 = ready at once)
ARGV[3] wake channel
ARGV[4] "undo" or ""

Output: RELEASED (1) released, STALE (0) unknown or stale receipt (nothing changed)
]]
local rcall = redis.call
local ready, delayed, inflight, bodies, stats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local receipt = ARGV[1]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local lease = rcall('ZSCORE', inflight, receipt)
if not lease or tonumber(lease) <= now then return 0 end
local dot = string.find(receipt, '.', 1, true)
local id, n = string.sub(receipt, 1, dot - 1), tonumber(string.sub(receipt, dot + 1))
if rcall('HEXISTS', bodies, id) == 0 then return 0 end

rcall('ZREM', inflight, receipt)
local entry = receipt
if ARGV[4] == 'undo' then
  entry = n > 1 and (id .. '.' .. (n - 1)) or id
  rcall('HINCRBY', stats, 'received', -1)
end

local delayMs = tonumber(ARGV[2])
if delayMs > 0 then
  local earliest = rcall('ZRANGE', delayed, 0, 0, 'WITHSCORES')[2]
  rcall('ZADD', delayed, now + delayMs, entry)
  if not earliest or now + delayMs < tonumber(earliest) then rcall('PUBLISH', ARGV[3], '') end
else
  -- Re-enters at the tail, like a new send: ready messages go out in the order they became ready.
  if rcall('RPUSH', ready, entry) == 1 then rcall('PUBLISH', ARGV[3], '') end
end
return 1

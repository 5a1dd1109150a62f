--[[ stats: counts and counters of a queue. Read-only: what is due counts as ready even before a
receive has moved it (a delayed message whose time has come, a reservation whose lease has ended).

The age of the oldest ready message is that of the message a receive would take next: the head of
the ready list, or when that is empty, what the next receive would move there first (a due delayed
message, then an ended lease, as receive-9.lua promotes them). A message id begins with its sentAt
("<sentAt ms>-<seq>"; a dead letter keeps its sentAt), so this reads one entry, no scan.

KEYS[1] ready     LIST
KEYS[2] delayed   ZSET id -> due ms
KEYS[3] inflight  ZSET id -> lease end ms
KEYS[4] stats     HASH counters
KEYS[5] config    HASH settings (paused)

Output: {ready, inFlight, delayed, sent, received, deleted, deadLettered, deduplicated, paused (0 or 1),
oldestReadyAgeMs (-1: none ready)}
]]
local rcall = redis.call
local ready, delayed, inflight, stats, config = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local dueDelayed = rcall('ZCOUNT', delayed, '-inf', now)
local expired = rcall('ZCOUNT', inflight, '-inf', now)
local c = rcall('HMGET', stats, 'sent', 'received', 'deleted', 'deadLettered', 'deduplicated')

local head = rcall('LINDEX', ready, 0)
  or rcall('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, 1)[1]
  or rcall('ZRANGEBYSCORE', inflight, '-inf', now, 'LIMIT', 0, 1)[1]
local age = -1
if head then
  local sentAt = tonumber(string.match(head, '^%d+'))
  if sentAt then age = math.max(now - sentAt, 0) end
end

return {
  rcall('LLEN', ready) + dueDelayed + expired,
  rcall('ZCARD', inflight) - expired,
  rcall('ZCARD', delayed) - dueDelayed,
  tonumber(c[1] or 0), tonumber(c[2] or 0), tonumber(c[3] or 0), tonumber(c[4] or 0), tonumber(c[5] or 0),
  rcall('HGET', config, 'paused') == '1' and 1 or 0,
  age,
}

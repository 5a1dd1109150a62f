--[[ stats: counts and counters of a queue. Read-only: what is due counts as ready even before a
receive has moved it (a delayed message whose time has come, a reservation whose lease has ended).

KEYS[1] ready     LIST
KEYS[2] delayed   ZSET id -> due ms
KEYS[3] inflight  ZSET id -> lease end ms
KEYS[4] stats     HASH counters

Output: {ready, inFlight, delayed, sent, received, deleted, deadLettered, deduplicated}
]]
local rcall = redis.call
local ready, delayed, inflight, stats = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local dueDelayed = rcall('ZCOUNT', delayed, '-inf', now)
local expired = rcall('ZCOUNT', inflight, '-inf', now)
local c = rcall('HMGET', stats, 'sent', 'received', 'deleted', 'deadLettered', 'deduplicated')
return {
  rcall('LLEN', ready) + dueDelayed + expired,
  rcall('ZCARD', inflight) - expired,
  rcall('ZCARD', delayed) - dueDelayed,
  tonumber(c[1] or 0), tonumber(c[2] or 0), tonumber(c[3] or 0), tonumber(c[4] or 0), tonumber(c[5] or 0),
}

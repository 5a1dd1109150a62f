--[[ adopt: take dead letters into this (dead-letter) queue from another queue's outbox. Redis Cluster
only: there the two queues may sit in different slots, so the hand-off is three steps: read the
source's outbox, adopt here, then unqueue-outbox-2.lua there. A crash between the last two repeats
the adopt; the `adopted` set, which remembers every hand-off for 24 hours, turns the repeat into a
no-op, so a dead letter is never lost nor doubled.

KEYS[1] ready     LIST  of this queue
KEYS[2] bodies    HASH  of this queue
KEYS[3] stats     HASH  of this queue (seq numbers the new ids)
KEYS[4] adopted   ZSET  "<source>/<outbox id>" -> time adopted (ms)

ARGV[1] this queue's wake channel
ARGV[2] source queue name
ARGV[3..] pairs: outbox id, body

Output: how many were taken in (repeats are not counted)
]]
local rcall = redis.call
local ready, bodies, stats, adopted = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
rcall('ZREMRANGEBYSCORE', adopted, '-inf', now - 86400000)

local taken = 0
local wasEmpty = rcall('LLEN', ready) == 0
for i = 3, #ARGV, 2 do
  local outboxId, body = ARGV[i], ARGV[i + 1]
  local mark = ARGV[2] .. '/' .. outboxId
  if rcall('ZADD', adopted, 'NX', now, mark) == 1 then
    local newId = string.match(outboxId, '^%d+') .. '-' .. rcall('HINCRBY', stats, 'seq', 1)
    rcall('HSET', bodies, newId, body)
    rcall('RPUSH', ready, newId)
    taken = taken + 1
  end
end
if taken > 0 and wasEmpty then rcall('PUBLISH', ARGV[1], '') end
return taken

#!lua flags=allow-oom
--[[ purge: remove every message of a queue, whatever its state. Counters and settings stay.

Full Redis (allow-oom): runs when Redis is at its maxmemory: it only deletes keys, and is how an operator
makes room in a full Redis.

KEYS[1] ready     LIST
KEYS[2] delayed   ZSET
KEYS[3] inflight  ZSET
KEYS[4] bodies    HASH

Output: how many messages were removed
]]
local rcall = redis.call
local removed = rcall('LLEN', KEYS[1]) + rcall('ZCARD', KEYS[2]) + rcall('ZCARD', KEYS[3])
rcall('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return removed

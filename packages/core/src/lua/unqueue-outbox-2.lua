--[[ unqueue-outbox: forget dead letters that the dead-letter queue has adopted (Redis Cluster only).

KEYS[1] outbox         LIST of outbox ids
KEYS[2] outbox bodies  HASH outbox id -> body

ARGV[1..n] outbox ids

Output: how many were removed
]]
local rcall = redis.call
local removed = 0
for _, id in ipairs(ARGV) do
  removed = removed + rcall('LREM', KEYS[1], 1, id)
end
rcall('HDEL', KEYS[2], unpack(ARGV))
return removed

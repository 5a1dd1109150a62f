--[[ unqueue-outbox: forget outbox entries that their target queue has adopted (adopt-4.lua).

KEYS[1] outbox         LIST of outbox ids
KEYS[2] outbox bodies  HASH outbox id -> body
KEYS[3] outbox routes  HASH outbox id -> where a redriven letter goes

ARGV[1..n] outbox ids

Output: how many were removed
]]
local rcall = redis.call
local removed = 0
for _, id in ipairs(ARGV) do
  removed = removed + rcall('LREM', KEYS[1], 1, id)
end
rcall('HDEL', KEYS[2], unpack(ARGV))
rcall('HDEL', KEYS[3], unpack(ARGV))
return removed

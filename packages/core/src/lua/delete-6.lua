--[[ delete: remove messages by id (whatever their state) or by receipt (only the current reservation).

A receipt is "<id>.<receiveCount>": it is current while the message is in flight, its lease has not
ended and its receive count is still that number. Anything else is stale and changes nothing.
A deleted message leaves no trace in any key.

KEYS[1] ready     LIST
KEYS[2] delayed   ZSET
KEYS[3] inflight  ZSET id -> lease end ms
KEYS[4] bodies    HASH
KEYS[5] receives  HASH
KEYS[6] stats     HASH (deleted)

ARGV[1..n] ids or receipts

Output: array of n integers: 1 deleted, 0 unknown or stale
]]
local rcall = redis.call
local ready, delayed, inflight, bodies, receives, stats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local out, deleted = {}, 0
for i, item in ipairs(ARGV) do
  local ok = 0
  local id, count = string.match(item, '^(.+)%.(%d+)$')
  if id then
    local lease = rcall('ZSCORE', inflight, id)
    if lease and tonumber(lease) > now and rcall('HGET', receives, id) == count then
      rcall('ZREM', inflight, id)
      ok = 1
    end
  elseif rcall('HEXISTS', bodies, item) == 1 then
    id = item
    if rcall('ZREM', inflight, id) == 0 and rcall('ZREM', delayed, id) == 0 then
      rcall('LREM', ready, 1, id) -- O(length of ready): deleting a ready message by id is the rare case
    end
    ok = 1
  end
  if ok == 1 then
    rcall('HDEL', bodies, id)
    rcall('HDEL', receives, id)
    deleted = deleted + 1
  end
  out[i] = ok
end
if deleted > 0 then rcall('HINCRBY', stats, 'deleted', deleted) end
return out

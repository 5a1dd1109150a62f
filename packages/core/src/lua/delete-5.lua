--[[ delete: remove messages by receipt (only the current reservation) or by id (whatever the state).

A receipt "<id>.<n>" is current while it is a member of inflight (no newer delivery replaced it) and
its lease has not ended. Anything else is stale and changes nothing. A deleted message leaves no
trace in any key.

KEYS[1] ready     LIST entries
KEYS[2] delayed   ZSET entry -> due ms
KEYS[3] inflight  ZSET entry (= receipt) -> lease end ms
KEYS[4] bodies    HASH id -> body
KEYS[5] stats     HASH counters (deleted)

ARGV[1..n] receipts or ids

Output: a string of n characters, one per item: "1" deleted, "0" unknown or stale
]]
local rcall = redis.call
local ready, delayed, inflight, bodies, stats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- The entry of a message in a sorted set: "<id>" if never delivered, else "<id>.<n>" (a scan: rare).
local function findIn(zset, id)
  if rcall('ZSCORE', zset, id) then return id end
  local cursor = '0'
  repeat
    local page = rcall('ZSCAN', zset, cursor, 'MATCH', id .. '.*', 'COUNT', 1000)
    cursor = page[1]
    if page[2][1] then return page[2][1] end
  until cursor == '0'
  return nil
end

-- Remove the ready entry of a message: O(length of ready), for the rare delete of a ready message by id.
local function removeReady(id)
  if rcall('LREM', ready, 1, id) == 1 then return end
  local prefix, len, step = id .. '.', rcall('LLEN', ready), 1000
  for from = 0, len - 1, step do
    for _, entry in ipairs(rcall('LRANGE', ready, from, from + step - 1)) do
      if string.sub(entry, 1, #prefix) == prefix then
        rcall('LREM', ready, 1, entry)
        return
      end
    end
  end
end

-- Receipts are checked in bulk, with one ZMSCORE.
local out, receipts, at = {}, {}, {}
for i, item in ipairs(ARGV) do
  out[i] = 0
  if string.find(item, '.', 1, true) then
    receipts[#receipts + 1] = item
    at[#at + 1] = i
  end
end

local gone, removed, ended = {}, {}, {} -- ids deleted so far, the same as a list, receipts ended
if #receipts > 0 then
  local leases = rcall('ZMSCORE', inflight, unpack(receipts))
  for k, receipt in ipairs(receipts) do
    local id = string.sub(receipt, 1, string.find(receipt, '.', 1, true) - 1)
    if leases[k] and tonumber(leases[k]) > now and not gone[id] then
      gone[id] = true
      removed[#removed + 1] = id
      ended[#ended + 1] = receipt
      out[at[k]] = 1
    end
  end
  if #ended > 0 then rcall('ZREM', inflight, unpack(ended)) end
end

for i, id in ipairs(ARGV) do
  if not string.find(id, '.', 1, true) and not gone[id] and rcall('HEXISTS', bodies, id) == 1 then
    local entry = findIn(inflight, id)
    if entry then
      rcall('ZREM', inflight, entry)
    else
      entry = findIn(delayed, id)
      if entry then rcall('ZREM', delayed, entry) else removeReady(id) end
    end
    gone[id] = true
    removed[#removed + 1] = id
    out[i] = 1
  end
end

if #removed > 0 then
  rcall('HDEL', bodies, unpack(removed))
  rcall('HINCRBY', stats, 'deleted', #removed)
end
return table.concat(out)

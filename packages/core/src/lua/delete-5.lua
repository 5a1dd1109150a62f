#!lua flags=allow-oom
--[[ delete: remove messages by receipt (only the current reservation) or by id (whatever the state).

A receipt "<id>.<n>" is current while it is a member of inflight (no newer delivery replaced it) and
its lease has not ended. Anything else is stale and changes nothing. A deleted message leaves no
trace in any key.

Full Redis (allow-oom): runs when Redis is at its maxmemory: it only removes (plus one counter), and
acknowledging is how a full Redis gets room again.

KEYS[1] ready     LIST entries
KEYS[2] delayed   ZSET entry -> due ms
KEYS[3] inflight  ZSET entry (= receipt) -> lease end ms
KEYS[4] bodies    HASH id -> body
KEYS[5] stats     HASH counters (deleted)

ARGV[1..n] receipts or ids

Output: a string of n characters, one per item: DELETED ("1") deleted, STALE ("0") unknown or stale
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

local find, sub = string.find, string.sub

-- Receipts are checked in bulk, with one ZMSCORE.
local out, receipts, at, nr, byId = {}, {}, {}, 0, false
for i = 1, #ARGV do
  out[i] = '0'
  if find(ARGV[i], '.', 1, true) then
    nr = nr + 1
    receipts[nr] = ARGV[i]
    at[nr] = i
  else
    byId = true
  end
end

local gone, removed, nremoved = {}, {}, 0 -- ids deleted so far, and the same as a list
if nr > 0 then
  local leases = rcall('ZMSCORE', inflight, unpack(receipts))
  local ended, nended = {}, 0
  for k = 1, nr do
    local receipt = receipts[k]
    local id = sub(receipt, 1, find(receipt, '.', 1, true) - 1)
    if leases[k] and tonumber(leases[k]) > now and not gone[id] then
      gone[id] = true
      nremoved = nremoved + 1
      removed[nremoved] = id
      nended = nended + 1
      ended[nended] = receipt
      out[at[k]] = '1'
    end
  end
  if nended > 0 then rcall('ZREM', inflight, unpack(ended)) end
end

if byId then
  for i = 1, #ARGV do
    local id = ARGV[i]
    if not find(id, '.', 1, true) and not gone[id] and rcall('HEXISTS', bodies, id) == 1 then
      local entry = findIn(inflight, id)
      if entry then
        rcall('ZREM', inflight, entry)
      else
        entry = findIn(delayed, id)
        if entry then rcall('ZREM', delayed, entry) else removeReady(id) end
      end
      gone[id] = true
      nremoved = nremoved + 1
      removed[nremoved] = id
      out[i] = '1'
    end
  end
end

if nremoved > 0 then
  rcall('HDEL', bodies, unpack(removed))
  rcall('HINCRBY', stats, 'deleted', nremoved)
end
return table.concat(out)

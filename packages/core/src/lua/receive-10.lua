--[[ receive: reserve the oldest ready messages (or, in peek mode, show the next one).

First moves back to ready, in due order, what is due: delayed messages whose time has come and
reservations whose lease has ended (at most 1000 of each per call). No sweeper is needed: every
receive does this for its queue. A message that has already been delivered maxReceives times is
dead-lettered instead of delivered: moved, under a new id that keeps its sentAt, to the target keys:
either the dead-letter queue itself (one Redis: the move is atomic), or this queue's outbox (Redis
Cluster, where the dead-letter queue may live in another slot; the engine then hands it over with
adopt-4.lua, idempotently).

KEYS[1]  ready        LIST
KEYS[2]  delayed      ZSET id -> due ms
KEYS[3]  inflight     ZSET id -> lease end ms
KEYS[4]  bodies       HASH id -> body
KEYS[5]  receives     HASH id -> receive count
KEYS[6]  stats        HASH counters (received, deadLettered)
KEYS[7]  config       HASH settings (visibilityMs, maxReceives, deadLetterQueue)
KEYS[8]  target ready   LIST  the dead-letter queue's ready list, or this queue's outbox
KEYS[9]  target bodies  HASH  the dead-letter queue's bodies, or this queue's outbox bodies
KEYS[10] target stats   HASH  whose 'seq' numbers the moved message (the DLQ's stats, or this queue's)

ARGV[1]  queue name (for the default dead-letter queue name "<queue>.dead")
ARGV[2]  the dead-letter queue that KEYS[8..10] belong to, or "" when they are the outbox
ARGV[3]  default visibility ms, for a queue with no visibilityMs configured
ARGV[4]  mode: "receive" or "peek"
ARGV[5]  the dead-letter queue's wake channel (ignored for the outbox)
ARGV[6..] receive mode: groups, each: max, visibilityMs (0 = the queue's)

Output:
  {-2, name}    the configured dead-letter queue is `name`, not ARGV[2]: nothing was delivered;
                call again with that queue's keys
  {nextDueIn, outboxLength, group_1, ...}
                each group is a flat array id, receiveCount, body, id, ... (peek: at most one
                message, receiveCount 0 if never received). nextDueIn is the number of ms until a
                delayed message or a lease is due, -1 if none, or 0 if the caller got all it asked
                for. outboxLength counts dead letters waiting for hand-off (0 unless ARGV[2] is "").
]]
local rcall = redis.call
local ready, delayed, inflight, bodies, receives, stats, config =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local queue, deadName, mode = ARGV[1], ARGV[2], ARGV[4]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function promote(zset)
  local due = rcall('ZRANGEBYSCORE', zset, '-inf', now, 'LIMIT', 0, 1000)
  if #due > 0 then
    rcall('ZREM', zset, unpack(due))
    rcall('RPUSH', ready, unpack(due))
  end
end
promote(delayed)
promote(inflight)

local function nextDueIn()
  local soonest = math.huge
  for _, zset in ipairs({ delayed, inflight }) do
    local s = rcall('ZRANGE', zset, 0, 0, 'WITHSCORES')[2]
    if s and tonumber(s) < soonest then soonest = tonumber(s) end
  end
  if soonest == math.huge then return -1 end
  return math.max(soonest - now, 1)
end

if mode == 'peek' then
  local id = rcall('LINDEX', ready, 0)
  if not id then return { nextDueIn(), 0, {} } end
  local count = tonumber(rcall('HGET', receives, id) or 0)
  return { 0, 0, { id, count, rcall('HGET', bodies, id) } }
end

local cfg = rcall('HMGET', config, 'visibilityMs', 'maxReceives', 'deadLetterQueue')
local defaultVis = tonumber(cfg[1] or ARGV[3])
local maxReceives = tonumber(cfg[2] or 0)
if maxReceives > 0 and deadName ~= '' then
  local configured = cfg[3] or (queue .. '.dead')
  if configured ~= deadName then return { -2, configured } end
end

local out = { 0, 0 }
local asked, taken, dead = 0, 0, 0
local leases = {}
for g = 6, #ARGV, 2 do
  local max = tonumber(ARGV[g])
  local vis = tonumber(ARGV[g + 1])
  if vis == 0 then vis = defaultVis end
  asked = asked + max
  local group, got = {}, 0
  while got < max do
    local ids = rcall('LPOP', ready, max - got)
    if not ids then break end
    local found = rcall('HMGET', bodies, unpack(ids))
    for k, id in ipairs(ids) do
      local body = found[k]
      if body then -- an id without a body cannot be delivered; dropping it keeps the list clean
        local count = rcall('HINCRBY', receives, id, 1)
        if maxReceives > 0 and count > maxReceives then
          local seq = rcall('HINCRBY', KEYS[10], 'seq', 1)
          local newId = string.match(id, '^%d+') .. '-' .. seq
          rcall('HSET', KEYS[9], newId, body)
          rcall('RPUSH', KEYS[8], newId)
          rcall('HDEL', bodies, id)
          rcall('HDEL', receives, id)
          dead = dead + 1
        else
          leases[#leases + 1] = now + vis
          leases[#leases + 1] = id
          group[#group + 1] = id
          group[#group + 1] = count
          group[#group + 1] = body
          got = got + 1
        end
      end
    end
  end
  taken = taken + got
  out[#out + 1] = group
end

if #leases > 0 then rcall('ZADD', inflight, unpack(leases)) end
if taken > 0 then rcall('HINCRBY', stats, 'received', taken) end
if dead > 0 then
  rcall('HINCRBY', stats, 'deadLettered', dead)
  if deadName ~= '' then rcall('PUBLISH', ARGV[5], '') end
end
if taken < asked then out[1] = nextDueIn() end
if deadName == '' then out[2] = rcall('LLEN', KEYS[8]) end
return out

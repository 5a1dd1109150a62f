#!lua flags=allow-oom
--[[ receive: reserve the oldest ready messages (or, in peek mode, show the next one).

Entries: the ready list and the two sorted sets hold "entries": "<id>" for a message never
delivered, "<id>.<n>" for one delivered n times. An in-flight entry is the receipt of its delivery,
so checking a receipt is one lookup, and a new delivery (n+1) makes every older receipt stale.
n keeps counting across the lives of a redriven message (one that kept its id): its stored value
then starts with a base frame, "\0tqb" . base (uint32, big-endian), the deliveries of its earlier
lives (adopt-4.lua writes it), and this life's receive count is n - base: what maxReceives limits
and what the engine reports as receiveCount. Other messages have no frame (base 0).

First moves back to ready, in due order, what is due: delayed messages whose time has come and
reservations whose lease has ended (at most 1000 of each per call). No sweeper is needed: every
receive does this for its queue. A message already delivered maxReceives times is dead-lettered
instead of delivered: moved, under a new id that keeps its sentAt, to the target keys: either the
dead-letter queue itself (one Redis: the move is atomic), or this queue's outbox (Redis Cluster,
where the dead-letter queue may live in another slot; the engine then hands it over with adopt-4.lua,
idempotently). A dead letter remembers where it died, for redrive-6.lua: its stored value is framed as
  "\0tqd" . length of origin (uint32, big-endian) . origin "<this queue>/<its id here>.<n>" . stored value
with n its deliveries here (a frame it carried from an earlier death, and its base frame, are
replaced; the engine takes the frame off for readers).

Paused (config field paused = "1", set by the engine's pause()): a receive takes nothing and moves
nothing, and answers NOTHING_DUE so that long polls wait for a wake (resume publishes one); a peek
still shows the next message, as it reserves nothing.

Full Redis (allow-oom): runs when Redis is at its maxmemory, so that a full queue can be worked off: it
moves entries of messages already stored (ready -> inflight, or a body to the dead letters: the body
is moved, not copied, and grows by its origin frame, at most some 150 bytes). A reserved entry costs
some tens of bytes more than a ready one; as sends are refused meanwhile, that growth is bounded by
what is stored, and no body is ever added.

KEYS[1] ready         LIST  entries, oldest first
KEYS[2] delayed       ZSET  entry -> due ms
KEYS[3] inflight      ZSET  entry (= receipt) -> lease end ms
KEYS[4] bodies        HASH  id -> body
KEYS[5] stats         HASH  counters (received, deadLettered)
KEYS[6] config        HASH  settings (visibilityMs, maxReceives, deadLetterQueue, paused)
KEYS[7] target ready  LIST  the dead-letter queue's ready list, or this queue's outbox
KEYS[8] target bodies HASH  the dead-letter queue's bodies, or this queue's outbox bodies
KEYS[9] target stats  HASH  whose 'seq' numbers the moved message (the DLQ's stats, or this queue's)

ARGV[1]  queue name (for the default dead-letter queue name "<queue>.dead")
ARGV[2]  the dead-letter queue that KEYS[7..9] belong to, or "" when they are the outbox
ARGV[3]  default visibility ms, for a queue with no visibilityMs configured
ARGV[4]  mode: "receive" or "peek"
ARGV[5]  the dead-letter queue's wake channel (ignored for the outbox)
ARGV[6..] receive mode: runs of callers, each run: callers, max, visibilityMs (0 = the queue's);
          "50, 1, 0" stands for fifty callers each wanting one message with the default lease

Output:
  {REDIRECT (-2), name}
                the configured dead-letter queue is `name`, not ARGV[2]: nothing was delivered;
                call again with that queue's keys
  {nextDueIn, outboxLength, id, n, body, id, n, body, ...}
                the messages in the order the callers are to get them: each caller in turn takes up
                to its max (peek: at most one message, not reserved). n is the delivery number
                (the receipt is "<id>.<n>"; peek: the deliveries so far); the receive count is n
                less the base in the body's frame, which the body still carries. nextDueIn is the number of ms
                until a delayed message or a lease is due, NOTHING_DUE (-1) if none or the queue is
                paused, or 0 if the callers got all they asked for. outboxLength counts dead letters waiting for hand-off (always 0
                unless ARGV[2] is "").
]]
local rcall = redis.call
local ready, delayed, inflight, bodies, stats, config = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
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

local find, sub = string.find, string.sub

-- "<id>" or "<id>.<n>" -> id, n
local function parse(entry)
  local dot = find(entry, '.', 1, true)
  if not dot then return entry, 0 end
  return sub(entry, 1, dot - 1), tonumber(sub(entry, dot + 1))
end

-- The deliveries of a redriven message's earlier lives (its base frame), else 0. The first byte
-- is tested first: a body without any frame pays one string.byte.
local BASE, byte = '\0tqb', string.byte
local function baseOf(body)
  if byte(body, 1) == 0 and #body >= 8 and sub(body, 1, 4) == BASE then return struct.unpack('>I4', body, 5) end
  return 0
end

-- A dead letter's stored value: the origin frame ahead of what was stored (without an older origin
-- frame nor a base frame: as a dead letter it starts counting again under a new id).
local DEAD = '\0tqd'
local function withOrigin(body, origin)
  if #body >= 8 and sub(body, 1, 4) == DEAD then body = sub(body, 9 + struct.unpack('>I4', body, 5)) end
  if #body >= 8 and sub(body, 1, 4) == BASE then body = sub(body, 9) end
  return DEAD .. struct.pack('>I4', #origin) .. origin .. body
end

if mode == 'peek' then
  local entry = rcall('LINDEX', ready, 0)
  if not entry then return { nextDueIn(), 0 } end
  local id, n = parse(entry)
  return { 0, 0, id, n, rcall('HGET', bodies, id) }
end

local cfg = rcall('HMGET', config, 'visibilityMs', 'maxReceives', 'deadLetterQueue', 'paused')
if cfg[4] == '1' then return { -1, deadName == '' and rcall('LLEN', KEYS[7]) or 0 } end
local defaultVis = tonumber(cfg[1] or ARGV[3])
local maxReceives = tonumber(cfg[2] or 0)
if maxReceives > 0 and deadName ~= '' then
  local configured = cfg[3] or (queue .. '.dead')
  if configured ~= deadName then return { -2, configured } end
end

local asked, runs = 0, {}
for r = 6, #ARGV, 3 do
  local vis = tonumber(ARGV[r + 2])
  local wanted = tonumber(ARGV[r]) * tonumber(ARGV[r + 1])
  runs[#runs + 1] = { wanted, vis == 0 and defaultVis or vis }
  asked = asked + wanted
end

-- Pop for all callers at once.
local out, n = { 0, 0 }, 2 -- then id, count, body, id, ...
local taken, dead = 0, 0
while taken < asked do
  local entries = rcall('LPOP', ready, asked - taken)
  if not entries then break end
  local ids, counts = {}, {}
  for k = 1, #entries do
    ids[k], counts[k] = parse(entries[k])
  end
  local found = rcall('HMGET', bodies, unpack(ids))
  for k = 1, #ids do
    local id, body, count = ids[k], found[k], counts[k] + 1
    if not body then
      -- An entry without a body cannot be delivered; dropping it keeps the list clean.
    elseif maxReceives > 0 and count - baseOf(body) > maxReceives then
      local newId = string.match(id, '^%d+') .. '-' .. rcall('HINCRBY', KEYS[9], 'seq', 1)
      -- An outbox id also carries the time: seq starts again when a queue is deleted, and the
      -- dead-letter queue's adopted marks (24 h) must not take a new letter for an old repeat.
      if deadName == '' then newId = newId .. '-' .. string.format('%s%06d', t[1], tonumber(t[2])) end
      rcall('HSET', KEYS[8], newId, withOrigin(body, queue .. '/' .. id .. '.' .. counts[k]))
      rcall('RPUSH', KEYS[7], newId)
      rcall('HDEL', bodies, id)
      dead = dead + 1
    else
      out[n + 1], out[n + 2], out[n + 3] = id, count, body
      n = n + 3
      taken = taken + 1
    end
  end
end

-- Leases: each run of callers has its own visibility; callers are served in order.
local leases, nl, at = {}, 0, 3
for r = 1, #runs do
  local wanted, lease = runs[r][1], now + runs[r][2]
  for _ = 1, wanted do
    if at > n then break end
    leases[nl + 1], leases[nl + 2] = lease, out[at] .. '.' .. out[at + 1]
    nl = nl + 2
    at = at + 3
  end
end

if nl > 0 then rcall('ZADD', inflight, unpack(leases)) end
if taken > 0 then rcall('HINCRBY', stats, 'received', taken) end
if dead > 0 then
  rcall('HINCRBY', stats, 'deadLettered', dead)
  if deadName ~= '' then rcall('PUBLISH', ARGV[5], '') end
end
if taken < asked then out[1] = nextDueIn() end
if deadName == '' then out[2] = rcall('LLEN', KEYS[7]) end
return out

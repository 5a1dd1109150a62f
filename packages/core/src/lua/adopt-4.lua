--[[ adopt: take messages into this queue from another queue's outbox: dead letters (this is the
dead-letter queue; Redis Cluster only) or redriven dead letters (redrive-6.lua; on one Redis too).
The two queues may sit in different Cluster slots, so the hand-off is three steps: read the source's
outbox, adopt here, then unqueue-outbox-3.lua there. A crash between the last two repeats the adopt;
the `adopted` set, which remembers every hand-off for 24 hours, turns the repeat into a no-op, so a
message is never lost nor doubled.

Ids: a message keeps the id it is given (a redriven letter: the one it had before it died) unless
this queue holds a message of that id already; otherwise, and for a dead letter, it gets a new one,
"<sentAt>-<this queue's seq>" (the sentAt is kept either way). Adopted messages are ready with a
receive count of 0.

Fencing: a kept id comes with n, the deliveries it had ("<id>.<n>"). Its ready entry is then
"<id>.<n>", so its next receipt is "<id>.<n+1>", never one an earlier life handed out; and its
stored value gets the base frame "\0tqb" . n (uint32, big-endian), so that receive-9.lua counts
this life's receives from 0 again (receive count = delivery number - base). A new id starts at 0
without a frame.

KEYS[1] ready     LIST  of this queue
KEYS[2] bodies    HASH  of this queue
KEYS[3] stats     HASH  of this queue (seq numbers the new ids)
KEYS[4] adopted   ZSET  "<source>/<outbox id>" -> time adopted (ms)

ARGV[1] this queue's wake channel
ARGV[2] source queue name
ARGV[3..] triples: outbox id, the entry to keep ("<id>.<n>" or "<id>"; "" for a new id), body
          (with no base frame of its own)

Output: how many were taken in (repeats are not counted)
]]
local rcall = redis.call
local ready, bodies, stats, adopted = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
rcall('ZREMRANGEBYSCORE', adopted, '-inf', now - 86400000)

local BASE = '\0tqb'
local taken = 0
local wasEmpty = rcall('LLEN', ready) == 0
for i = 3, #ARGV, 3 do
  local outboxId, keep, body = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local mark = ARGV[2] .. '/' .. outboxId
  if rcall('ZADD', adopted, 'NX', now, mark) == 1 then
    local dot = string.find(keep, '.', 1, true)
    local id, n = keep, 0
    if dot then id, n = string.sub(keep, 1, dot - 1), tonumber(string.sub(keep, dot + 1)) end
    local entry = n > 0 and (id .. '.' .. n) or id
    if id == '' or rcall('HEXISTS', bodies, id) == 1 then
      id = string.match(outboxId, '^%d+') .. '-' .. rcall('HINCRBY', stats, 'seq', 1)
      entry = id
    elseif n > 0 then
      body = BASE .. struct.pack('>I4', n) .. body
    end
    rcall('HSET', bodies, id, body)
    rcall('RPUSH', ready, entry)
    taken = taken + 1
  end
end
if taken > 0 and wasEmpty then rcall('PUBLISH', ARGV[1], '') end
return taken

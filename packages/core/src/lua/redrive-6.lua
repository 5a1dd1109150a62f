#!lua flags=allow-oom
--[[ redrive: the first step of sending dead letters back. Moves up to ARGV[1] ready messages of this
(dead-letter) queue, oldest first, to its outbox, each with its route: the queue it goes to and the
id it is to keep there. The engine then hands the outbox over with adopt-4.lua in each target queue
and unqueue-outbox-3.lua here: the same idempotent hand-off as dead letters take on Redis Cluster,
as the target may sit in another slot. Once in the outbox a letter can no longer be received here,
so it is handed over once; an interrupted redrive leaves it there for the next one to finish.

A dead letter knows where it died: receive-9.lua framed its stored value as
  "\0tqd" . length of origin (uint32, big-endian) . origin "<source queue>/<id it had there>.<n>" . stored value
Route: ARGV[2] if given, else the origin's queue; the entry to keep, "<id>.<n>": the origin's id
(the id send() gave it) and its deliveries there, or, for a letter with no origin, this queue's
entry (id and deliveries here). adopt-4.lua keeps counting deliveries from that n, so that no receipt
of an earlier life is ever valid again. (An origin from an older version has no ".<n>": the
entry to keep is then the id alone.) The origin frame stays on the body in the outbox; the engine
takes it off (and a base frame) before the adopt.

Full Redis (allow-oom): runs when Redis is at its maxmemory, so that dead letters can be sent back
to be worked off: it moves bodies (HSET of a body removed by the HDEL after it), adding a route
of some tens of bytes per letter until the hand-off removes it.

KEYS[1] ready          LIST  entries of this queue, oldest first
KEYS[2] bodies         HASH  id -> body
KEYS[3] stats          HASH  this queue's seq numbers the outbox ids
KEYS[4] outbox         LIST  outbox ids waiting for hand-off
KEYS[5] outbox bodies  HASH  outbox id -> body
KEYS[6] outbox routes  HASH  outbox id -> "<target queue>/<entry to keep>" ("<id>.<n>" or "<id>")

ARGV[1] at most this many letters (1-100)
ARGV[2] the target queue for all of them, or "" for each letter's source queue

Output: {moved, stop}: how many moved to the outbox; stop is NO_SOURCE (-1) when the next ready
message has no origin and ARGV[2] is "" (it stays where it is), else how many stay ready here.
]]
local rcall = redis.call
local ready, bodies, stats, outbox, outboxBodies, routes = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local max, to = tonumber(ARGV[1]), ARGV[2]
local find, sub = string.find, string.sub
local DEAD = '\0tqd'

-- "<source>/<id>" of a framed dead letter, or nil.
local function originOf(body)
  if #body < 8 or sub(body, 1, 4) ~= DEAD then return nil end
  return sub(body, 9, 8 + struct.unpack('>I4', body, 5))
end

local t = rcall('TIME')
local stamp = string.format('%s%06d', t[1], tonumber(t[2])) -- Redis time, µs
local moved = 0
while moved < max do
  local entry = rcall('LINDEX', ready, 0)
  if not entry then break end
  local dot = find(entry, '.', 1, true)
  local id = dot and sub(entry, 1, dot - 1) or entry
  local body = rcall('HGET', bodies, id)
  if body then
    local target, keep = to, entry
    local origin = originOf(body)
    if origin then
      local slash = #origin - (find(string.reverse(origin), '/', 1, true) or 0) + 1
      if to == '' then target = sub(origin, 1, slash - 1) end
      keep = sub(origin, slash + 1)
    end
    if target == '' then return { moved, -1 } end
    -- "<sentAt>-<seq>-<time now>": seq starts again when this queue is deleted, and a target's adopted
    -- marks (24 h) must not take a new letter for a repeat of an old hand-off.
    local outboxId = string.match(id, '^%d+') .. '-' .. rcall('HINCRBY', stats, 'seq', 1) .. '-' .. stamp
    rcall('HSET', outboxBodies, outboxId, body)
    rcall('HSET', routes, outboxId, target .. '/' .. keep)
    rcall('RPUSH', outbox, outboxId)
    rcall('HDEL', bodies, id)
    moved = moved + 1
  end
  -- An entry without a body cannot be delivered (receive-9.lua drops such entries too).
  rcall('LPOP', ready)
end
return { moved, rcall('LLEN', ready) }

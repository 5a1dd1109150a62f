#!lua flags=allow-oom
--[[ touch: extend current reservations: each now ends visibilityMs from now.

One script for one receipt (TOUCH) and for many (touchBatch, MTOUCH): the receipts are checked with
one ZMSCORE, and the extended ones written with one ZADD XX (XX: a receipt that is not a member is
never added). Nothing grows: an existing member gets a new score.

Full Redis (allow-oom): runs when Redis is at its maxmemory: it only changes the score of an existing
member (ZADD XX), so it never grows memory, and a lease must be kept while Redis is full.

KEYS[1] inflight  ZSET entry (= receipt) -> lease end ms
KEYS[2] config    HASH settings (visibilityMs)

ARGV[1] visibility ms, 0 = the queue's
ARGV[2] default visibility ms, for a queue with none configured
ARGV[3..n] receipts "<id>.<receiveCount>"

Output: a string of one character per receipt: EXTENDED ("1") extended, STALE ("0") unknown or stale
receipt (nothing changed)
]]
local rcall = redis.call
local inflight, config = KEYS[1], KEYS[2]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local vis = tonumber(ARGV[1])
if vis == 0 then vis = tonumber(rcall('HGET', config, 'visibilityMs') or ARGV[2]) end
local leaseEnd = now + vis

local receipts = { unpack(ARGV, 3) }
local leases = rcall('ZMSCORE', inflight, unpack(receipts))
local out, extend, n = {}, {}, 0
for i = 1, #receipts do
  if leases[i] and tonumber(leases[i]) > now then
    out[i] = '1'
    n = n + 1
    extend[2 * n - 1] = leaseEnd
    extend[2 * n] = receipts[i]
  else
    out[i] = '0'
  end
end
if n > 0 then rcall('ZADD', inflight, 'XX', unpack(extend)) end
return table.concat(out)

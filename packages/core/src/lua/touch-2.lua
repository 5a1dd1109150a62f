#!lua flags=allow-oom
--[[ touch: extend the current reservation: it now ends visibilityMs from now.

Full Redis (allow-oom): runs when Redis is at its maxmemory: it only changes the score of an existing
member (ZADD XX), so it never grows memory, and a lease must be kept while Redis is full.

KEYS[1] inflight  ZSET entry (= receipt) -> lease end ms
KEYS[2] config    HASH settings (visibilityMs)

ARGV[1] receipt "<id>.<receiveCount>"
ARGV[2] visibility ms, 0 = the queue's
ARGV[3] default visibility ms, for a queue with none configured

Output: EXTENDED (1) extended, STALE (0) unknown or stale receipt (nothing changed)
]]
local rcall = redis.call
local inflight, config = KEYS[1], KEYS[2]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local lease = rcall('ZSCORE', inflight, ARGV[1])
if not lease or tonumber(lease) <= now then return 0 end

local vis = tonumber(ARGV[2])
if vis == 0 then vis = tonumber(rcall('HGET', config, 'visibilityMs') or ARGV[3]) end
rcall('ZADD', inflight, 'XX', now + vis, ARGV[1])
return 1

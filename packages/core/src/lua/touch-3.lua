--[[ touch: extend the current reservation: it now ends visibilityMs from now.

KEYS[1] inflight  ZSET id -> lease end ms
KEYS[2] receives  HASH id -> receive count
KEYS[3] config    HASH settings (visibilityMs)

ARGV[1] receipt "<id>.<receiveCount>"
ARGV[2] visibility ms, 0 = the queue's
ARGV[3] default visibility ms, for a queue with none configured

Output: 1 extended, 0 unknown or stale receipt (nothing changed)
]]
local rcall = redis.call
local inflight, receives, config = KEYS[1], KEYS[2], KEYS[3]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local id, count = string.match(ARGV[1], '^(.+)%.(%d+)$')
if not id then return 0 end
local lease = rcall('ZSCORE', inflight, id)
if not lease or tonumber(lease) <= now or rcall('HGET', receives, id) ~= count then return 0 end

local vis = tonumber(ARGV[2])
if vis == 0 then vis = tonumber(rcall('HGET', config, 'visibilityMs') or ARGV[3]) end
rcall('ZADD', inflight, 'XX', now + vis, id)
return 1

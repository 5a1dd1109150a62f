--[[ respond: answer a request. In one step: store the reply for the request's waiter and delete the
request, so that exactly one reply is ever stored per request.

Only the current reservation may respond (the receipt is in inflight and its lease has not ended): a
responder whose lease ran out, a second respond, or an unknown receipt changes nothing. The reply key
lives under the queue's hash tag, so this runs on Redis Cluster as on one Redis.

KEYS[1] inflight  ZSET entry (= receipt) -> lease end ms
KEYS[2] bodies    HASH id -> body
KEYS[3] stats     HASH counters (deleted)
KEYS[4] config    HASH settings (replyTtlMs, maxMessageBytes)
KEYS[5] reply     STRING the reply, kept replyTtlMs for wait() to collect

ARGV[1] receipt "<id>.<receiveCount>"
ARGV[2] the reply body
ARGV[3] replied channel, published to with the request id once the reply is stored
ARGV[4] replyTtlMs to use when the queue has none configured
ARGV[5] maxMessageBytes to use when the queue has none configured

Output: 1 replied (request deleted), 0 unknown or stale receipt (nothing changed),
        -1 TOO_BIG: the reply is larger than the queue's maxMessageBytes (nothing changed)
]]
local rcall = redis.call
local inflight, bodies, stats, config, reply = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local receipt = ARGV[1]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local lease = rcall('ZSCORE', inflight, receipt)
if not lease or tonumber(lease) <= now then return 0 end

local settings = rcall('HMGET', config, 'replyTtlMs', 'maxMessageBytes')
if #ARGV[2] > tonumber(settings[2] or ARGV[5]) then return -1 end

local id = string.sub(receipt, 1, string.find(receipt, '.', 1, true) - 1)
rcall('ZREM', inflight, receipt)
rcall('HDEL', bodies, id)
rcall('HINCRBY', stats, 'deleted', 1)
rcall('SET', reply, ARGV[2], 'PX', tonumber(settings[1] or ARGV[4]))
rcall('PUBLISH', ARGV[3], id)
return 1

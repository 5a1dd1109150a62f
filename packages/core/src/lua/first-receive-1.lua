--[[ first-receive: note when messages were first received (the SQS port's
ApproximateFirstReceiveTimestamp), and read back when that was.

Only the SQS port calls this, after its receives: a message first received elsewhere (TCP, HTTP,
the engine) counts from its first receive through SQS. Entries go with DeleteMessage, PurgeQueue
and DeleteQueue through SQS; one of a message deleted another way stays behind until then.

KEYS[1] first-received  HASH  id -> ms of the first receive

ARGV[1..] message ids

Output: {ms, ms, ...} one per id, the time (ms, as text) of its first receive: the one already
noted, or now for an id seen for the first time
]]
local rcall = redis.call
local t = rcall('TIME')
local now = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
for i = 1, #ARGV do rcall('HSETNX', KEYS[1], ARGV[i], now) end
return rcall('HMGET', KEYS[1], unpack(ARGV))

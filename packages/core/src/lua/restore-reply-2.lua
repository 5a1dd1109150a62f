--[[ restore-reply: put back a reply that was collected for a waiter who left at that instant, with the
expiry time it had, and announce it again (another waiter may be waiting for it).

KEYS[1] replies       HASH request id -> reply
KEYS[2] reply-expiry  ZSET request id -> time (ms) its reply expires

ARGV[1] request id
ARGV[2] the reply
ARGV[3] its expiry time (ms)
ARGV[4] replied channel

Output: RESTORED (1) put back, GONE (0) expired meanwhile or already there again (nothing changed)
]]
local rcall = redis.call
local replies, expiry = KEYS[1], KEYS[2]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(ARGV[3]) <= now or rcall('HSETNX', replies, ARGV[1], ARGV[2]) == 0 then return 0 end

rcall('ZADD', expiry, ARGV[3], ARGV[1])
local last = tonumber(rcall('ZRANGE', expiry, -1, -1, 'WITHSCORES')[2])
rcall('PEXPIREAT', replies, last)
rcall('PEXPIREAT', expiry, last)
rcall('PUBLISH', ARGV[4], ARGV[1])
return 1

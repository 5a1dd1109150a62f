#!lua flags=allow-oom
--[[ collect: take the replies of some requests, each at most once: returned and removed. An expired
reply counts as absent (and is removed). An id asked for twice in one call (two waiters of one handle)
gets its reply at its first place only.

Full Redis (allow-oom): runs when Redis is at its maxmemory: it only takes replies out.

KEYS[1] replies       HASH request id -> reply
KEYS[2] reply-expiry  ZSET request id -> time (ms) its reply expires

ARGV[1..n] request ids

Output: a flat array of n pairs, one per id: reply, expiry time (ms), or false, false when there is none
]]
local rcall = redis.call
local replies, expiry = KEYS[1], KEYS[2]

local t = rcall('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local found = rcall('HMGET', replies, unpack(ARGV))
local out, taken, seen = {}, {}, {}
for i = 1, #ARGV do
  out[2 * i - 1], out[2 * i] = false, false
  if found[i] and not seen[ARGV[i]] then
    seen[ARGV[i]] = true
    taken[#taken + 1] = ARGV[i]
    local expires = tonumber(rcall('ZSCORE', expiry, ARGV[i]))
    if expires and expires > now then out[2 * i - 1], out[2 * i] = found[i], expires end
  end
end
if #taken > 0 then
  rcall('HDEL', replies, unpack(taken))
  rcall('ZREM', expiry, unpack(taken))
end
return out

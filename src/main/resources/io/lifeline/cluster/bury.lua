-- Announces the end of every subscriber of a node whose heartbeat expired, and forgets the node: once, by the node
-- that holds the claim. ARGV: 4 the node, 5 the claimer, 6 on: the announcements.
-- Returns {epoch, last sequence}, the sequence -1 when nothing was done (the claim is not the claimer's, or the
-- node's heartbeat came back meanwhile).
local claim = 'lifeline:claim:' .. ARGV[4]
local epoch = redis.call('GET', KEYS[9])
if redis.call('GET', claim) ~= ARGV[5] then
  return {epoch, -1}
end
local expires = redis.call('ZSCORE', KEYS[11], ARGV[4])
if expires and tonumber(expires) > nowMillis() then
  redis.call('DEL', claim)
  return {epoch, -1}
end
local last = appendAll(6)
redis.call('DEL', listed(ARGV[4]))
redis.call('ZREM', KEYS[11], ARGV[4])
redis.call('HDEL', KEYS[16], ARGV[4])
redis.call('DEL', claim)
return {epoch, last}

-- Announces the end of every subscriber a node listed when it was claimed, and forgets the node: once, by the node
-- that holds the claim. ARGV: 4 the node, 5 the claimer, 6 "1" to skip the heartbeat check (a node burying what
-- it listed before a restart under the same name), 7 the number of subscribers, then for each: its id, the number
-- of its announcements, and those announcements as entries.
-- A subscriber is announced only if it is still listed (HDEL 1): one whose node announced its end meanwhile is not
-- announced twice. Returns {epoch, last sequence}, the sequence -1 when nothing was done (the claim is not the
-- claimer's, or the node's heartbeat came back meanwhile).
local claim = 'lifeline:claim:' .. ARGV[4]
local epoch = redis.call('GET', KEYS[9])
if redis.call('GET', claim) ~= ARGV[5] then
  return {epoch, -1}
end
local expires = redis.call('ZSCORE', KEYS[11], ARGV[4])
if ARGV[6] ~= '1' and expires and tonumber(expires) > nowMillis() then
  redis.call('DEL', claim)
  return {epoch, -1}
end
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = 8
for _ = 1, tonumber(ARGV[7]) do
  local subscriber, n = ARGV[at], tonumber(ARGV[at + 1])
  local upTo = at + 1 + 4 * n
  if redis.call('HDEL', listed(ARGV[4]), subscriber) == 1 and n > 0 then
    last = appendAll(at + 2, upTo)
  end
  at = upTo + 1
end
if ARGV[6] ~= '1' then
  redis.call('ZREM', KEYS[11], ARGV[4])
  redis.call('HDEL', KEYS[16], ARGV[4])
end
redis.call('DEL', claim)
return {epoch, last}

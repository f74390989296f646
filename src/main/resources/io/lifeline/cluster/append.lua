-- Publishes, and forgets a subscriber that ended. ARGV: 4 the node, 5 the subscriber to forget ('' for none),
-- 6 on: the entries. Returns {epoch, last sequence}; the sequence is -1 when the subscriber was no longer listed
-- (its node was found silent and another node announced its end): its end is then not announced twice.
if ARGV[5] ~= '' and redis.call('HDEL', listed(ARGV[4]), ARGV[5]) == 0 then
  return {redis.call('GET', KEYS[9]), -1}
end
local last = appendAll(6)
return {redis.call('GET', KEYS[9]), last}

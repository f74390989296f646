-- The nodes of a cluster, by heartbeat. ARGV: 4 the operation, 5 the node, 6 the heartbeat's lifetime (ms),
-- 7 the last sequence the node has read (beat and register).
-- Each answers with a list (of one element, but for list and census):
--   beat:     prolongs the node's heartbeat; returns 1, or 0 when the node is not registered (its heartbeat
--             expired and another node announced its subscribers' ends)
--   register: registers the node (again) and prolongs its heartbeat; returns 1
--   expired:  returns the nodes whose heartbeat expired
--   grace:    prolongs every registered node's heartbeat to at least now + the lifetime (a node that finds Redis
--             back after an outage: the others could not renew theirs meanwhile either); returns 1
--   leave:    forgets the node and its listed subscribers (a clean stop); returns 1
--   list:     returns {last id, the listings of every registered node's subscribers}
--   census:   returns {node, subscribers listed, node, subscribers listed, ...} for every registered node
local op, node = ARGV[4], ARGV[5]
if op == 'beat' or op == 'register' then
  if op == 'beat' and not redis.call('ZSCORE', KEYS[11], node) then
    return {0}
  end
  redis.call('ZADD', KEYS[11], nowMillis() + tonumber(ARGV[6]), node)
  redis.call('HSET', KEYS[16], node, ARGV[7])
  return {1}
elseif op == 'grace' then
  local expiry = nowMillis() + tonumber(ARGV[6])
  for _, n in ipairs(redis.call('ZRANGE', KEYS[11], 0, -1)) do
    redis.call('ZADD', KEYS[11], 'XX', 'GT', expiry, n)
  end
  return {1}
elseif op == 'expired' then
  return {redis.call('ZRANGEBYSCORE', KEYS[11], '-inf', nowMillis())}
elseif op == 'leave' then
  redis.call('ZREM', KEYS[11], node)
  redis.call('HDEL', KEYS[16], node)
  redis.call('DEL', listed(node))
  return {1}
elseif op == 'list' then
  local listings = {}
  for _, n in ipairs(redis.call('ZRANGE', KEYS[11], 0, -1)) do
    for _, listing in ipairs(redis.call('HVALS', listed(n))) do
      table.insert(listings, listing)
    end
  end
  return {redis.call('GET', KEYS[10]) or '', listings}
elseif op == 'census' then
  local census = {}
  for _, n in ipairs(redis.call('ZRANGE', KEYS[11], 0, -1)) do
    table.insert(census, n)
    table.insert(census, redis.call('HLEN', listed(n)))
  end
  return census
end
return redis.error_reply('unknown operation ' .. tostring(op))

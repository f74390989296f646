-- Publishes: ARGV from 4 on holds the entries. Returns {epoch, last sequence}.
local last = appendAll(4)
return {redis.call('GET', KEYS[9]), last}

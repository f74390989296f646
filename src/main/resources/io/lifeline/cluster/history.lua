-- Shared by the scripts here (concatenated before each): appending to the hub's two streams, and bounding them by
-- count and bytes, as one atomic step.
--
-- KEYS: 1 seq (counter), 2 updates (stream), 3 events (stream of the hub's own subscription events),
--       4 updates' bytes, 5 events' bytes, 6 ids (hash: update id -> sequence of its earliest copy held),
--       7 copies (hash: update id -> copies held), 8 evicted (sequence of the newest publisher's update no longer
--       held), 9 epoch, 10 last id (of the last update appended), 11 nodes (sorted set: node -> when its heartbeat
--       expires, in Redis's own clock, ms), 12 updates' count, 13 events' count, 14 updates' first (the sequence of
--       the oldest update held), 15 events' first, 16 positions (hash: node -> the last sequence it had read at its
--       last heartbeat); each node's listed subscribers are the hash "lifeline:subscriptions:<node>" (subscriber id
--       -> its listing as JSON), a key named by the node, which is why these scripts serve a single Redis (or a
--       Sentinel-guarded one), not a Redis Cluster
-- ARGV: 1 history size, 2 history bytes, 3 an epoch to set if none is (Redis lost its data, or is new)
-- Entry ids are "<sequence>-0"; sequences are dense over both streams. Entry fields, in this order:
-- i (update id), n (bytes the update takes on the wire), u (the update, JSON).
--
-- The history (what a reconnection may replay) is bounded by count and bytes; an entry that leaves it is forgotten
-- by the index at once, but stays in its stream until every registered node has read past it, so that a burst
-- never takes an entry from a node that had not read it yet. A node that falls further behind than LAG entries
-- loses the oldest of them, notices the gap, and sends its subscribers to reconnect.

local maxSize, maxBytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local LAG = 100000
redis.call('SET', KEYS[9], ARGV[3], 'NX')

local function nowMillis()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function listed(node)
  return 'lifeline:subscriptions:' .. node
end

local function seqOf(entryId)
  return tonumber(string.match(entryId, '^(%d+)'))
end

-- An evicted copy leaves the index; when it was the earliest held, the next copy held in its stream becomes the
-- earliest (ids are reused by publishers only; the hub's own events have ids of their own).
local function forget(id, seq, key)
  local left = redis.call('HINCRBY', KEYS[7], id, -1)
  if left <= 0 then
    redis.call('HDEL', KEYS[7], id)
    redis.call('HDEL', KEYS[6], id)
    return
  end
  if tonumber(redis.call('HGET', KEYS[6], id)) ~= seq then
    return
  end
  local best = nil
  local from = string.format('(%d-0', seq)
  while best == nil do
    local batch = redis.call('XRANGE', key, from, '+', 'COUNT', 100)
    if #batch == 0 then
      break
    end
    for _, e in ipairs(batch) do
      if e[2][2] == id then
        best = seqOf(e[1])
        break
      end
    end
    from = '(' .. batch[#batch][1]
  end
  if best then
    redis.call('HSET', KEYS[6], id, best)
  else
    redis.call('HDEL', KEYS[6], id)
    redis.call('HDEL', KEYS[7], id)
  end
end

-- The slowest registered node's position: entries after it must stay. Nil when no node has said.
local function slowest()
  local low = nil
  for _, p in ipairs(redis.call('HVALS', KEYS[16])) do
    local v = tonumber(p)
    if low == nil or v < low then
      low = v
    end
  end
  return low
end

-- Bounds one stream's history, oldest first, keeping at least one entry whatever its size; then removes from the
-- stream what has left the history and every node has read, and whatever lies more than LAG entries back.
local function trim(key, bytesKey, lenKey, firstKey, hubEvents)
  local len = tonumber(redis.call('GET', lenKey) or '0')
  local total = tonumber(redis.call('GET', bytesKey) or '0')
  local first = tonumber(redis.call('GET', firstKey) or '0')
  local changed = false
  while len > maxSize or (total > maxBytes and len > 1) do
    local batch = redis.call('XRANGE', key, string.format('%d-0', first), '+', 'COUNT', 100)
    if #batch == 0 then
      -- the counters and the stream disagree (a key removed by hand): they start again from nothing
      len, total = 0, 0
      changed = true
      break
    end
    for _, e in ipairs(batch) do
      if not (len > maxSize or (total > maxBytes and len > 1)) then
        break
      end
      local s = seqOf(e[1])
      total = total - tonumber(e[2][4])
      len = len - 1
      first = s + 1
      changed = true
      if not hubEvents then
        redis.call('SET', KEYS[8], s)
      end
      forget(e[2][2], s, key)
    end
  end
  if changed then
    redis.call('SET', lenKey, len)
    redis.call('SET', bytesKey, total)
    redis.call('SET', firstKey, first)
  end
  local keepFrom = first
  local low = slowest()
  if low ~= nil and low + 1 < keepFrom then
    keepFrom = low + 1
  end
  if keepFrom > 0 then
    redis.call('XTRIM', key, 'MINID', string.format('%d-0', keepFrom))
  end
  redis.call('XTRIM', key, 'MAXLEN', maxSize + LAG)
end

-- Appends the entries given as (hub event "1"/"0", id, bytes, body) from ARGV[first] up to ARGV[upTo] (the end when
-- not given); returns the last sequence, or the current one when there are none.
local function appendAll(first, upTo)
  local last = tonumber(redis.call('GET', KEYS[1]) or '0')
  for i = first, upTo or #ARGV, 4 do
    local hub = ARGV[i] == '1'
    local id = ARGV[i + 1]
    local seq = redis.call('INCR', KEYS[1])
    local key = hub and KEYS[3] or KEYS[2]
    local bytesKey = hub and KEYS[5] or KEYS[4]
    local lenKey = hub and KEYS[13] or KEYS[12]
    local firstKey = hub and KEYS[15] or KEYS[14]
    redis.call('XADD', key, string.format('%d-0', seq), 'i', id, 'n', ARGV[i + 2], 'u', ARGV[i + 3])
    redis.call('INCRBY', bytesKey, tonumber(ARGV[i + 2]))
    redis.call('INCR', lenKey)
    redis.call('HSETNX', KEYS[6], id, seq)
    redis.call('HINCRBY', KEYS[7], id, 1)
    redis.call('SET', KEYS[10], id)
    trim(key, bytesKey, lenKey, firstKey, hub)
    last = seq
  end
  return last
end

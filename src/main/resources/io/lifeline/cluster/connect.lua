-- Connects a subscriber: finds where it resumes, reads its replay, then appends its announcements.
-- ARGV: 4 mode (none, position, id), 5 the position's epoch or the update id, 6 the position's sequence,
--       7 the node, 8 the subscriber ('' for none), 9 its listing (JSON), 10 on: the announcements.
-- Returns {epoch, head, found (1/0), replay}: head is the last sequence once the announcements are appended (the
-- subscriber joins after it, so it never receives its own announcements); replay holds every entry held after the
-- resume point up to the announcements, as {entry id, 0 (update) or 1 (hub event), bytes, body}, each stream in order.
local epoch = redis.call('GET', KEYS[9])
local before = tonumber(redis.call('GET', KEYS[1]) or '0')
local mode = ARGV[4]
local after, found = -1, 0
if mode == 'position' then
  local s = tonumber(ARGV[6])
  local evicted = tonumber(redis.call('GET', KEYS[8]) or '0')
  if ARGV[5] == epoch and s ~= nil and s >= evicted and s <= before then
    after, found = s, 1
  end
elseif mode == 'id' then
  local s = redis.call('HGET', KEYS[6], ARGV[5])
  if s then
    after, found = tonumber(s), 1
  end
end
local replay = {}
if mode ~= 'none' and before > 0 then
  local to = string.format('%d-0', before)
  for index, key in ipairs({KEYS[2], KEYS[3]}) do
    -- what the history holds: entries before its first stay in the stream only for nodes that lag
    local first = tonumber(redis.call('GET', index == 1 and KEYS[14] or KEYS[15]) or '0')
    local from = string.format('%d-0', math.max(after + 1, first))
    for _, e in ipairs(redis.call('XRANGE', key, from, to)) do
      table.insert(replay, {e[1], index - 1, e[2][4], e[2][6]})
    end
  end
end
if ARGV[8] ~= '' then
  redis.call('HSET', listed(ARGV[7]), ARGV[8], ARGV[9])
end
local head = appendAll(10)
return {epoch, head, found, replay}

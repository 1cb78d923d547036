-- Appends a batch of updates to the shared stream, indexes their event IDs, and applies
-- retention, atomically (one script run = one step in Redis' single-threaded order).
--
-- KEYS[1] the stream: entry ID "<sequence>-0"; fields i (event ID), u (encoded update),
--         t (Redis' clock when appended, ms)
-- KEYS[2] the index: hash event ID -> sequence (the newest entry with that ID)
-- KEYS[3] the sequence counter: the last sequence handed out
-- KEYS[4] the hub events' sequences, a list, oldest first
-- ARGV[1] most entries kept (0: no limit)
-- ARGV[2] oldest entry kept, in ms of age (0: no limit)
-- ARGV[3] most entries trimmed by this run (keeps one run short)
-- ARGV[4] the highest sequence the calling node has seen: the counter never restarts below
--         it, even if Redis lost its data (restarted without persistence)
-- ARGV[5] most hub events (subscription events) kept, apart from ARGV[1]
-- ARGV[6..] triples: kind, event ID, encoded update (none: only apply retention). Kind '0': an
--         application update with a generated ID; '2': a hub event (generated ID); '1': an
--         application update whose ID the publisher chose: an ID the index already holds is not
--         appended again: the same encoded update (topics, data, type, retry, private) is a
--         retry, anything else a conflict. Checked in this run, against the batch's earlier
--         entries too, so no other append can come between the check and the append.
-- Returns one integer per update, in order: its new sequence (> 0) when appended, minus the
-- stored entry's sequence (< 0) for a retry, 0 for a conflict.
local maxLen = tonumber(ARGV[1])
local maxAge = tonumber(ARGV[2])
local budget = tonumber(ARGV[3])
local floor = tonumber(ARGV[4])
local maxEvents = tonumber(ARGV[5])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local nowStr = string.format('%d', now)

-- The counter is authoritative, but never behind the stream (a run cut short by an error
-- could have added entries without updating it).
local seq = tonumber(redis.call('GET', KEYS[3]) or '0')
local tail = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #tail > 0 then
  local s = tonumber(string.match(tail[1][1], '^(%d+)-'))
  if s > seq then seq = s end
end
if floor > seq then seq = floor end

local results = {}
for i = 6, #ARGV, 3 do
  local id = ARGV[i + 1]
  local payload = ARGV[i + 2]
  local verdict = nil
  if ARGV[i] == '1' then
    local at = redis.call('HGET', KEYS[2], id)
    if at then
      local e = redis.call('XRANGE', KEYS[1], at .. '-0', at .. '-0')
      -- fields: i, <id>, u, <update>, t, <time>
      if #e > 0 and e[1][2][2] == id then
        if e[1][2][4] == payload then verdict = -tonumber(at) else verdict = 0 end
      end
    end
  end
  if verdict == nil then
    seq = seq + 1
    local s = string.format('%d', seq)
    redis.call('XADD', KEYS[1], s .. '-0', 'i', id, 'u', payload, 't', nowStr)
    redis.call('HSET', KEYS[2], id, s)
    if ARGV[i] == '2' then redis.call('RPUSH', KEYS[4], s) end
    verdict = seq
  end
  results[#results + 1] = verdict
end
if #ARGV >= 6 then
  redis.call('SET', KEYS[3], string.format('%d', seq))
end

-- Retention. The hub's own events (subscription events) have a bound of their own and do not
-- count towards the application updates' one, so they can never push an application update
-- out; both kinds age out alike.
-- 1. Events past their bound are deleted wherever they are, oldest first (XDEL: a gap in the
--    sequences, which only a reader lagging that far behind could notice; it then resets).
local work = budget
while work > 0 and redis.call('LLEN', KEYS[4]) > maxEvents do
  local s = redis.call('LPOP', KEYS[4])
  local e = redis.call('XRANGE', KEYS[1], s .. '-0', s .. '-0')
  if #e > 0 then
    if redis.call('HGET', KEYS[2], e[1][2][2]) == s then
      redis.call('HDEL', KEYS[2], e[1][2][2])
    end
    redis.call('XDEL', KEYS[1], s .. '-0')
  end
  work = work - 1
end
-- 2. The oldest entries past the count (application entries only) or the age, with their index
--    entries, at most `budget` of them per run (a run appending n entries trims up to n + some,
--    so the stream converges to the limits even when they were lowered). Events older than the
--    oldest application update kept go with the ones before them (the stream is trimmed as a
--    prefix); never the other way round.
local excess = 0
if maxLen > 0 then
  excess = redis.call('XLEN', KEYS[1]) - redis.call('LLEN', KEYS[4]) - maxLen
end
local cutoff = -1
if maxAge > 0 then cutoff = now - maxAge end
if excess > 0 or cutoff >= 0 then
  local old = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', budget)
  local events = {}
  if #old > 0 then events = redis.call('LRANGE', KEYS[4], 0, #old - 1) end
  local k = 1
  local dropped = 0
  local eventsDropped = 0
  local appsDropped = 0
  for j, e in ipairs(old) do
    local s = string.match(e[1], '^(%d+)-')
    -- Listed events no longer in the stream (trimmed by a node running an older script) are
    -- skipped, and removed with the rest.
    while events[k] and tonumber(events[k]) < tonumber(s) do k = k + 1 end
    local isEvent = events[k] == s
    if isEvent then k = k + 1 end
    if tonumber(e[2][6]) < cutoff or (not isEvent and appsDropped < excess) then
      dropped = j
      eventsDropped = k - 1
      if not isEvent then appsDropped = appsDropped + 1 end
    elseif not isEvent then
      break
    end
  end
  for j = 1, dropped do
    local s = string.match(old[j][1], '^(%d+)-')
    if redis.call('HGET', KEYS[2], old[j][2][2]) == s then
      redis.call('HDEL', KEYS[2], old[j][2][2])
    end
  end
  if eventsDropped > 0 then
    redis.call('LTRIM', KEYS[4], eventsDropped, -1)
  end
  if dropped > 0 then
    redis.call('XTRIM', KEYS[1], 'MAXLEN', redis.call('XLEN', KEYS[1]) - dropped)
  end
end
return results

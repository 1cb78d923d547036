-- Appends a batch of updates to the shared stream, indexes their event IDs, and applies
-- retention, atomically (one script run = one step in Redis' single-threaded order).
--
-- KEYS[1] the stream: entry ID "<sequence>-0"; fields i (event ID), u (encoded update),
--         t (Redis' clock when appended, ms)
-- KEYS[2] the index: hash event ID -> sequence (the newest entry with that ID)
-- KEYS[3] the sequence counter: the last sequence handed out
-- ARGV[1] most entries kept (0: no limit)
-- ARGV[2] oldest entry kept, in ms of age (0: no limit)
-- ARGV[3] most entries trimmed by this run (keeps one run short)
-- ARGV[4] the highest sequence the calling node has seen: the counter never restarts below
--         it, even if Redis lost its data (restarted without persistence)
-- ARGV[5..] triples: check flag, event ID, encoded update (none: only apply retention). With
--         the flag '1' (an ID the publisher chose), an ID the index already holds is not
--         appended again: the same encoded update (topics, data, type, retry, private) is a
--         retry, anything else a conflict. Checked in this run, against the batch's earlier
--         entries too, so no other append can come between the check and the append.
-- Returns one integer per update, in order: its new sequence (> 0) when appended, minus the
-- stored entry's sequence (< 0) for a retry, 0 for a conflict.
local maxLen = tonumber(ARGV[1])
local maxAge = tonumber(ARGV[2])
local budget = tonumber(ARGV[3])
local floor = tonumber(ARGV[4])
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
for i = 5, #ARGV, 3 do
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
    verdict = seq
  end
  results[#results + 1] = verdict
end
if #ARGV >= 5 then
  redis.call('SET', KEYS[3], string.format('%d', seq))
end

-- Retention: drop the oldest entries past the count or the age, with their index entries,
-- at most `budget` of them per run (a run appending n entries trims up to n + some, so the
-- stream converges to the limits even when they were lowered).
local excess = 0
if maxLen > 0 then excess = redis.call('XLEN', KEYS[1]) - maxLen end
local cutoff = -1
if maxAge > 0 then cutoff = now - maxAge end
if excess > 0 or cutoff >= 0 then
  local old = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', budget)
  local dropped = 0
  for j, e in ipairs(old) do
    local f = e[2]
    if not (j <= excess or tonumber(f[6]) < cutoff) then break end
    local s = string.match(e[1], '^(%d+)-')
    if redis.call('HGET', KEYS[2], f[2]) == s then
      redis.call('HDEL', KEYS[2], f[2])
    end
    dropped = j
  end
  if dropped > 0 then
    redis.call('XTRIM', KEYS[1], 'MAXLEN', redis.call('XLEN', KEYS[1]) - dropped)
  end
end
return results

-- wrk script: staff consoles keeping their screens live (static/web/live.js): each connection is
-- one open page that GETs /desk/live/?c=<cursor>&n=<notification id> with a staff session
-- cookie, waits for the answer, then waits the page's interval (2 s while visible) before the
-- next poll, as live.js does (fetch, then setTimeout). The first poll of each connection waits a
-- random part of the interval, so the pages poll at random phases, not in lockstep.
--   wrk -t2 -c200 -d60s --timeout 10s -s console.lua http://127.0.0.1:PORT -- SESSIONS INTERVAL_MS CONNS_PER_THREAD
-- SESSIONS: a file with one "sessionid=..." cookie a line; requests take them round-robin.
-- The cursor sent is the last one this thread saw (wrk does not tell a response's connection):
-- under a steady stream of creates every poll takes the "changed" path anyway.
-- Prints one JSON line at the end: requests, status counts, latency percentiles (ms).

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(cookies, line) end
  end
  interval = tonumber(args[2])
  per_thread = tonumber(args[3])  -- connections of this thread
  next_cookie = (id * 7919) % #cookies + 1
  starts = 0
  codes = {}
  changed = 0
  cursor, notif = "", ""
  math.randomseed(os.time() + id * 1000)
end

function delay()
  starts = starts + 1
  if starts <= per_thread then  -- the first poll of each connection of this thread
    return math.random(0, interval)
  end
  return interval
end

function request()
  local cookie = cookies[next_cookie]
  next_cookie = next_cookie % #cookies + 1
  local q = {}
  if cursor ~= "" then table.insert(q, "c=" .. cursor) end
  if notif ~= "" then table.insert(q, "n=" .. notif) end
  local path = "/desk/live/"
  if #q > 0 then path = path .. "?" .. table.concat(q, "&") end
  return wrk.format("GET", path, {["Cookie"] = cookie, ["Accept"] = "application/json"})
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  if status == 200 then
    local c = body:match('"c":%s*(%d+)')
    local n = body:match('"n":%s*(%d+)')
    if c then cursor = c end
    if n then notif = n end
    if body:find('"changed":%s*true') then changed = changed + 1 end
  end
end

function done(summary, latency, requests)
  local total, ch = {}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("codes")) do total[tostring(k)] = (total[tostring(k)] or 0) + v end
    ch = ch + t:get("changed")
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s": %d', k, v)) end
  io.write(string.format(
    '{"kind": "live", "requests": %d, "seconds": %.2f, "status": {%s}, "changed": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, table.concat(parts, ", "), ch,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end

-- wrk script: an open-loop stream of creates through the JSON API at a fixed rate (bounded):
-- each request is sent at its slot of a schedule (RATE per second over all threads), whatever
-- the previous answers took, as long as a connection is free; if all connections are busy the
-- schedule falls behind, and that is counted ("late": sent > 100 ms after its slot), so a slow
-- server shows as a lower achieved rate and lateness, not as a hidden wait.
--   wrk -t2 -c32 -d60s --timeout 10s -s create.lua http://127.0.0.1:PORT \
--       -- TOKEN COMMUNITY HOUSEHOLD_MIN HOUSEHOLD_MAX RATE THREADS
-- Prints one JSON line at the end.

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } pd_timeval;
int gettimeofday(pd_timeval *tv, void *tz);
]]
local tv = ffi.new("pd_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  community = tonumber(args[2])
  hmin = tonumber(args[3])
  hmax = tonumber(args[4])
  local rate = tonumber(args[5]) / tonumber(args[6])  -- this thread's share
  gap = 1000 / rate
  slot = now_ms() + id * gap / tonumber(args[6])  -- threads interleave
  codes = {}
  late = 0
  worst = 0
  math.randomseed(os.time() + id * 1000)
end

function delay()
  local now = now_ms()
  local wait = slot - now
  if wait < -100 then
    late = late + 1
    if -wait > worst then worst = -wait end
  end
  slot = slot + gap
  if wait > 0 then return math.floor(wait) end
  return 0
end

local texts = {
  "厨房水龙头漏水，请尽快派人维修",
  "楼道灯不亮，已经三天了",
  "卫生间下水道堵塞",
  "阳台推拉门卡住打不开",
}

function request()
  local body = string.format(
    '{"community": %d, "kind": "repair", "description": "%s", "household": %d}',
    community, texts[math.random(#texts)], math.random(hmin, hmax))
  return wrk.format("POST", "/api/work-orders/", {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Authorization"] = "Token " .. token,
  }, body)
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, l, w = {}, 0, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("codes")) do total[tostring(k)] = (total[tostring(k)] or 0) + v end
    l = l + t:get("late")
    if t:get("worst") > w then w = t:get("worst") end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s": %d', k, v)) end
  io.write(string.format(
    '{"kind": "create", "requests": %d, "seconds": %.2f, "status": {%s}, "late": %d, ' ..
    '"worst_late_ms": %.0f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, table.concat(parts, ", "), l, w,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end

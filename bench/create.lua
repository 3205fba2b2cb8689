-- wrk script: POST /api/work-orders/ with token auth, a random household of the community.
--   wrk -t2 -c8 -d20s --latency -s bench/create.lua http://127.0.0.1:PORT \
--       -- TOKEN COMMUNITY HOUSEHOLD_MIN HOUSEHOLD_MAX
-- Counts the status codes per thread and prints them at the end ("status 201: N").

local token, community, hmin, hmax
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  community = tonumber(args[2])
  hmin = tonumber(args[3])
  hmax = tonumber(args[4])
  codes = {}
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
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
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("codes")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do
    io.write(string.format("status %d: %d\n", k, v))
  end
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("latency p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("latency max: %.2f ms\n", latency.max / 1000))
end

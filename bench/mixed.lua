-- mixed.lua: the soak's mixed read workload. Picks a random path from
-- PATHS_FILE for every request (fixed seed per wrk thread) and counts
-- answers by status class; prints one SOAK_RESULT line at the end.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local reqs = {}
local threads = {}
local base_setup = setup
function setup(thread)
  base_setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  local name = os.getenv("PATHS_FILE") or error("set PATHS_FILE")
  for line in io.lines(name) do
    if line ~= "" then
      reqs[#reqs + 1] = wrk.format("GET", line)
    end
  end
  math.randomseed(tonumber(os.getenv("SEED") or "2012") + 7919 * (thread_id or 0))
  s2, s3, s4, s5 = 0, 0, 0, 0
end

function request()
  return reqs[math.random(#reqs)]
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
end

function done(summary, latency, requests)
  report(summary, latency, requests)
  local t = {0, 0, 0, 0}
  for _, th in ipairs(threads) do
    t[1] = t[1] + (th:get("s2") or 0)
    t[2] = t[2] + (th:get("s3") or 0)
    t[3] = t[3] + (th:get("s4") or 0)
    t[4] = t[4] + (th:get("s5") or 0)
  end
  io.write(string.format("SOAK_RESULT status2xx=%d status3xx=%d status4xx=%d status5xx=%d\n", t[1], t[2], t[3], t[4]))
end

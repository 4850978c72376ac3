-- paths.lua: requests the paths listed in PATHS_FILE (one a line) in
-- turn, each wrk thread starting at its own place in the list; a list of
-- one path repeats it. Used for the cached cases and the static ceiling.
--
--   PATHS_FILE=paths.txt wrk -t2 -c32 -d10s --latency -s bench/paths.lua http://127.0.0.1:8080
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local reqs, i = {}, 0

function init(args)
  local name = os.getenv("PATHS_FILE") or error("set PATHS_FILE")
  for line in io.lines(name) do
    if line ~= "" then
      reqs[#reqs + 1] = wrk.format("GET", line)
    end
  end
  if #reqs == 0 then
    error("no paths in " .. name)
  end
  i = ((thread_id or 0) * 7) % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

done = report

-- random_tile.lua: random WebMercatorQuad tiles of one zoom inside a block
-- of tiles (math.random, fixed seed per wrk thread).
--
--   COLLECTION=bench_polygons Z=14 X0=13760 X1=13823 Y0=6080 Y1=6143 SEED=2012 \
--     wrk -t2 -c32 -d10s --latency -s bench/random_tile.lua http://127.0.0.1:8080
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local collection = os.getenv("COLLECTION") or "bench_polygons"
local z = tonumber(os.getenv("Z") or error("set Z"))
local x0, x1 = tonumber(os.getenv("X0")), tonumber(os.getenv("X1"))
local y0, y1 = tonumber(os.getenv("Y0")), tonumber(os.getenv("Y1"))
local seed = tonumber(os.getenv("SEED") or "2012")

function init(args)
  math.randomseed(seed + 7919 * (thread_id or 0))
end

function request()
  -- Path order is row (y) then column (x).
  return wrk.format("GET", string.format("/collections/%s/tiles/WebMercatorQuad/%d/%d/%d",
    collection, z, math.random(y0, y1), math.random(x0, x1)))
end

done = report

-- random_bbox.lua: every request asks for a different 0.2-degree bbox
-- inside Liaoning (uncached by construction).
--
--   COLLECTION=bench_polygons BBOX_DEG=0.2 LIMIT=100 SEED=2012 \
--     wrk -t2 -c32 -d10s --latency -s bench/random_bbox.lua http://127.0.0.1:8080
--
-- The box's centre is drawn uniformly (math.random, fixed seed per wrk
-- thread) and kept when it falls inside the mainland outline of Liaoning
-- below: the basemap's liaoning layer simplified with
-- ST_SimplifyPreserveTopology(ST_ExteriorRing(largest part), 0.06).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local collection = os.getenv("COLLECTION") or "bench_polygons"
local deg = tonumber(os.getenv("BBOX_DEG") or "0.2")
local limit = os.getenv("LIMIT") or "100"
local seed = tonumber(os.getenv("SEED") or "2012")

local ring = {
  119.849,39.989, 120.462,40.207, 120.825,40.675, 121.032,40.712, 120.922,40.737, 121.007,40.850,
  121.007,40.785, 121.015,40.779, 121.174,40.887, 121.675,40.835, 121.857,40.990, 121.843,40.822,
  121.952,40.813, 121.997,40.658, 122.040,40.678, 122.056,40.658, 122.146,40.691, 122.164,40.681,
  122.130,40.614, 122.277,40.474, 122.038,40.316, 122.100,40.237, 121.826,40.028, 121.876,39.990,
  121.472,39.808, 121.568,39.550, 121.359,39.507, 121.238,39.451, 121.398,39.362, 121.453,39.375,
  121.434,39.386, 121.459,39.389, 121.435,39.426, 121.451,39.431, 121.547,39.313, 121.704,39.407,
  121.928,39.403, 121.590,39.271, 121.660,39.085, 121.094,38.928, 121.181,38.721, 121.229,38.803,
  121.693,38.864, 121.604,38.929, 121.758,39.010, 121.693,39.053, 121.906,38.965, 121.838,39.043,
  122.063,39.063, 122.028,39.130, 122.164,39.153, 122.103,39.159, 122.069,39.191, 122.287,39.372,
  122.494,39.403, 122.801,39.564, 122.751,39.603, 123.546,39.756, 123.640,39.870, 124.121,39.837,
  124.098,39.778, 124.141,39.746, 124.441,40.179, 124.871,40.480, 125.024,40.480, 124.944,40.545,
  125.244,40.660, 125.405,40.625, 125.523,40.781, 125.681,40.786, 125.688,40.893, 125.576,40.913,
  125.769,41.144, 125.746,41.237, 125.450,41.680, 125.306,41.680, 125.292,41.953, 125.481,42.151,
  125.319,42.169, 125.093,42.582, 124.950,42.662, 124.872,43.118, 124.481,42.851, 124.386,42.885,
  124.418,43.089, 124.282,43.226, 123.749,43.472, 123.620,43.087, 123.261,42.999, 123.067,42.791,
  122.763,42.732, 122.392,42.854, 122.400,42.658, 122.045,42.721, 121.724,42.458, 121.383,42.507,
  121.014,42.251, 120.913,42.297, 120.496,42.144, 120.096,41.702, 119.801,42.129, 119.837,42.199,
  119.636,42.240, 119.512,42.395, 119.245,42.192, 119.374,42.080, 119.299,41.777, 119.382,41.410,
  118.937,41.061, 119.010,40.976, 118.848,40.835, 119.062,40.651, 119.191,40.700, 119.294,40.531,
  119.564,40.540, 119.635,40.209, 119.743,40.205, 119.849,39.989,
}
local minx, miny, maxx, maxy = 118.8, 38.7, 125.8, 43.5

-- Even-odd ray casting.
local function inside(x, y)
  local odd, n = false, #ring / 2
  local j = n
  for i = 1, n do
    local xi, yi, xj, yj = ring[2 * i - 1], ring[2 * i], ring[2 * j - 1], ring[2 * j]
    if (yi > y) ~= (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi then
      odd = not odd
    end
    j = i
  end
  return odd
end

function init(args)
  math.randomseed(seed + 7919 * (thread_id or 0))
end

function request()
  local x, y
  repeat
    x = minx + math.random() * (maxx - minx)
    y = miny + math.random() * (maxy - miny)
  until inside(x, y)
  local h = deg / 2
  return wrk.format("GET", string.format("/collections/%s/items?bbox=%.5f,%.5f,%.5f,%.5f&limit=%s",
    collection, x - h, y - h, x + h, y + h, limit))
end

done = report

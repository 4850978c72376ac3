-- report.lua: the one-line result every bench wrk script prints when wrk
-- is done, for run.sh to parse (times in milliseconds).
-- Latencies are of answers that came within wrk's --timeout; "samples" is
-- how many (0 prints the percentiles as "-").
function report(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local samples = #latency
  local function ms(us)
    if samples == 0 then return "-" end
    return string.format("%.2f", us / 1000)
  end
  io.write(string.format(
    "WRK_RESULT requests=%d duration_s=%.3f rps=%.1f bytes=%d non2xx3xx=%d connect=%d read=%d write=%d timeout=%d samples=%d p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s\n",
    summary.requests, secs, summary.requests / secs, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout, samples,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max)))
end

-- Each wrk thread gets its own number, for its own random seed.
local next_id = 0
function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

-- wrk script for bench_warranty.py: GET /warranty?serial=… over the serials in $SERIALS, with the
-- session cookie in $COOKIE; prints one parseable line with throughput and latency percentiles.
local serials = {}
for line in io.lines(os.getenv("SERIALS")) do serials[#serials + 1] = line end
local cookie = os.getenv("COOKIE")
local path = os.getenv("BENCH_PATH") or "/warranty?serial="
local i = 0

request = function()
  i = i + 1
  return wrk.format("GET", path .. serials[(i % #serials) + 1], {["Cookie"] = cookie})
end

done = function(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.3f p50=%.3f p95=%.3f p99=%.3f errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, bad))
end

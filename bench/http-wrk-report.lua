-- wrk reporter (bench/http-wrk-report.lua) for bench/http-throughput.ts: one JSON line with the request count and latency
-- percentiles in ms (wrk's --latency prints no p95).
done = function(summary, latency, requests)
  io.write(string.format('{"requests":%d,"errors":%d,"seconds":%f,"p50":%f,"p95":%f,"p99":%f}\n',
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end

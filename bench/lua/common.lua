-- Shared by the bench scripts (loaded with dofile from each of them).
--
-- Each wrk thread runs its own copy of the script; setup() and done() run in
-- a separate state that collects the threads. done() prints one line,
-- "BENCH {json}", that bench/run.mjs reads.
--
-- With BENCH_CHECK=1 every response is checked (HTTP 200 and a success marker
-- in the body) and the failures are counted as "bad". Off by default: wrk
-- then skips parsing bodies, which keeps the load generator's CPU (it shares
-- the machine with the server) as low as for the nginx ceiling.

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_id", #threads)
end

-- Seeds the thread's generator and, when asked, installs the body check.
function bench_init(success_marker)
  math.randomseed(os.time() * 7919 + (thread_id or 0) * 104729)
  bad = 0
  if os.getenv("BENCH_CHECK") == "1" then
    response = function(status, headers, body)
      if status ~= 200 or not string.find(body, success_marker, 1, true) then
        bad = bad + 1
      end
    end
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"bad":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, bad_total,
    latency.min, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end

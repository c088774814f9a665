-- wrk script for `make bench` (tests/bench_load.py): one request, repeated, by a logged-in person.
-- BENCH_METHOD (GET/POST), BENCH_COOKIE (session and CSRF cookies), BENCH_CSRF (the X-CSRFToken
-- header), BENCH_BODY_FILE (a urlencoded form body, for POST), BENCH_HTMX (send HX-Request: true).
-- done() prints one line "BENCH {json}": p50/p95/p99 (wrk's --latency has no p95), the requests,
-- wrk's socket/status errors, and the answers other than 200 (a redirect to the login page is one).

wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
if csrf then wrk.headers["X-CSRFToken"] = csrf end
if os.getenv("BENCH_HTMX") then wrk.headers["HX-Request"] = "true" end
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local threads = {}
function setup(thread)
  thread:set("not_ok", 0)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end

function done(summary, latency, requests)
  local not_ok = 0
  for _, thread in ipairs(threads) do not_ok = not_ok + thread:get("not_ok") end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_s": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "not_200": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout, not_ok))
end

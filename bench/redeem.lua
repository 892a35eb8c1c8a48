-- wrk script: each connection's thread redeems its own slice of distinct cheques, one per request.
-- Bodies are read from the file named by the BENCH_BODIES environment variable (one JSON body a line).
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  local n = 0
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    n = n + 1
    if (n % tonumber(os.getenv("BENCH_THREADS"))) == (id - 1) then
      table.insert(bodies, line)
    end
  end
  index = 0
  non201 = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
end

function request()
  index = index + 1
  if index > #bodies then
    index = 1  -- out of cheques: repeats are refused (409) and counted as non-201
  end
  return wrk.format(nil, "/v1/redemptions", nil, bodies[index])
end

function response(status, headers, body)
  if status ~= 201 then
    non201 = non201 + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("non201")
  end
  io.write(string.format("RESULT_WRK requests=%d non201=%d p50_us=%d p99_us=%d duration_us=%d\n",
    summary.requests, total, latency:percentile(50), latency:percentile(99), summary.duration))
end

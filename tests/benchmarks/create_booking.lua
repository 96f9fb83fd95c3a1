-- POST a booking for a new half-hour slot on every request (one thread, so the counter is
-- unique, and a later round goes on after its earlier rounds' requests, LINLI_BENCH_SKIP). The
-- token, the space and the first start (epoch seconds) come from the environment.
local counter = tonumber(os.getenv("LINLI_BENCH_SKIP") or "0")
local space = os.getenv("LINLI_BENCH_SPACE") or "bench-create"
local first = tonumber(os.getenv("LINLI_BENCH_FIRST_START"))
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. os.getenv("LINLI_BENCH_TOKEN"),
}

request = function()
  local start = first + counter * 1800
  counter = counter + 1
  local body = string.format(
    '{"space":"%s","start":"%s","end":"%s"}',
    space,
    os.date("!%Y-%m-%dT%H:%M:%SZ", start),
    os.date("!%Y-%m-%dT%H:%M:%SZ", start + 1800)
  )
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end

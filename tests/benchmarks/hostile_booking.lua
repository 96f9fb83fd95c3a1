-- POST the same hostile booking on every request: a span the client chose to be 700 years
-- long (refused for its bounds before any calendar is read). The token and the JSON body
-- come from the environment.
local body = os.getenv("LINLI_BENCH_BODY")
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. os.getenv("LINLI_BENCH_TOKEN"),
}

request = function()
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end

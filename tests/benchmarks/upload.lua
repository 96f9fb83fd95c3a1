-- POST the same multipart form (a need with a photo) on every request, each with a form
-- token of its own (one thread, so the counter is unique; LINLI_BENCH_RUN keeps runs apart),
-- so each request files a need rather than repeating the first. The body file, its content
-- type and the cookies (session and CSRF) come from the environment.
local file = assert(io.open(os.getenv("LINLI_BENCH_BODY"), "rb"))
local body = file:read("*a")
file:close()
local run = os.getenv("LINLI_BENCH_RUN")
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = os.getenv("LINLI_BENCH_CONTENT_TYPE")
wrk.headers["Cookie"] = os.getenv("LINLI_BENCH_COOKIE")

request = function()
  counter = counter + 1
  local token = string.format("%s-%012d", run, counter)
  return wrk.format(nil, nil, nil, (string.gsub(body, "LINLIBENCHFORMTOKEN", token, 1)))
end

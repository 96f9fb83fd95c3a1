-- POST the same multipart form (a need with a photo) on every request; the body file, its
-- content type and the cookies (session and CSRF) come from the environment.
local file = assert(io.open(os.getenv("LINLI_BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = os.getenv("LINLI_BENCH_CONTENT_TYPE")
wrk.headers["Cookie"] = os.getenv("LINLI_BENCH_COOKIE")

-- GET another space page on every request: the lines of LINLI_BENCH_PATHS ("language path"),
-- in order, each with its Accept-Language and the visitor's cookie (LINLI_BENCH_COOKIE);
-- a later round goes on from the line after its earlier rounds' (LINLI_BENCH_SKIP).
local paths = {}
for line in io.lines(os.getenv("LINLI_BENCH_PATHS")) do
  local language, path = line:match("^(%S+) (.+)$")
  paths[#paths + 1] = { language, path }
end
local counter = tonumber(os.getenv("LINLI_BENCH_SKIP") or "0")
local cookie = os.getenv("LINLI_BENCH_COOKIE")

request = function()
  local entry = paths[counter % #paths + 1]
  counter = counter + 1
  return wrk.format("GET", entry[2], { ["Accept-Language"] = entry[1], ["Cookie"] = cookie })
end

-- (8) GET /user/batch on the app face, 100 users a request (the route's
-- most), a large answer: with and without "Accept-Encoding: gzip", to weigh
-- compression's CPU against the bytes it saves (docs/performance.md).
-- args: FILE SEED USERS COOKIE_NAME GZIP. FILE (written by bench/run.mjs)
-- holds the query "id=..&id=..", one line. GZIP: 1 to accept gzip.
dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/common.lua")

local query, users, prefix, suffix

function init(args)
  for line in io.lines(args[1]) do
    query = line
  end
  users = tonumber(args[3])
  prefix = "GET /user/batch?" .. query .. " HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
    "\r\nCookie: " .. args[4] .. "=sess-" .. args[2] .. "-"
  suffix = args[5] == "1" and "\r\nAccept-Encoding: gzip\r\n\r\n" or "\r\n\r\n"
  bench_init('"code":200')
  if os.getenv("BENCH_CHECK") == "1" and args[5] == "1" then
    response = function(status, headers, body) -- the body is gzip: check the header instead
      if status ~= 200 or headers["Content-Encoding"] ~= "gzip" then
        bad = bad + 1
      end
    end
  end
end

function request()
  return prefix .. math.random(1, users) .. suffix
end

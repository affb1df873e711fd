-- (4) GET /user/:id on the app face: a random preloaded user, signed in with
-- its session cookie, looks up a random user by opaque id.
-- args: FILE SEED USERS COOKIE_NAME. FILE (written by bench/run.mjs) holds
-- one opaque id a line, for a sample of users (ids come from the service:
-- GET /user/find/86/<mobile>). Sessions were preloaded as "sess-SEED-<id>".
dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/common.lua")

local ids = {}
local users, prefix, cookie

function init(args)
  for line in io.lines(args[1]) do
    ids[#ids + 1] = line
  end
  users = tonumber(args[3])
  prefix = " HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port .. "\r\nCookie: " .. args[4] .. "=sess-" .. args[2] .. "-"
  bench_init('"code":200')
end

function request()
  return "GET /user/" .. ids[math.random(1, #ids)] .. prefix .. math.random(1, users) .. "\r\n\r\n"
end

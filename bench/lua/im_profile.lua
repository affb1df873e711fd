-- (2) GET /user/profile on the IM face, as a random preloaded user.
-- args: APP_ID SEED USERS. Tokens were preloaded as "bench-SEED-<id>".
-- Also used, unchanged, against nginx for the ceiling (1).
dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/common.lua")

local prefix, users

function init(args)
  local app, seed = args[1], args[2]
  users = tonumber(args[3])
  prefix = "GET /user/profile HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
           "\r\napp_id: " .. app .. "\r\naccess-token: bench-" .. seed .. "-"
  bench_init('"code":200')
end

function request()
  return prefix .. math.random(1, users) .. "\r\n\r\n"
end

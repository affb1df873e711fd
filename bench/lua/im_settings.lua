-- (5) POST /user/settings on the IM face: a random user changes two settings.
-- args: APP_ID SEED USERS.
dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/common.lua")

local head, users, seed

function init(args)
  local app
  app, seed, users = args[1], args[2], tonumber(args[3])
  head = "POST /user/settings HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
         "\r\napp_id: " .. app .. "\r\nContent-Type: application/json\r\naccess-token: bench-" .. seed .. "-"
  bench_init('"code":200')
end

function request()
  local body = '{"push_nick_name":"pn' .. math.random(1, 1000000) ..
               '","no_push_start_hour":' .. math.random(0, 23) .. '}'
  return head .. math.random(1, users) .. "\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
end

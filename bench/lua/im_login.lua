-- (6) POST /token/user on the IM face: a random preloaded user logs in.
-- args: APP_ID PASSWORD USERS. Every preloaded user has the same password.
dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/common.lua")

local head, tail, users

function init(args)
  local app, password = args[1], args[2]
  users = tonumber(args[3])
  head = "POST /token/user HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
         "\r\napp_id: " .. app .. "\r\nContent-Type: application/json\r\n"
  tail = '","password":"' .. password .. '"}'
  bench_init('"code":200')
end

function request()
  local body = '{"name":"u' .. math.random(1, users) .. tail
  return head .. "Content-Length: " .. #body .. "\r\n\r\n" .. body
end

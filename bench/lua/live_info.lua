-- (3) GET /server/user/info/{id} on the live face, signed "Qiniu AK:sign".
-- args: FILE, written by bench/run.mjs: one "path<TAB>Authorization" line per
-- sampled user, each signed for this Host (Lua has no HMAC-SHA1).
dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/common.lua")

local reqs = {}

function init(args)
  local host = wrk.host .. ":" .. wrk.port
  for line in io.lines(args[1]) do
    local path, auth = line:match("^([^\t]+)\t(.+)$")
    reqs[#reqs + 1] = "GET " .. path .. " HTTP/1.1\r\nHost: " .. host ..
                      "\r\nAuthorization: " .. auth .. "\r\n\r\n"
  end
  bench_init('"code":0')
end

function request()
  return reqs[math.random(1, #reqs)]
end

-- wrk script of bench-rush: anonymous visitors asking, in turn, for the paths of FLOOD_PATHS
-- (comma-separated), each connection pausing FLOOD_DELAY_MS between its requests, so that the
-- flood's rate is set (connections / delay) rather than whatever the shared cores allow.
-- It counts the answers by kind and the refusals that do not say when to come back.
n_2xx = 0
n_3xx = 0
n_429 = 0
n_503 = 0
n_other = 0
n_no_retry_after = 0

local paths = {}
local counter = 0
local pause = tonumber(os.getenv("FLOOD_DELAY_MS"))
local all_threads = {}

function setup(thread)
  all_threads[#all_threads + 1] = thread
end

function init(args)
  for p in os.getenv("FLOOD_PATHS"):gmatch("[^,]+") do
    paths[#paths + 1] = p
  end
  counter = math.random(#paths)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function delay()
  return pause
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    n_2xx = n_2xx + 1
  elseif status >= 300 and status < 400 then
    n_3xx = n_3xx + 1
  elseif status == 429 or status == 503 then
    if status == 429 then n_429 = n_429 + 1 else n_503 = n_503 + 1 end
    if headers["Retry-After"] == nil and headers["retry-after"] == nil then
      n_no_retry_after = n_no_retry_after + 1
    end
  else
    n_other = n_other + 1
  end
end

function done(summary, latency, requests)
  local total = { n_2xx = 0, n_3xx = 0, n_429 = 0, n_503 = 0, n_other = 0, n_no_retry_after = 0 }
  for _, t in ipairs(all_threads) do
    for k, _ in pairs(total) do
      total[k] = total[k] + t:get(k)
    end
  end
  for k, v in pairs(total) do
    io.write(string.format("flood %s %d\n", k, v))
  end
end

-- wrk script of bench-booking: each request books the next household on a day of the second
-- week, with the household's session and CSRF token and a new idempotency key.
-- Set per thread by setup (wrk copies globals into each thread's state).
thread_id = 0
not_created = 0

local households = {}
local days = {}
local counter = 0
local threads = tonumber(os.getenv("BENCH_THREADS"))

local all_threads = {}
function setup(thread)
  thread:set("thread_id", #all_threads)
  all_threads[#all_threads + 1] = thread
end

function init(args)
  for line in io.lines(os.getenv("BENCH_HOUSEHOLDS")) do
    local cookie, csrf, kids = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
    households[#households + 1] = { cookie = cookie, csrf = csrf, kids = kids }
  end
  for d in os.getenv("BENCH_DAYS"):gmatch("[^,]+") do
    days[#days + 1] = d
  end
end

function request()
  local i = counter * threads + thread_id
  counter = counter + 1
  local h = households[(i % #households) + 1]
  local day = days[(math.floor(i / #households) % #days) + 1]
  local body = string.format(
    '{"child_ids":[%s],"days":["%s"],"location":"home","arrive_at":"08:00","depart_at":"17:30"}', h.kids, day)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Cookie"] = h.cookie,
    ["X-CSRF-Token"] = h.csrf,
    ["Idempotency-Key"] = string.format("wrk-%d-%09d", thread_id, i),
  }, body)
end

-- Only a new booking counts: a replay (200) or an error is reported apart.
function response(status, headers, body)
  if status ~= 201 then
    not_created = not_created + 1
  end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(all_threads) do
    n = n + t:get("not_created")
  end
  io.write(string.format("not created: %d\n", n))
end

-- wrk script for bench/mock_load.py: every thread drives ONE keep-alive connection (the bench
-- runs wrk with as many threads as connections), so a thread's state is its connection's place
-- in a chain of requests, and each response answers the request this thread sent last.
-- Arguments after the URL: the workload (mixed or create), the prefix of the per-thread body
-- files (PREFIX<n>.lua, written by mock_load.py from the contract suite's examples) and the
-- bearer token. done() prints "bench <key> <value>" lines that mock_load.py reads.

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

-- Globals, so done() can read them from each thread with thread:get.
failures = 0
first_failure = ""

local base, bodies, chain
local step, appointment = 1, nil
local taken = {}

local function appointment_path()
  return base .. "/appointments/" .. appointment
end

-- The next body of a pool; each is sent once, as its vehicle must be new to the server.
local function pooled(name)
  local pool = bodies[name]
  taken[name] = (taken[name] or 0) + 1
  if taken[name] > #pool and first_failure == "" then
    -- A reused body is refused as a duplicate; say why rather than report 409s alone.
    first_failure = "the bench ran out of unique bodies: raise MAX_RATE in mock_load.py"
  end
  return pool[(taken[name] - 1) % #pool + 1]
end

local function remember_id(body)
  appointment = body:match('"id"%s*:%s*(%d+)')
  return appointment ~= nil
end

local function is_ready(body)
  return body:match('"status"%s*:%s*"ready"') ~= nil
end

local CHAINS = {
  -- POST an appointment, PUT it complete (derived status ready), PATCH a staged-mutable field,
  -- then create one move of each kind.
  mixed = {
    { "POST", function() return base .. "/appointments" end,
      function() return bodies.appointment end, remember_id },
    { "PUT", appointment_path, function() return bodies.replacement end, is_ready },
    { "PATCH", appointment_path, function() return bodies.patch end },
    { "POST", function() return base .. "/concierge-loaner-moves" end,
      function() return pooled("concierge") end },
    { "POST", function() return base .. "/round-trip-moves" end,
      function() return pooled("round_trip") end },
  },
  -- What a stateless mock can answer too: the same two creations, no follow-up.
  create = {
    { "POST", function() return base .. "/appointments" end,
      function() return bodies.appointment end },
    { "POST", function() return base .. "/concierge-loaner-moves" end,
      function() return pooled("concierge") end },
  },
}

function init(args)
  base = args[0]:match("^https?://[^/]+(.*)$")
  chain = CHAINS[args[1]]
  bodies = dofile(args[2] .. index .. ".lua")
  wrk.headers["Authorization"] = "Bearer " .. args[3]
  wrk.headers["Content-Type"] = "application/json"
end

-- The step moves on in response(), not here: wrk also calls request() once at start-up, to
-- check what it returns, and sends nothing for that call.
function request()
  local method, path, body = chain[step][1], chain[step][2](), chain[step][3]()
  current = method .. " " .. path
  return wrk.format(method, path, nil, body)
end

function response(status, headers, body)
  local check = chain[step][4]
  if status >= 200 and status < 300 and (check == nil or check(body)) then
    step = step % #chain + 1
    return
  end
  failures = failures + 1
  if first_failure == "" then
    first_failure = current .. ": " .. status .. " " .. body:sub(1, 300):gsub("%s+", " ")
  end
  -- The chain's later requests need what its first answered: after that one fails, start again.
  if step > 1 then
    step = step % #chain + 1
  end
end

function done(summary, latency, requests)
  local failed, first = 0, ""
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    if first == "" then
      first = thread:get("first_failure")
    end
  end
  local errors = summary.errors
  print("bench requests " .. summary.requests)
  print("bench duration_us " .. summary.duration)
  print("bench p50_us " .. latency:percentile(50))
  print("bench p99_us " .. latency:percentile(99))
  print("bench failures " .. failed)
  print("bench socket_errors " .. (errors.connect + errors.read + errors.write + errors.timeout))
  print("bench first_failure " .. first)
end

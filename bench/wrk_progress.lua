-- wrk script for bench/write_throughput.py: every request records progress on the next target of the task
-- file (lines "target_id version token"), each thread taking every n-th line, so no two requests race for one
-- target (a 409 would mean the task file ran out). Writes the id of every update it was answered 201 for to
-- "<args[3]><thread index>", one per line, and prints one line "WRK {json}" with the counts by status.
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  stride = tonumber(args[2])
  tasks = {}
  for line in io.lines(args[1]) do
    local id, version, token = line:match("(%d+) (%d+) (%w+)")
    table.insert(tasks, { id, version, token })
  end
  cursor = index + 1
  created, conflict, other = 0, 0, 0
  accepted = io.open(args[3] .. index, "w")
  accepted:setvbuf("line") -- written as it goes: wrk never closes a thread's state
end

function request()
  if tasks[cursor] == nil then
    cursor = index + 1 -- out of fresh targets: the repeats will be refused with 409
  end
  local task = tasks[cursor]
  cursor = cursor + stride
  local body = '{"percent": 60, "note": "wrk 压测填报", "version": ' .. task[2] .. "}"
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Token " .. task[3] }
  return wrk.format("POST", "/api/targets/" .. task[1] .. "/progress/", headers, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    accepted:write(body:match('^{"id":(%d+)') or "?", "\n")
  elseif status == 409 then
    conflict = conflict + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c = { created = 0, conflict = 0, other = 0 }
  for _, thread in ipairs(threads) do
    c.created = c.created + thread:get("created")
    c.conflict = c.conflict + thread:get("conflict")
    c.other = c.other + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_s": %.3f, "created": %d, "conflict": %d, "other_status": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"latency_ms": {"p50": %.2f, "p90": %.2f, "p99": %.2f, "max": %.2f}}\n',
    summary.requests, summary.duration / 1e6, c.created, c.conflict, c.other,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end

-- wrk script for scripts/bench-wrk: each request is one resident (a random
-- bearer token) scanning one venue QR (a random venue's text), posted as
--   POST <path>  {"venue_qr": "..."}   Authorization: Bearer <token>
-- The path is the script's argument: /api/v1/check-ins, or /bench/no-op for
-- the same request to the no-op reference, so both carry the same bytes.
-- Reads bench/out/wrk/tokens.txt and venues.txt (written by scripts/bench-wrk).
local tokens, venues = {}, {}
for line in io.lines("bench/out/wrk/tokens.txt") do tokens[#tokens + 1] = line end
for line in io.lines("bench/out/wrk/venues.txt") do venues[#venues + 1] = line end

local path = "/api/v1/check-ins"
id = 0
init = function(args)
  if args[1] then path = args[1] end
  -- Each thread its own sequence, the same in every run.
  math.randomseed(42 + id)
end

request = function()
  local t = tokens[math.random(#tokens)]
  local v = venues[math.random(#venues)]
  return wrk.format("POST", path,
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. t },
    '{"venue_qr":"' .. v .. '"}')
end

-- Every status, counted per thread and summed at the end.
local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

statuses = {}
response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency)
  local total, ok = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
      if status >= 200 and status < 300 then ok = ok + n end
    end
  end
  local keys = {}
  for status in pairs(total) do keys[#keys + 1] = status end
  table.sort(keys)
  local parts = {}
  for _, status in ipairs(keys) do parts[#parts + 1] = '"' .. status .. '": ' .. total[status] end
  local seconds = summary.duration / 1e6
  -- One JSON line, read by scripts/bench-wrk.
  io.write(string.format(
    '{"seconds": %.3f, "requests": %d, "rate": %.1f, "ok": %d, "ok_rate": %.1f, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "statuses": {%s}, ' ..
    '"non_2xx": %d, "socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    seconds, summary.requests, summary.requests / seconds, ok, ok / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, table.concat(parts, ", "), summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end

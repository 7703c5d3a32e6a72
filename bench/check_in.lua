-- wrk script: residents scan random venue QR codes (POST /api/v1/check-ins).
-- Reads bench/out/tokens.txt and bench/out/venues.txt written by scripts/bench-check-in.
local tokens, venues = {}, {}
for line in io.lines("bench/out/tokens.txt") do tokens[#tokens + 1] = line end
for line in io.lines("bench/out/venues.txt") do venues[#venues + 1] = line end
math.randomseed(42)

request = function()
  local t = tokens[math.random(#tokens)]
  local v = venues[math.random(#venues)]
  return wrk.format("POST", "/api/v1/check-ins",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. t },
    '{"venue_qr":"' .. v .. '"}')
end

-- Every status, counted per thread and summed at the end: a figure is reported with all
-- the answers behind it, not only the successes.
local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
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
  for _, status in ipairs(keys) do parts[#parts + 1] = status .. ": " .. total[status] end
  local seconds = summary.duration / 1e6
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, %d requests, 2xx %.0f/s, statuses {%s}, socket errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, ok / seconds,
    table.concat(parts, ", "),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

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

local statuses = {}
response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, %d requests, %d errors\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

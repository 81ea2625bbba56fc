-- POST /api/transfers: 1 minor unit back and forth between two cards of the caller, every
-- request with a new Idempotency-Key (<run id>-<thread>-<counter>); counts the response statuses.
-- Environment: BENCH_TOKEN, BENCH_CARD_A, BENCH_CARD_B, BENCH_RUN_ID.
dofile("statuses.lua")
local token = os.getenv("BENCH_TOKEN")
local card_a = os.getenv("BENCH_CARD_A")
local card_b = os.getenv("BENCH_CARD_B")
local run_id = os.getenv("BENCH_RUN_ID")
local counter = 0

function request()
  counter = counter + 1
  local from, to = card_a, card_b
  if counter % 2 == 0 then
    from, to = card_b, card_a
  end
  local body = '{"from_card_id":' .. from .. ',"to_card_id":' .. to .. ',"amount":1}'
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = run_id .. "-" .. tostring(thread_no) .. "-" .. tostring(counter),
  }
  return wrk.format("POST", "/api/transfers", headers, body)
end

-- Counts the response statuses of every wrk thread and prints `STATUS <code> <count>` lines at
-- the end (wrk itself reports only "Non-2xx or 3xx responses"). Loaded by the other scripts with
-- dofile (wrk runs with scripts/bench/wrk as its working directory).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_no", #threads)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for code, n in pairs(counts) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("STATUS %d %d\n", code, n))
  end
end

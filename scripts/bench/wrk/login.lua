-- POST /auth/login with correct credentials, counting the response statuses.
-- Environment: BENCH_EMAIL, BENCH_PASSWORD.
dofile("statuses.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"' .. os.getenv("BENCH_EMAIL") .. '","password":"' .. os.getenv("BENCH_PASSWORD") .. '"}'

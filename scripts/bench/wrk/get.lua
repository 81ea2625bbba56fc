-- A plain GET (headers from wrk -H), counting the response statuses.
dofile("statuses.lua")

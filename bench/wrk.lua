-- wrk's script for bench/faults.py: visitors on cached pages, or a login flood, cheaply.
--
-- A load generator in Python spends about as much CPU per request as gunicorn does to answer
-- a cached page, and on loopback it shares the cores with the server; wrk (C and LuaJIT)
-- spends a few microseconds. Set by the environment:
--   FORGE_WRK_MODE      "pages" (GET the paths in turn) or "login" (POST wrong passwords
--                       under random user names to /admin/login/)
--   FORGE_WRK_PATHS     the pages' paths, separated by spaces
--   FORGE_WRK_ORIGIN    https://host, for the Origin and Referer a browser sends with a POST
--   FORGE_WRK_TOKEN     the login form's CSRF cookie and token (the attacker fetched it once)
--   FORGE_WRK_REQUESTS  the most requests per thread (each thread stops after them)
--   FORGE_WRK_DELAY_MS  how long each connection waits after an answer (default: not at all)
-- At the end it prints one line of JSON: requests, seconds, statuses, latency and errors.

local mode = os.getenv("FORGE_WRK_MODE") or "pages"
local origin = os.getenv("FORGE_WRK_ORIGIN") or ""
local token = os.getenv("FORGE_WRK_TOKEN") or ""
local limit = tonumber(os.getenv("FORGE_WRK_REQUESTS") or "0")
local delay_ms = tonumber(os.getenv("FORGE_WRK_DELAY_MS") or "0")
local paths = {}
for path in string.gmatch(os.getenv("FORGE_WRK_PATHS") or "/", "%S+") do
    paths[#paths + 1] = path
end

local threads = {}

function setup(thread)
    thread:set("number", #threads + 1)
    threads[#threads + 1] = thread
end

function init(args)
    statuses = {}
    sent = 0
    answered = 0
    math.randomseed(7 * number)
    headers = { ["X-Forwarded-Proto"] = "https" }
    if mode == "login" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Cookie"] = "csrftoken=" .. token
        headers["Origin"] = origin
        headers["Referer"] = origin .. "/admin/login/"
    end
end

local letters = "abcdefghijklmnopqrstuvwxyz"

local function random_word(length)
    local chars = {}
    for n = 1, length do
        local at = math.random(#letters)
        chars[n] = letters:sub(at, at)
    end
    return table.concat(chars)
end

function request()
    sent = sent + 1
    if mode == "login" then
        local body = "username=" .. random_word(10) .. "&password=" .. random_word(16)
            .. "&next=%2Fadmin%2F&csrfmiddlewaretoken=" .. token
        return wrk.format("POST", "/admin/login/", headers, body)
    end
    return wrk.format("GET", paths[(sent - 1) % #paths + 1], headers)
end

if delay_ms > 0 then
    function delay()
        return delay_ms
    end
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    answered = answered + 1
    if limit > 0 and answered >= limit then
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local counts = {}
    for _, thread in ipairs(threads) do
        for status, count in pairs(thread:get("statuses")) do
            counts[status] = (counts[status] or 0) + count
        end
    end
    local parts = {}
    for status, count in pairs(counts) do
        parts[#parts + 1] = string.format('"%d": %d', status, count)
    end
    local errors = summary.errors
    io.write(string.format(
        '{"requests": %d, "seconds": %.3f, "p50_ms": %.1f, "p99_ms": %.1f, '
            .. '"statuses": {%s}, "errors": {"connect": %d, "read": %d, "write": %d, '
            .. '"timeout": %d}}\n',
        summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
        latency:percentile(99) / 1e3, table.concat(parts, ", "), errors.connect, errors.read,
        errors.write, errors.timeout
    ))
end

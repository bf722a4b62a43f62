"""Gunicorn settings for serving Forge in production: `gunicorn` from the project root.

Every value can be set from the environment, so one file serves every host. TLS ends at the
reverse proxy in front (see docs/deployment.md); gunicorn listens on loopback by default.
"""

import multiprocessing
import os


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "forge.wsgi:application"

# A comma-separated list of addresses, e.g. "127.0.0.1:8000" or "unix:/run/forge/gunicorn.sock".
bind = [
    address.strip()
    for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]

# Processes: gunicorn's usual starting point is two per core plus one. With threads above 1 each
# worker becomes a threaded (gthread) worker; every thread keeps its own database connection.
workers = env_int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = env_int("GUNICORN_THREADS", 1)

# A worker silent for this long is restarted; a restart lets requests finish for this long.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so that slow memory growth never builds up; the jitter keeps
# them from all restarting at once. Each restart costs a Django start-up (~0.4 s of CPU here)
# and every request counts, refused ones too: at 1,000 ± 100, a flood of refused logins at
# ~500 req/s brings each worker there in about ten seconds, and in one run all five restarted
# within the same 2 s, answering nothing meanwhile (docs/performance.md, "Faults and abuse").
# 10,000 with a 1,000 jitter makes restarts ten times rarer and spreads them out.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 1000)

# Access log to stdout and errors to stderr, for the process manager's journal.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

"""What each pytest-xdist worker keeps to itself, so that workers never share state.

`make test` runs the suite in several worker processes (pytest-xdist, `-n` in pyproject.toml).
pytest-django already gives each worker its own test database (`test_<name>_gw0`, ...) and
live server; the Redis database and the ports of the servers a test starts are chosen here.
"""

import os
import re
import socket

# "gw0", "gw1", ... in a worker; unset when pytest runs without xdist (`-n0`).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(WORKER.removeprefix("gw")) if WORKER else 0
REDIS_DATABASES = 16  # Redis's default `databases`


def redis_test_url():
    """REDIS_TEST_URL for this worker: worker gwN uses the URL's database number plus N.

    A test may empty its whole Redis database (`cache.clear()` is FLUSHDB), so workers cannot
    share one: REDIS_TEST_URL=redis://127.0.0.1:6379/12 gives gw0 database 12, gw1 13, and so
    on. Returns "" when REDIS_TEST_URL is unset (the Redis tests are skipped then).
    """
    url = os.environ.get("REDIS_TEST_URL", "")
    if not url:
        return ""
    match = re.fullmatch(r"(redis://[^/]+)(?:/(\d+))?", url)
    if not match:
        raise ValueError(f"REDIS_TEST_URL must look like redis://host:port/N, not {url!r}")
    database = int(match[2] or 0) + WORKER_INDEX
    if database >= REDIS_DATABASES:
        raise ValueError(
            f"REDIS_TEST_URL={url} leaves no Redis database for worker {WORKER}: "
            f"give a lower database number (each worker takes the next one)"
        )
    return f"{match[1]}/{database}"


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now, for a server the test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

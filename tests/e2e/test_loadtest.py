"""The load test's client (bench/load.py) against the live server: a fixed number of
requests, no errors.

The real run (`make loadtest`: gunicorn, PostgreSQL, 50 clients for 60 s) is recorded in
docs/performance.md; this keeps the script working as the site changes. It is bound by a count
of requests, not by seconds, so a slow or busy machine makes the same requests, only later.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from bench.load import MIX, run_load

pytestmark = pytest.mark.django_db(transaction=True)
REQUESTS = 60


def test_load_test_client_finds_every_kind_of_page_and_gets_no_errors(site):
    # The live server's threads share one connection to an in-memory SQLite database, which
    # cannot serve two queries at once: one client there, a few on PostgreSQL.
    clients = 1 if connection.vendor == "sqlite" else 4
    # Its own thread: a browser test in the same session may own this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        load = run_load(site, clients=clients, requests=REQUESTS)
        summary = pool.submit(asyncio.run, load).result()
    assert summary["errors"] == 0, summary["error_examples"]
    assert summary["requests"] == REQUESTS
    assert set(summary["kinds"]) == set(MIX)

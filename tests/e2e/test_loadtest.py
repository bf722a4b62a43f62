"""The load test's client (bench/load.py) against the live server: a few seconds, no errors.

The real run (`make loadtest`: gunicorn, PostgreSQL, 50 clients for 60 s) is recorded in
docs/performance.md; this keeps the script working as the site changes.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from bench.load import MIX, run_load

pytestmark = pytest.mark.django_db(transaction=True)


def test_load_test_client_finds_every_kind_of_page_and_gets_no_errors(site):
    # The live server's threads share one connection to an in-memory SQLite database, which
    # cannot serve two queries at once: one client there, a few on PostgreSQL.
    clients = 1 if connection.vendor == "sqlite" else 4
    # Its own thread: a browser test in the same session may own this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        summary = pool.submit(asyncio.run, run_load(site, clients=clients, seconds=2)).result()
    assert summary["errors"] == 0, summary["error_examples"]
    assert summary["requests"] > 10
    assert set(summary["kinds"]) == set(MIX)

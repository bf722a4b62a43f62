"""The login-flood scenario's load generator (`make faults ARGS=login-flood` itself is a script):
wrk with bench/wrk.lua sends what a visitor or an attacker would, and its summary is read."""

import shutil
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.faults import WRK, Wrk, combined

pytestmark = pytest.mark.skipif(not shutil.which(WRK), reason="Debian's wrk is not installed")


@pytest.fixture
def recorder():
    """A loopback server that answers 200 to GETs and 429 to POSTs, keeping what it was sent."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.command, self.path, dict(self.headers), body.decode()))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            self.answer(200)

        def do_POST(self):
            self.answer(429)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", seen
    server.shutdown()


def test_visitors_ask_for_each_page_in_turn_over_https(recorder):
    url, seen = recorder
    summary = Wrk(url, "pages", 1, requests=30, paths="/exercises /exercise/squat").run()

    assert summary["statuses"] == {200: summary["requests"]}
    assert 30 <= summary["requests"] <= 40  # each of the 10 connections stops at the bound
    assert {path for _, path, _, _ in seen} == {"/exercises", "/exercise/squat"}
    assert all(headers["X-Forwarded-Proto"] == "https" for _, _, headers, _ in seen)


def test_attackers_post_wrong_passwords_under_new_user_names_with_the_forms_token(recorder):
    url, seen = recorder
    summary = Wrk(url, "login", 1, requests=20, token="t0k3n", origin="https://forge.test").run()

    assert summary["statuses"] == {429: summary["requests"]}
    forms = [urllib.parse.parse_qs(body) for method, _, _, body in seen if method == "POST"]
    assert len(forms) == len(seen) >= 20
    names = [form["username"][0] for form in forms]
    assert len(set(names)) == len(names)  # never the same name twice: no pair's limit helps
    assert all(form["csrfmiddlewaretoken"] == ["t0k3n"] for form in forms)
    _, path, headers, _ = seen[0]
    assert path == "/admin/login/"
    assert headers["Cookie"] == "csrftoken=t0k3n"
    assert headers["Origin"] == "https://forge.test"
    assert headers["Referer"] == "https://forge.test/admin/login/"


def test_windows_are_combined_as_requests_over_seconds():
    windows = [
        {"requests": 100, "seconds": 2.0, "p50_ms": 5, "p99_ms": 9, "statuses": {200: 100}},
        {"requests": 50, "seconds": 3.0, "p50_ms": 7, "p99_ms": 30, "statuses": {200: 50}},
    ]
    assert combined(windows) == {
        "requests": 150, "seconds": 5.0, "rate": 30.0, "p50_ms": 7, "p99_ms": 30,
        "statuses": {200: 150},
    }  # fmt: skip

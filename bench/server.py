"""What the benchmark and the load test share: a scratch database, manage.py, and gunicorn.

Both serve the site the way production does (gunicorn.conf.py, FORGE_ENV=production) on a free
loopback port, and both stop every process they start.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
# TLS ends at the proxy in production; it tells Django so with this header.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def log(message):
    print(f"--> {message}", file=sys.stderr, flush=True)


def recreate_database(url, prefix):
    """Drop and create the database named in the URL, only if it is a scratch database: its
    name starts with `prefix` or ends with `_bench`."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not (name.startswith(prefix) or name.endswith("_bench")):
        sys.exit(
            f"Refusing to recreate {name!r}: only a database named {prefix}… or …_bench is "
            "recreated."
        )
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def free_port():
    """A free loopback port: any, or the first free one of BENCH_PORTS ("9710-9789") on a
    machine whose users each keep to a range of ports."""
    first, _, last = os.environ.get("BENCH_PORTS", "").partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise OSError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


def fetch(port, path):
    connection = HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", path, headers=PROXY_HEADERS)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, on a loopback port (a free one unless
    given); always stopped."""

    def __init__(self, env, logfile, *, recycle_workers=True, port=None, cwd=None):
        self.cwd = Path(cwd or BASE_DIR)  # another source tree (bench/ab.py), with its .venv
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.env = env | {"GUNICORN_BIND": f"{HOST}:{self.port}"}
        if not recycle_workers:
            # A worker restart (a Django start-up, ~1 s of CPU here) would blur one run.
            self.env["GUNICORN_MAX_REQUESTS"] = "0"
        self.logfile = logfile

    def __enter__(self):
        gunicorn = (
            Path(PYTHON).with_name("gunicorn")
            if self.cwd == BASE_DIR
            else self.cwd / ".venv" / "bin" / "gunicorn"
        )
        self.process = subprocess.Popen(
            [str(gunicorn), "--config", "gunicorn.conf.py"],
            cwd=self.cwd,
            env=self.env,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches every worker
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if fetch(self.port, "/exercises")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        self.logfile.flush()
        tail = Path(self.logfile.name).read_text(errors="replace").splitlines()[-30:]
        sys.exit("gunicorn did not answer within 30 s; the end of its log:\n" + "\n".join(tail))

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __exit__(self, *exc):
        self.stop()

"""Two gunicorn app servers behind Debian's nginx, sharing PostgreSQL and Redis, on loopback.

    make cluster                          # ~1,000 exercises, 20 s loads; about two minutes
    .venv/bin/python -m bench.cluster --seconds 10 --clients 20

It (re)creates the scratch database forge_cluster with the taxonomy, the Spine Stretch and
--exercises synthetic ones (manage.py seed_library), starts its own Redis (127.0.0.1:6385),
two gunicorns (8902, 8903) and nginx (8901, bench/nginx.py), then shows:

  (a) throughput through nginx with one app server, then with both (same load, same run);
  (b) a trainer's edit saved with an admin POST through server A is what server B serves on
      the next request, and B's old ETag no longer answers 304 (the content version check);
  (c) stopping server B in the middle of a load loses no GET: nginx retries on A.

Every load is bounded; every process it starts is stopped, also on Ctrl-C or a failure. It
exits non-zero when (b) or (c) fails.
"""

import argparse
import asyncio
import re
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import httpx

from .faults import Browser, Redis
from .load import production_env, run_load
from .nginx import Nginx
from .server import PROXY_HEADERS, Gunicorn, log, manage, recreate_database

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/forge_cluster"
PORTS = {"nginx": 8901, "A": 8902, "B": 8903, "redis": 6385}
CHECKS = ("a", "b", "c")


# --- The cluster -------------------------------------------------------------------------------


def prepare(env, exercises, password):
    log(f"recreating {env['DATABASE_URL']}: taxonomy, Spine Stretch, {exercises:,} exercises")
    recreate_database(env["DATABASE_URL"], "forge_cluster")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    for fixture in ("taxonomy.json", "spine-stretch.json"):
        manage(env, "import_exercises", f"fixtures/{fixture}", "--verbosity", "0")
    manage(env, "seed_library", "--exercises", str(exercises))
    manage(
        env | {"DJANGO_SUPERUSER_PASSWORD": password},
        "createsuperuser", "--noinput", "--username", "trainer",
        "--email", "trainer@example.com", "--verbosity", "0",
    )  # fmt: skip
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


def app_env(env, workdir, name):
    """Each gunicorn its own control socket: two instances of one user would share one."""
    return env | {"GUNICORN_CMD_ARGS": f"--control-socket {workdir / f'gunicorn-{name}.ctl'}"}


# --- (a) throughput ----------------------------------------------------------------------------


def throughput(workdir, servers, args):
    """The same load through nginx, first with A alone upstream, then with A and B: the same
    seeded addresses, counted in requests, after a first pass that stored them in the cache."""
    rows = {}
    for label, names in (("one app server", ["A"]), ("two app servers", ["A", "B"])):
        ports = [servers[name].port for name in names]
        with Nginx(workdir, ports, port=args.nginx_port, media_root=workdir / "media") as nginx:
            if not rows:  # the same seeded addresses each time: both runs meet a warm cache
                asyncio.run(run_load(nginx.url, args.clients, requests=args.requests))
            summary = asyncio.run(
                run_load(nginx.url, args.clients, seconds=args.seconds, requests=args.requests)
            )
        rows[label] = summary
        log(f"{label}: {summary['requests_per_second']} req/s, p50 {summary['all']['p50_ms']} "
            f"ms, p99 {summary['all']['p99_ms']} ms, {summary['errors']} errors")  # fmt: skip
    one, two = rows["one app server"], rows["two app servers"]
    ratio = two["requests_per_second"] / one["requests_per_second"]
    return {
        "passed": one["errors"] == 0 and two["errors"] == 0,
        "figures": f"{one['requests_per_second']} req/s with one, {two['requests_per_second']} "
        f"req/s with two ({ratio:.2f}×); p99 {one['all']['p99_ms']} → {two['all']['p99_ms']} "
        f"ms; {two['cpus']} CPUs, load average {one['load_average']['before']:.1f}, the clients "
        f"used {two['client_cpu_share']:.0%} of a CPU",
    }


# --- (b) an edit through A, read through B -----------------------------------------------------


class FormFields(HTMLParser):
    """The fields a browser would submit from the admin's change form, in order."""

    def __init__(self):
        super().__init__()
        self.fields, self._textarea, self._select = [], None, None
        self._options = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in ("submit", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value", "on" if "checked" in attrs else "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self._textarea is not None and self._textarea[1].startswith("\n"):
                self._textarea[1] = self._textarea[1][1:]  # as browsers drop it
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            self.fields.extend([self._select, value] for value in chosen)
            self._select = None


def edit_name(browser, pk, new_name):
    """Open the exercise's change form and save it with a new name, as a trainer would."""
    path = f"/admin/exercises/exercise/{pk}/change/"
    page = browser.request("GET", path)
    form = FormFields()
    form.feed(page.text)
    data = {"_save": ["Save"]}
    for name, value in form.fields:
        data.setdefault(name, []).append(new_name if name == "name" else value)
    return browser.request("POST", path, data=data)


def one_exercise(env):
    """(pk, public path, name) of a published exercise, read from the shared database."""
    import subprocess

    code = (
        "from exercises.models import Exercise\n"
        "e = Exercise.objects.published().order_by('pk')[1]\n"
        "print(e.pk, e.get_absolute_url(), e.name, sep='\\t')"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    ).stdout.strip()  # fmt: skip
    pk, path, name = out.split("\t")
    return int(pk), path, name


def title_of(html):
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def edit_across(env, servers, password):
    a, b = servers["A"], servers["B"]
    pk, path, name = one_exercise(env)
    with httpx.Client(base_url=b.url, headers=PROXY_HEADERS, timeout=30) as visitor:
        visitor.get(path)
        before = visitor.get(path)  # now from the shared cache
        etag = before.headers.get("ETag")
        revalidated = visitor.get(path, headers={"If-None-Match": etag}).status_code
        new_name = f"{name} (edited {secrets.token_hex(3)})"
        trainer = Browser(a.url)
        trainer.log_in("trainer", password)
        saved = edit_name(trainer, pk, new_name)
        if saved.status_code != 302:
            log(f"the admin answered {saved.status_code}: {saved.text[:2000]}")
        after = visitor.get(path)
        old_etag = visitor.get(path, headers={"If-None-Match": etag}).status_code
        new_etag = after.headers.get("ETag")
    from_a = httpx.get(f"{a.url}{path}", headers=PROXY_HEADERS, timeout=30)
    shown = title_of(after.text)
    passed = (
        saved.status_code == 302
        and before.status_code == 200
        and revalidated == 304
        and shown == new_name
        and old_etag == 200
        and new_etag != etag
        and from_a.headers.get("ETag") == new_etag
    )
    return {
        "passed": passed,
        "figures": f"B served “{title_of(before.text)}” (its ETag 304 on revalidation: "
        f"{revalidated}); admin POST through A answered {saved.status_code}; B's next answer "
        f"showed “{shown}”; B's old ETag now {old_etag} (new ETag, same on A: "
        f"{from_a.headers.get('ETag') == new_etag})",
    }


# --- (c) one app server stopped under load -----------------------------------------------------


def stop_one(workdir, servers, args):
    ports = [servers[name].port for name in ("A", "B")]
    with Nginx(workdir, ports, port=args.nginx_port, media_root=workdir / "media") as nginx:
        start = len(nginx.access_log())

        async def load_and_stop():
            load = asyncio.create_task(run_load(nginx.url, args.clients, seconds=args.seconds))
            await asyncio.sleep(args.seconds / 3)
            log("stopping app server B (SIGTERM) mid-run")
            stopped = time.monotonic()
            await asyncio.to_thread(servers["B"].stop)
            log(f"B stopped in {time.monotonic() - stopped:.1f} s")
            return await load

        summary = asyncio.run(load_and_stop())
        lines = nginx.access_log()[start:]
    # `upstream=` lists every app server nginx tried for the request, comma-separated.
    tried = [line.split("upstream=", 1)[-1].split(" upstream_status", 1)[0] for line in lines]
    served = Counter(addresses.rsplit(":", 1)[-1] for addresses in tried)
    retried = sum(1 for addresses in tried if "," in addresses)
    served = {"B": served.get(str(servers["B"].port), 0)}
    passed = summary["errors"] == 0 and summary["requests"] > 0 and served["B"] > 0
    for example in summary["error_examples"]:
        log(f"error seen by the client: {example}")
    return {
        "passed": passed,
        "figures": f"{summary['requests']:,} requests, {summary['errors']} errors seen by the "
        f"clients; B answered {served['B']:,} before it stopped, nginx retried {retried} on A; "
        f"p99 {summary['all']['p99_ms']} ms",
    }


# --- The run -----------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DATABASE_URL, help=f"({DATABASE_URL})")
    parser.add_argument("--exercises", type=int, default=1000, help="library size (1000)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--seconds", type=int, default=30, help="most seconds per load (30)")
    parser.add_argument(
        "--requests", type=int, default=2000, help="requests per throughput load (2000)"
    )
    parser.add_argument("--nginx-port", type=int, default=PORTS["nginx"])
    parser.add_argument("--ports", type=int, nargs=2, default=[PORTS["A"], PORTS["B"]],
                        metavar=("A", "B"), help="the app servers' ports (8902 8903)")  # fmt: skip
    parser.add_argument("--redis-port", type=int, default=PORTS["redis"])
    parser.add_argument("checks", nargs="*", choices=[[], *CHECKS], help="some of: a b c (all)")
    args = parser.parse_args(argv)
    chosen = args.checks or list(CHECKS)

    results = {}
    with tempfile.TemporaryDirectory(prefix="forge-cluster-") as tmp:
        workdir = Path(tmp)
        (workdir / "media").mkdir()
        redis = Redis(workdir, args.redis_port)
        password = secrets.token_urlsafe(16)
        env = production_env(args.database_url, workdir, redis.url)
        env |= {"CACHE_KEY_PREFIX": "forge-cluster", "MEDIA_ROOT": str(workdir / "media"),
                "AXES_IPWARE_PROXY_COUNT": "0"}  # fmt: skip
        # A worker restart (a Django start-up, ~1 s of CPU) would blur one load of the run.
        fixed = {"recycle_workers": False}
        # `kill` stops it as Ctrl-C does: every `with` below stops what it started.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        redis.start()
        try:
            prepare(env, args.exercises, password)
            with (
                open(workdir / "gunicorn-a.log", "ab") as log_a,
                open(workdir / "gunicorn-b.log", "ab") as log_b,
                Gunicorn(app_env(env, workdir, "a"), log_a, **fixed, port=args.ports[0]) as a,
                Gunicorn(app_env(env, workdir, "b"), log_b, **fixed, port=args.ports[1]) as b,
            ):
                servers = {"A": a, "B": b}
                log(f"A on {a.url}, B on {b.url}, nginx on :{args.nginx_port}, {redis.url}")
                if "a" in chosen:
                    log("--- (a) throughput")
                    results["(a) throughput"] = throughput(workdir, servers, args)
                if "b" in chosen:
                    log("--- (b) an edit through A, read through B")
                    results["(b) edit across servers"] = edit_across(env, servers, password)
                if "c" in chosen:
                    log("--- (c) B stopped under load")
                    results["(c) one server stopped"] = stop_one(workdir, servers, args)
        except KeyboardInterrupt:
            log("interrupted: stopping everything")
            return 130
        finally:
            redis.stop()
    print("\n| check | result | figures |\n|---|---|---|")
    for name, outcome in results.items():
        print(f"| {name} | {'ok' if outcome['passed'] else 'FAILED'} | {outcome['figures']} |")
    checked = [outcome for name, outcome in results.items() if not name.startswith("(a)")]
    return 0 if all(outcome["passed"] for outcome in checked) else 1


if __name__ == "__main__":
    sys.exit(main())

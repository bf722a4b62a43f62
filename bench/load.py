"""Forge's load test: concurrent visitors against gunicorn + PostgreSQL on loopback, bounded.

    make loadtest                     # 50 clients for 60 s; sets up and stops its own server
    .venv/bin/python -m bench.load --clients 10 --seconds 10 --exercises 10000
    .venv/bin/python -m bench.load --url http://127.0.0.1:8000   # a server already running

Without --url it (re)creates the PostgreSQL database forge_load, migrates it and imports the
starter library (fixtures/), or --exercises N synthetic ones with the benchmark's loader. Then it
collects the static files, starts gunicorn with the production settings and gunicorn.conf.py on
a free 127.0.0.1 port, runs the test and stops gunicorn.

The clients find their addresses the way a crawler does, from the library's own pages, then
mix library pages, hubs, searches, exercise pages and Markdown copies until the time is up
(--seconds) or they have made --requests requests.
Every response must be a 200: anything else, a timeout or a refused connection is an error,
and the command exits non-zero when there was one. It prints p50/p90/p99 per request kind.
"""

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

import httpx

from .server import (
    BASE_DIR,
    HOST,
    PROXY_HEADERS,
    PYTHON,
    Gunicorn,
    log,
    manage,
    recreate_database,
)

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/forge_load"
STARTER_LIBRARY = ["taxonomy.json", "spine-stretch.json", "free-exercise-db.json"]
# Share of each kind of request, in percent.
MIX = {"library": 20, "hub": 25, "search": 15, "exercise": 25, "markdown": 15}
SORTS = ["name", "difficulty", "recent"]


# --- The addresses ---------------------------------------------------------------------------


class Plan:
    """The addresses to request, found on the site itself, and a random pick among them."""

    EXERCISE_LINK = re.compile(r'href="/exercise/([a-z0-9-]+)">([^<]+)</a>')
    HUB_LINK = re.compile(r'href="(/exercises/[a-z0-9-]+(?:/[a-z0-9-]+)*)"')
    PAGE_COUNT = re.compile(r"page 1 of (\d+)")

    def __init__(self, pages, exercises, hubs, words):
        self.pages, self.exercises, self.hubs, self.words = pages, exercises, hubs, words
        if not (exercises and hubs and words):
            raise SystemExit("Found no exercises or hubs on the library's pages: is it empty?")

    @classmethod
    async def discover(cls, client):
        """Read six library pages spread over the whole library, and an exercise page."""
        first = await get_ok(client, "/exercises")
        found = cls.PAGE_COUNT.search(first)
        pages = int(found.group(1)) if found else 1
        html = [first]
        for number in sorted({pages * n // 5 for n in range(1, 6)} - {0, 1}):
            html.append(await get_ok(client, f"/exercises?page={number}"))
        exercises, words = set(), set()
        for text in html:
            for slug, name in cls.EXERCISE_LINK.findall(text):
                exercises.add(slug)
                words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", name))
        html.append(await get_ok(client, f"/exercise/{min(exercises)}"))
        hubs = {path for text in html for path in cls.HUB_LINK.findall(text)}
        return cls(pages, sorted(exercises), sorted(hubs), sorted(words))

    def pick(self, rng):
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == "library":
            number = rng.randint(1, self.pages)
            query = [("sort", rng.choice(SORTS[1:]))] if rng.random() < 0.25 else []
            query += [("page", number)] if number > 1 else []
            url = "/exercises" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        elif kind == "hub":
            url = rng.choice(self.hubs)
        elif kind == "search":
            url = f"/exercises?{urllib.parse.urlencode({'q': rng.choice(self.words)})}"
        elif kind == "exercise":
            url = f"/exercise/{rng.choice(self.exercises)}"
        else:
            base = rng.choice([*(f"/exercise/{slug}" for slug in self.exercises), *self.hubs])
            url = f"{base}.md"
        return kind, url


async def get_ok(client, url):
    response = await client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code} while finding addresses")
    return response.text


# --- The load ----------------------------------------------------------------------------------


class Results:
    def __init__(self):
        self.latencies = defaultdict(list)  # kind -> seconds
        self.errors = []

    def record(self, kind, seconds, error=None):
        self.latencies[kind].append(seconds)
        if error:
            self.errors.append(error)

    def summary(self, elapsed):
        every = [s for values in self.latencies.values() for s in values]
        rows = {kind: stats(self.latencies[kind]) for kind in MIX if self.latencies[kind]}
        return {
            "requests": len(every),
            "errors": len(self.errors),
            "error_examples": self.errors[:10],
            "seconds": round(elapsed, 1),
            "requests_per_second": round(len(every) / elapsed, 1),
            "all": stats(every),
            "kinds": rows,
        }


def percentile(sorted_values, share):
    """Nearest-rank percentile."""
    rank = max(1, round(share * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def stats(values):
    values = sorted(values)
    if not values:
        return {}
    return {
        "count": len(values),
        **{
            name: round(percentile(values, share) * 1000, 1)
            for name, share in (("p50_ms", 0.50), ("p90_ms", 0.90), ("p99_ms", 0.99))
        },
        "max_ms": round(values[-1] * 1000, 1),
    }


async def visitor(client, plan, rng, deadline, requests, results):
    """One client: a request, its answer in full, the next request, until the deadline or
    after `requests` requests (None: no count)."""
    made = 0
    while time.monotonic() < deadline and (requests is None or made < requests):
        made += 1
        kind, url = plan.pick(rng)
        start = time.perf_counter()
        error = None
        try:
            response = await client.get(url)
            if response.status_code != 200:
                error = f"{response.status_code} {url}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__} {url}: {exc}"
        results.record(kind, time.perf_counter() - start, error)


async def run_load(base_url, clients, seconds=None, requests=None, seed=1):
    """Run the load against base_url for `seconds`, or until the clients have made `requests`
    requests in all (shared evenly), whichever comes first; return the summary (a dict).

    Each client's addresses come from its own seeded generator, so a count-bound run requests
    the same addresses however fast the machine is."""
    if seconds is None and requests is None:
        raise ValueError("bound the load by seconds, requests or both")
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base_url, headers=PROXY_HEADERS, limits=limits, timeout=30
    ) as client:
        plan = await Plan.discover(client)
        bounds = [f"{seconds} s" if seconds else "", f"{requests:,} requests" if requests else ""]
        log(
            f"{len(plan.exercises)} exercises, {len(plan.hubs)} hubs, {plan.pages} library "
            f"pages, {len(plan.words)} search words; {clients} clients for "
            + " or ".join(b for b in bounds if b)
        )
        results = Results()
        load_before = os.getloadavg()[0]
        cpu_before = time.process_time()
        started = time.monotonic()
        deadline = started + seconds if seconds else float("inf")
        shares = [None] * clients
        if requests is not None:
            shares = [requests // clients + (n < requests % clients) for n in range(clients)]
        await asyncio.gather(
            *(
                visitor(client, plan, random.Random(seed * 1000 + n), deadline, share, results)
                for n, share in enumerate(shares)
            )
        )
        summary = results.summary(time.monotonic() - started)
        # The clients share the machine with the server: how much of a core they used.
        client_cpu = time.process_time() - cpu_before
        summary["client_cpu_share"] = round(client_cpu / summary["seconds"], 2)
        # Other work on the machine skews every number: keep how busy it was with the result.
        summary["load_average"] = {"before": load_before, "after": os.getloadavg()[0]}
        summary["cpus"] = os.cpu_count()
        return summary


def report(summary, clients):
    print(
        f"\n{clients} clients, {summary['seconds']} s: {summary['requests']:,} requests "
        f"({summary['requests_per_second']}/s), {summary['errors']} errors; "
        f"{summary['cpus']} CPUs, load average {summary['load_average']['before']:.1f} before, "
        f"{summary['load_average']['after']:.1f} after; the clients used "
        f"{summary['client_cpu_share']:.0%} of a CPU\n"
    )
    print("| requests | count | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, row in [*summary["kinds"].items(), ("all", summary["all"])]:
        print(
            f"| {kind} | {row['count']:,} | {row['p50_ms']} | {row['p90_ms']} | "
            f"{row['p99_ms']} | {row['max_ms']} |"
        )
    for example in summary["error_examples"]:
        print(f"error: {example}")


# --- The server --------------------------------------------------------------------------------


def analyze(url):
    """Fresh planner statistics, as a database that has been running for a while has."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def production_env(database_url, workdir, redis_url):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "forge.settings",
        "FORGE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": "https://forge.example",
        "DATABASE_URL": database_url,
        "CACHE_DIR": str(workdir / "cache"),
        "CACHE_KEY_PREFIX": "forge-load",
        "LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def serve_and_load(args):
    with tempfile.TemporaryDirectory(prefix="forge-load-") as tmp:
        workdir = Path(tmp)
        env = production_env(args.database_url, workdir, args.redis_url)
        if not args.reuse_database:
            library = f"{args.exercises:,} synthetic exercises" if args.exercises else "starter"
            log(f"recreating {args.database_url} with the {library} library")
            recreate_database(args.database_url, "forge_load")
            manage(env, "migrate", "--noinput", "--verbosity", "0")
            if args.exercises:  # the benchmark's loader: taxonomy, Spine Stretch, N more
                run = [PYTHON, "-m", "bench.bench", "load", str(args.exercises)]
                subprocess.run(run, cwd=BASE_DIR, env=env, check=True)
            else:
                for name in STARTER_LIBRARY:
                    manage(env, "import_exercises", f"fixtures/{name}", "--verbosity", "0")
                analyze(args.database_url)
        log("collectstatic (production storage)")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        with open(workdir / "gunicorn.log", "ab") as logfile, Gunicorn(env, logfile) as server:
            workers = env.get("WEB_CONCURRENCY") or f"{2 * os.cpu_count() + 1} (2 per core + 1)"
            log(f"gunicorn on {server.url}: {workers} workers, FORGE_ENV=production")
            try:
                return asyncio.run(run_load(server.url, args.clients, args.seconds, args.requests))
            finally:
                logfile.flush()
                errors = [
                    line
                    for line in (workdir / "gunicorn.log").read_text(errors="replace").splitlines()
                    if "[ERROR]" in line or "Traceback" in line
                ]
                for line in errors[:20]:
                    log(f"gunicorn: {line}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument(
        "--seconds", type=int, help="how long the load lasts (60 without --requests)"
    )
    parser.add_argument(
        "--requests", type=int, help="stop after this many requests in all (shared by the clients)"
    )
    parser.add_argument("--url", help="load this running server instead of starting one")
    parser.add_argument("--database-url", default=DATABASE_URL, help=f"({DATABASE_URL})")
    parser.add_argument(
        "--exercises",
        type=int,
        help="load this many synthetic exercises (manage.py seed_library) instead of the starter "
        "library's 874",
    )
    parser.add_argument(
        "--reuse-database", action="store_true", help="keep forge_load as the last run left it"
    )
    parser.add_argument("--redis-url", help="give gunicorn this cache (default: file cache)")
    parser.add_argument("--json", type=Path, help="also write the summary to this file")
    args = parser.parse_args(argv)
    if args.seconds is None and args.requests is None:
        args.seconds = 60

    host = urllib.parse.urlsplit(args.url).hostname if args.url else HOST
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the load test only runs on loopback (127.0.0.1)")
    if args.url:
        summary = asyncio.run(
            run_load(args.url.rstrip("/"), args.clients, args.seconds, args.requests)
        )
    else:
        summary = serve_and_load(args)
    report(summary, args.clients)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Forge's benchmark: latency and queries per page type, then throughput against a static file.

    bench/run                      # what `make bench` runs: 1,000 and 10,000 exercises
    bench/run --sizes 1000         # one size

For each library size it (1) creates a fresh PostgreSQL database (forge_bench) with the real
taxonomy and a synthetic library (`manage.py seed_library`), (2) measures in-process p50/p95 latency
and the query count of every public page type, uncached and cached, and (3) serves the site
with gunicorn (production settings, WhiteNoise) on 127.0.0.1 and measures throughput of an
exercise page and a hub page against WhiteNoise serving the same HTML saved as a static file.
Everything runs on loopback with bounded durations and stops by itself.
"""

import argparse
import json
import os
import platform
import random
import secrets
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

from .server import (
    BASE_DIR,
    HOST,
    PROXY_HEADERS,
    PYTHON,
    Gunicorn,
    fetch,
    log,
    manage,
    recreate_database,
)

# Production settings, as gunicorn gets them in a deployment (TLS is said to end at a proxy).
PRODUCTION_ENV = {
    "FORGE_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": f"{HOST},testserver,localhost",
    "SITE_URL": "https://forge.example",
    "LOG_LEVEL": "WARNING",
}


# --- Stage 1: the database -------------------------------------------------------------------


def load(size):
    """Subcommand: the taxonomy plus `size` synthetic exercises (in the DATABASE_URL database)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("import_exercises", BASE_DIR / "fixtures" / "taxonomy.json", verbosity=0)
    started = time.perf_counter()
    call_command("seed_library", exercises=size, verbosity=0)
    call_command("import_exercises", BASE_DIR / "fixtures" / "spine-stretch.json", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"built {size:,} exercises in {time.perf_counter() - started:.1f} s")


# --- Stage 2: in-process latency -------------------------------------------------------------


def page_sets(rng):
    """{page type: [paths]}: each measured request takes the next path of its type."""
    from exercises.browse import MIN_COMBINATION_SIZE
    from exercises.models import BodyPart, Category, Difficulty, Equipment, Exercise, Muscle

    published = Exercise.objects.published()
    slugs = list(published.values_list("slug", flat=True))
    exercises = [f"/exercise/{slug}" for slug in rng.sample(slugs, min(40, len(slugs)))]

    def hubs(model):
        used = model.objects.filter(**{f"{model.exercise_relation}__status": "published"})
        return [t.get_absolute_url() for t in used.distinct()]

    combos = published.combinations(MIN_COMBINATION_SIZE)
    combination = [f"/exercises/{bp}/{eq}" for bp, eq in combos]
    rng.shuffle(combination)
    return {
        "library": ["/exercises"],
        "library, page 3": ["/exercises?page=3"],
        "body-part hub": hubs(BodyPart),
        "difficulty hub": hubs(Difficulty),
        "equipment hub": hubs(Equipment),
        "muscle hub": hubs(Muscle),
        "category hub": hubs(Category),
        "combination hub": combination[:20],
        "two facets (noindex)": [
            "/exercises?body_part=back&difficulty=beginner",
            "/exercises?body_part=legs&equipment=dumbbell&equipment=barbell",
        ],
        "exercise page": exercises,
        "exercise .md": [f"{path}.md" for path in exercises],
        "hub .md": [f"{path}.md" for path in hubs(BodyPart)],
        "search": [
            "/exercises?q=bicep+curl",
            "/exercises?q=dedlift",
            "/exercises?q=pull+ups",
            "/exercises?q=squat",
            "/exercises?q=shoulder+press",
            "/exercises?q=dumbel+row",
        ],
        "search + facet": [
            "/exercises?q=curl&equipment=dumbbell",
            "/exercises?q=row&body_part=back",
        ],
        "sitemap: exercises": ["/sitemap-exercises.xml"],
        "llms.txt": ["/llms.txt"],
    }


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(rounds_uncached, rounds_cached, output, page_seconds=None):
    """Subcommand: time every page type through the whole Django stack, as a WSGI server would."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from exercises.caching import content_changed

    rng = random.Random(7)
    django_client = Client(headers=PROXY_HEADERS)
    hot_client = HotPagesClient()
    modes = (
        ("uncached", rounds_uncached, django_client),
        ("cached", rounds_cached, django_client),
        ("memory", rounds_cached, hot_client),
    )
    results = []
    for page_type, paths in page_sets(rng).items():
        row = {"page": page_type}
        for mode, rounds, client in modes:
            settings.PAGE_CACHE_SECONDS = 0 if mode == "uncached" else 3600
            content_changed()  # every page is rendered afresh
            for path in paths[:5]:  # warm up: connections, templates, and the cache
                assert client.get(path).status_code == 200, path
            with CaptureQueriesContext(connection) as queries:
                client.get(paths[0])
            query_count = len(queries)  # the log is emptied when the next request starts
            timings = []
            budget = time.monotonic() + page_seconds if page_seconds else None
            for index in range(rounds):
                if budget and len(timings) >= 5 and time.monotonic() > budget:
                    break  # a slow page at a large size: enough samples for a median
                path = paths[index % len(paths)]
                if mode != "uncached" and index < len(paths):
                    client.get(path)  # each path is cached before it is timed
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            row[mode] = {
                "p50": statistics.median(timings),
                "p95": percentile(timings, 0.95),
                "queries": query_count,
                "bytes": len(response.content),
            }
        results.append(row)
        log(
            f"{page_type}: {row['uncached']['p50']:.1f} ms uncached, "
            f"{row['cached']['p50']:.2f} ms cached, {row['memory']['p50']:.2f} ms in memory"
        )
    Path(output).write_text(json.dumps(results))


class HotPagesClient:
    """GET through forge.wsgi's application (hot pages in this process's memory in front of
    Django), as gunicorn calls it; a searched page that is never stored goes through Django."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        from forge.hotpages import HotPages

        self.application = HotPages(WSGIHandler())

    def get(self, path):
        from types import SimpleNamespace
        from wsgiref.util import setup_testing_defaults

        path, _, query = path.partition("?")
        environ = {
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_HOST": "testserver",
            "HTTP_X_FORWARDED_PROTO": PROXY_HEADERS["X-Forwarded-Proto"],
        }
        setup_testing_defaults(environ)  # the rest of a GET's environ, as a WSGI server sets it
        status = []
        body = self.application(environ, lambda line, headers, exc_info=None: status.append(line))
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        return SimpleNamespace(status_code=int(status[0].split()[0]), content=content)


# --- Stage 3: throughput ---------------------------------------------------------------------


def load_test(port, path, seconds, connections):
    """Requests per second for one path: wrk when installed, else a small threaded client."""
    if shutil.which("wrk"):
        headers = [
            arg for name, value in PROXY_HEADERS.items() for arg in ("-H", f"{name}: {value}")
        ]
        result = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *headers,
             f"http://{HOST}:{port}{path}"],
            capture_output=True, text=True, check=True, timeout=seconds + 30,
        )  # fmt: skip
        stats = result.stdout
        rate = float(stats.split("Requests/sec:")[1].split()[0])
        errors = [
            line.strip() for line in stats.splitlines() if "Non-2xx" in line or "errors" in line
        ]
        return rate, "; ".join(errors)
    return python_load_test(port, path, seconds, connections)


def python_load_test(port, path, seconds, connections):
    counts, errors = [0] * connections, [0] * connections
    deadline = time.monotonic() + seconds

    def worker(slot):
        connection = HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < deadline:
            connection.request("GET", path, headers=PROXY_HEADERS)
            response = connection.getresponse()
            response.read()
            counts[slot] += 1
            errors[slot] += response.status != 200
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = sum(errors)
    return sum(counts) / seconds, f"{failed} responses were not 200" if failed else ""


def throughput(env, paths, seconds, connections, workdir):
    """Requests/s of each page, cached and uncached, and of the same bytes as a static file."""
    static_dir = BASE_DIR / "staticfiles" / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    with open(workdir / "gunicorn.log", "ab") as logfile:
        # First pass: save each page as a file, then restart so that WhiteNoise sees the files.
        with Gunicorn(env, logfile, recycle_workers=False) as server:
            for name, path in paths.items():
                status, body = fetch(server.port, path)
                assert status == 200, (path, status)
                (static_dir / f"{name}.html").write_bytes(body)
        for cached in (True, False):
            server_env = env | {"PAGE_CACHE_SECONDS": "3600" if cached else "0"}
            with Gunicorn(server_env, logfile, recycle_workers=False) as server:
                for name, path in paths.items():
                    static_path = f"/static/bench/{name}.html"
                    fetch(server.port, path)
                    page_rate, page_errors = load_test(server.port, path, seconds, connections)
                    file_rate, file_errors = load_test(
                        server.port, static_path, seconds, connections
                    )
                    rows.append(
                        {
                            "page": f"{name} ({'cached' if cached else 'uncached'})",
                            "rate": page_rate,
                            "static": file_rate,
                            "errors": "; ".join(e for e in (page_errors, file_errors) if e),
                        }
                    )
                    log(f"{rows[-1]['page']}: {page_rate:.0f} req/s, file {file_rate:.0f} req/s")
    shutil.rmtree(static_dir)
    return rows


# --- The report ------------------------------------------------------------------------------


def report(size, latency, rates, targets):
    print(f"\n### {size:,} exercises\n")
    print(
        "| page type | uncached p50 | p95 | queries | cached p50 | p95 | queries "
        "| in memory p50 | queries | size |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in latency:
        u, c, m = row["uncached"], row["cached"], row["memory"]
        print(
            f"| {row['page']} | {u['p50']:.1f} ms | {u['p95']:.1f} ms | {u['queries']} "
            f"| {c['p50']:.2f} ms | {c['p95']:.2f} ms | {c['queries']} "
            f"| {m['p50']:.2f} ms | {m['queries']} | {u['bytes'] / 1024:.0f} KiB |"
        )
    rates = rates or []
    if rates:
        print("\n| page (gunicorn) | req/s | same HTML as a static file | ratio |")
        print("|---|---:|---:|---:|")
    for row in rates:
        flag = f" ({row['errors']})" if row["errors"] else ""
        print(
            f"| {row['page']}{flag} | {row['rate']:.0f} | {row['static']:.0f} "
            f"| {row['rate'] / row['static']:.2f}× |"
        )
    if targets:
        by_page = {row["page"]: row["uncached"]["p50"] for row in latency}
        print("\nTargets (issue 15):")
        for pages, limit in TARGETS:
            worst = max(by_page[page] for page in pages)
            verdict = "met" if worst <= limit else "MISSED"
            print(f"- {' / '.join(pages)} p50 ≤ {limit} ms: {worst:.1f} ms {verdict}")
        for row in rates:
            if "(cached)" in row["page"]:
                ratio = row["rate"] / row["static"]
                verdict = "met" if ratio >= 0.85 else "MISSED"
                print(f"- {row['page']} ≥ 0.85× static: {ratio:.2f}× {verdict}")


# Issue 15's targets at 10,000 exercises: uncached p50 of the slowest page of each group.
TARGETS = [
    (["exercise page"], 12),
    (
        [
            "library",
            "library, page 3",
            "body-part hub",
            "difficulty hub",
            "equipment hub",
            "muscle hub",
            "category hub",
            "combination hub",
        ],
        20,
    ),
    (["search", "search + facet"], 25),
    (["hub .md"], 40),
    (["sitemap: exercises"], 150),
    (["llms.txt"], 20),
]


def growth(latencies):
    """How each page type's time grows with the library: uncached and in-memory p50 at each
    size, and the ratio of the largest size to the smallest."""
    sizes = sorted(latencies)
    first, last = sizes[0], sizes[-1]
    print(f"\n### Growth ({', '.join(f'{size:,}' for size in sizes)} exercises)\n")
    print(
        "| page type | "
        + " | ".join(f"uncached {size:,}" for size in sizes)
        + f" | ×{last // first if last % first == 0 else round(last / first, 1)} size: time "
        + "| queries | in memory "
        + " / ".join(f"{size:,}" for size in sizes)
        + " |"
    )
    print("|---|" + "---:|" * len(sizes) + "---:|---:|---:|")
    for index, row in enumerate(latencies[first]):
        rows = [latencies[size][index] for size in sizes]
        times = [r["uncached"]["p50"] for r in rows]
        queries = sorted({r["uncached"]["queries"] for r in rows})
        memory = " / ".join(f"{r['memory']['p50']:.2f}" for r in rows)
        print(
            f"| {row['page']} | "
            + " | ".join(f"{t:.1f} ms" for t in times)
            + f" | {times[-1] / times[0]:.2f}× | {'–'.join(map(str, queries))} | {memory} ms |"
        )


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="library sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=60, help="timed requests per page type")
    parser.add_argument("--seconds", type=int, default=8, help="duration of each load test")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=60,
        help="stop timing a page type after this long (at least 5 requests): bounds a run at"
        " 50,000 exercises, where one uncached sitemap takes seconds",
    )
    parser.add_argument(
        "--in-process-only",
        action="store_true",
        help="only the in-process latencies (no gunicorn, no load tests); with several sizes,"
        " a growth table",
    )
    subcommands = parser.add_subparsers(dest="command")
    load_parser = subcommands.add_parser("load")
    load_parser.add_argument("size", type=int)
    measure_parser = subcommands.add_parser("measure")
    measure_parser.add_argument("output")
    growth_parser = subcommands.add_parser(
        "growth", help="the growth table from the latency-N.json files a --results folder kept"
    )
    growth_parser.add_argument("folder", type=Path)
    parser.add_argument(
        "--results", type=Path, help="keep each size's latency-N.json in this folder"
    )
    args = parser.parse_args()

    if args.command == "load":
        return load(args.size)
    if args.command == "growth":
        files = sorted(args.folder.glob("latency-*.json"))
        return growth({int(f.stem.split("-")[1]): json.loads(f.read_text()) for f in files})
    if args.command == "measure":
        return measure(args.rounds, args.rounds * 4, args.output, args.page_seconds)

    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forge_bench"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "GUNICORN_", "PAGE_CACHE", "CACHE_"))
    }
    env |= PRODUCTION_ENV | {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    env["CACHE_KEY_PREFIX"] = "forge-bench"
    env["PYTHONPATH"] = str(BASE_DIR)
    env["DJANGO_SETTINGS_MODULE"] = "forge.settings"
    print(f"Forge benchmark, {time.strftime('%Y-%m-%d')}: {machine()}")
    print(f"PostgreSQL {database_url.rsplit('@', 1)[-1]}, Redis cache {redis_url}")
    client = "wrk" if shutil.which("wrk") else "a Python client"
    print(
        f"gunicorn.conf.py defaults ({os.cpu_count() * 2 + 1} sync workers, not recycled);"
        f" load tests: {client}, {args.connections} connections, {args.seconds} s each"
    )

    log("collectstatic (production storage: pages name the hashed files)")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    workdir = Path(tempfile.mkdtemp(prefix="forge-bench-"))
    if args.results:
        args.results.mkdir(parents=True, exist_ok=True)
    latencies = {}
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            log(f"{size:,} exercises: creating the database")
            recreate_database(database_url, "forge_bench")
            manage(env, "migrate", "--noinput", "--verbosity", "0")
            subprocess.run(
                [PYTHON, "-m", "bench.bench", "load", str(size)], env=env, cwd=BASE_DIR, check=True
            )
            log(f"{size:,} exercises: in-process latency")
            output = (args.results or workdir) / f"latency-{size}.json"
            subprocess.run(
                [
                    PYTHON,
                    "-m",
                    "bench.bench",
                    "--rounds",
                    str(args.rounds),
                    "--page-seconds",
                    str(args.page_seconds),
                    "measure",
                    str(output),
                ],
                env=env,
                cwd=BASE_DIR,
                check=True,
            )
            latency = latencies[size] = json.loads(output.read_text())
            rates = None
            if not args.in_process_only:
                log(f"{size:,} exercises: throughput through gunicorn")
                paths = load_test_paths(env)
                rates = throughput(env, paths, args.seconds, args.connections, workdir)
            report(size, latency, rates, targets=size == 10000)
        if len(latencies) > 1:
            growth(latencies)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def load_test_paths(env):
    """{name: path} of the exercise page and the hub page the load test requests."""
    code = (
        "import django, json; django.setup();"
        "from exercises.models import Exercise;"
        "published = Exercise.objects.published().order_by('pk');"
        "e = published[published.count() // 2];"
        "print(json.dumps({'exercise': e.get_absolute_url(), "
        "'hub': e.body_part.get_absolute_url()}))"
    )
    output = subprocess.run(
        [PYTHON, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)


if __name__ == "__main__":
    main()

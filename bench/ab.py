"""Interleaved A/B: a cached page against the same bytes as a static file, for two source trees.

    git archive OLD | tar -x -C /tmp/old && ln -s "$PWD/.venv" /tmp/old/.venv
    .venv/bin/python -m bench.ab /tmp/old .          # after `make bench` filled forge_bench

On a shared machine two runs of `make bench` minutes apart are not comparable; this serves both
trees side by side (gunicorn with the production settings, each on its own port, the same
database and Redis under separate key prefixes) and alternates them round by round, so both see
the same load. Each round measures, for the exercise page and the hub `make bench` uses, the
page (from the page cache) and the same HTML saved into that tree's static files. It prints the
ratio per round and the median. Loopback only, bounded, and every server is stopped.
"""

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from .bench import PRODUCTION_ENV, load_test, load_test_paths
from .server import Gunicorn, fetch, log


def tree_env(base, tree, name):
    return base | {"PYTHONPATH": str(tree), "CACHE_KEY_PREFIX": f"forge-ab-{name}"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2, type=Path, help="A and B: source trees with a .venv")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "GUNICORN_", "PAGE_CACHE", "CACHE_"))
    }
    base |= PRODUCTION_ENV | {
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forge_bench"
        ),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "DJANGO_SETTINGS_MODULE": "forge.settings",
    }
    trees = {name: tree.resolve() for name, tree in zip("AB", args.trees, strict=True)}
    paths = load_test_paths(tree_env(base, trees["B"], "B"))
    servers = {}
    logfile = open(Path("/tmp") / f"forge-ab-{os.getpid()}.log", "ab")  # noqa: SIM115
    try:
        for name, tree in trees.items():
            env = tree_env(base, tree, name)
            python = tree / ".venv" / "bin" / "python"
            log(f"{name} = {tree}: collectstatic, the pages saved as static files")
            subprocess.run(
                [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                cwd=tree,
                env=env,
                check=True,
            )
            static_dir = tree / "staticfiles" / "bench"
            static_dir.mkdir(parents=True, exist_ok=True)
            with Gunicorn(env, logfile, recycle_workers=False, cwd=tree) as server:
                for page, path in paths.items():
                    status, body = fetch(server.port, path)
                    assert status == 200, (name, path, status)
                    (static_dir / f"{page}.html").write_bytes(body)
            servers[name] = Gunicorn(env, logfile, recycle_workers=False, cwd=tree).__enter__()
            for path in paths.values():
                fetch(servers[name].port, path)  # stored in the page cache
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        ratios = {}
        for round_ in range(args.rounds):
            order = "AB" if round_ % 2 == 0 else "BA"
            for name in order:
                port = servers[name].port
                for page, path in paths.items():
                    rate, _ = load_test(port, path, args.seconds, args.connections)
                    file_rate, _ = load_test(
                        port, f"/static/bench/{page}.html", args.seconds, args.connections
                    )
                    ratios.setdefault((name, page), []).append(rate / file_rate)
                    print(
                        f"round {round_ + 1} {name} {page}: {rate:.0f} req/s, file "
                        f"{file_rate:.0f} req/s, {rate / file_rate:.2f}×",
                        flush=True,
                    )
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print("\n| tree | page | median ratio to the static file | rounds |")
        print("|---|---|---:|---|")
        for (name, page), values in ratios.items():
            rounds = ", ".join(f"{v:.2f}" for v in values)
            print(f"| {name} | {page} (cached) | {statistics.median(values):.2f}× | {rounds} |")
    finally:
        for server in servers.values():
            server.stop()
        for tree in trees.values():
            subprocess.run(["rm", "-rf", str(tree / "staticfiles" / "bench")], check=False)
        logfile.close()


if __name__ == "__main__":
    sys.exit(main())

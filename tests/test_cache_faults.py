"""A real Redis that hangs, dies or comes back from an old snapshot costs only speed.

Each test starts its own redis-server on a free port of 127.0.0.1 (never the shared one), pauses it
(SIGSTOP) or stops it, and always resumes and stops it afterwards. Bounds are counts (how many
requests waited for Redis), not seconds.
"""

import logging
import shutil
import signal
import subprocess
import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from factories import make_exercise
from workers import free_port

from exercises.models import Exercise
from forge import pagecache
from forge.pagecache import PageCacheMiddleware

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


class RedisServer:
    """A redis-server process of our own, with its dump file in a temporary directory."""

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory), "--dbfilename", "dump.rdb"],
            stdout=subprocess.DEVNULL,
        )
        client = self.client()
        for _ in range(100):
            if self.process.poll() is not None:  # e.g. another process took the port meanwhile
                raise RuntimeError(f"redis-server exited on port {self.port}")
            try:
                if client.ping():
                    return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_timeout=2)

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path, settings):
    """Our own Redis as the page cache, with the timeouts forge/settings.py configures."""
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {
                "socket_connect_timeout": settings.REDIS_TIMEOUT,
                "socket_timeout": settings.REDIS_TIMEOUT,
            },
        }
    }
    settings.PAGE_CACHE_SECONDS = 600
    yield server
    server.stop()


def get_all(client, paths):
    return [client.get(path).status_code for path in paths]


def bypass_warnings(caplog):
    return [r for r in caplog.records if "Page cache unavailable" in r.getMessage()]


@pytest.fixture
def pages(taxonomy):
    make_exercise("Rack Pull", equipment="barbell")
    make_exercise("Good Morning", equipment="barbell")
    return ["/exercises", "/exercises/back", "/exercise/rack-pull", "/exercise/good-morning"]


@pytest.mark.parametrize("fault", ["paused", "stopped"])
def test_a_hung_or_dead_redis_makes_one_request_wait_then_is_bypassed(
    client, redis_server, pages, caplog, fault
):
    assert get_all(client, pages) == [200] * len(pages)  # stored in Redis
    (redis_server.pause if fault == "paused" else redis_server.stop)()

    with caplog.at_level(logging.WARNING, logger="forge.pagecache"):
        statuses = get_all(client, pages * 5)

    assert statuses == [200] * len(pages) * 5
    warnings = bypass_warnings(caplog)
    assert len(warnings) == 1, "only the first request may wait for Redis"
    error = "TimeoutError" if fault == "paused" else "ConnectionError"
    assert error in warnings[0].getMessage()


class LaterClock:
    """The time module as forge.pagecache sees it, `seconds` later (no test sleeps)."""

    def __init__(self, seconds):
        self.seconds = seconds

    def monotonic(self):
        return time.monotonic() + self.seconds

    def __getattr__(self, name):
        return getattr(time, name)


def test_the_cache_is_used_again_after_the_bypass(
    client, redis_server, pages, caplog, settings, monkeypatch
):
    # Long enough that however slow the machine, every request below falls within the bypass.
    settings.PAGE_CACHE_BYPASS_SECONDS = 60
    redis_server.pause()
    with caplog.at_level(logging.WARNING, logger="forge.pagecache"):
        get_all(client, pages)
    redis_server.resume()
    monkeypatch.setattr(pagecache, "time", LaterClock(61))  # the bypass is over

    get_all(client, pages)

    keys = [pagecache.page_key(RequestFactory().get(path)) for path in pages]
    assert len(redis_server.client().keys("*page:*")) == len(keys)
    assert len(bypass_warnings(caplog)) == 1


def test_a_trainer_saves_while_redis_hangs_and_the_next_view_is_fresh(
    client, admin_client, redis_server, pages, django_capture_on_commit_callbacks
):
    rack_pull = Exercise.objects.get(slug="rack-pull")
    get_all(client, pages)
    redis_server.pause()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/exercises/exercise/",
            {"action": "unpublish", "_selected_action": [rack_pull.pk]},
        )
    assert response.status_code == 302
    assert Exercise.objects.get(pk=rack_pull.pk).status == Exercise.Status.DRAFT
    redis_server.resume()  # its stored pages still show the Rack Pull
    PageCacheMiddleware.breaker.reset()

    assert client.get("/exercise/rack-pull").status_code == 404
    assert b"Rack Pull" not in client.get("/exercises").content
    assert b"Rack Pull" not in client.get("/exercises/back").content


def test_redis_restored_from_an_old_snapshot_serves_no_retired_page(
    client, redis_server, pages, django_capture_on_commit_callbacks
):
    get_all(client, pages)
    redis_server.client().save()  # the snapshot, taken while the Rack Pull was published
    with django_capture_on_commit_callbacks(execute=True):
        rack_pull = Exercise.objects.get(slug="rack-pull")
        rack_pull.status = Exercise.Status.DRAFT
        rack_pull.save()
    redis_server.stop()
    redis_server.start()  # loads the old snapshot
    key = pagecache.page_key(RequestFactory().get("/exercise/rack-pull"))
    for _ in range(3):  # the first command after the restart finds its connection closed
        try:
            restored = cache.get(key)
            break
        except Exception:
            continue
    assert restored is not None, "the snapshot holds the old page"
    PageCacheMiddleware.breaker.reset()

    assert client.get("/exercise/rack-pull").status_code == 404
    assert b"Rack Pull" not in client.get("/exercises").content
    assert b"Rack Pull" not in client.get("/exercises/back").content

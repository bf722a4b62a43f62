"""Admin login throttling per address: a flood of wrong passwords under random user names is
refused once the address reaches its limit, and refused attempts never run the password hasher.

(The lockout of one user name from one address is in test_admin_reliability.py.)
"""

import io
import logging
import os
import time
from datetime import timedelta

import axes.attempts
import axes.handlers.proxy
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from hashers import CountingHasher
from workers import redis_test_url
from wsgi import Counting, call

from forge import login_throttle
from forge.login_throttle import RefusedLogins, forget_locked, lockout_key

LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery"
FLOOD = "203.0.113.66"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def forget_lockouts():
    """The cache outlives each test's database transaction: a lockout remembered in one test
    must not answer the next one's logins."""
    yield
    for address in (FLOOD, ELSEWHERE, "192.0.2.8"):
        forget_locked(address)


@pytest.fixture
def tess(db):
    return User.objects.create_user("tess", password=PASSWORD, is_staff=True)


def log_in(username, password, address=FLOOD):
    """A login from a fresh browser, as a flood's clients send them."""
    return Client().post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def flood(count, start=0):
    """`count` wrong passwords from FLOOD, each under a new user name; their status codes."""
    return [log_in(f"guess{n}", "wrong").status_code for n in range(start, start + count)]


def page(response):
    return " ".join(response.content.decode().split())


def test_wrong_passwords_under_many_user_names_lock_the_address_out(tess):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    # No single name comes near its own limit; the failure that reaches the address's is refused.
    assert flood(limit - 1) == [200] * (limit - 1)
    assert flood(1, start=limit) == [429]

    # Now even the right password is refused from there, with a page that says why.
    response = log_in("tess", PASSWORD)
    assert response.status_code == 429
    assert "Too many wrong passwords from your network." in page(response)
    assert "logging in from here is paused for 15 minutes, even with the right password" in (
        page(response)
    )
    # From anywhere else Tess logs in as usual.
    assert log_in("tess", PASSWORD, address=ELSEWHERE).status_code == 302


def test_a_refused_login_runs_no_password_hasher(tess):
    before = CountingHasher.hashed
    flood(3)
    assert CountingHasher.hashed == before + 3  # an unknown name is hashed too, like a real one

    flood(settings.LOGIN_ADDRESS_FAILURE_LIMIT, start=3)
    refused_from = CountingHasher.hashed
    assert flood(25, start=100) == [429] * 25
    assert log_in("tess", PASSWORD).status_code == 429
    assert CountingHasher.hashed == refused_from


def test_a_locked_user_name_is_refused_without_hashing_too(tess):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("tess", "wrong", address="192.0.2.8")
    before = CountingHasher.hashed
    response = log_in("tess", PASSWORD, address="192.0.2.8")
    assert response.status_code == 429
    assert "Too many wrong passwords for this user name from your network." in page(response)
    assert CountingHasher.hashed == before


def lock_out_flood():
    flood(settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    assert log_in("tess", "wrong").status_code == 429


def test_a_locked_address_is_answered_without_a_query_or_a_hash(tess, django_assert_num_queries):
    lock_out_flood()
    before = CountingHasher.hashed
    with django_assert_num_queries(0):
        response = log_in("tess", PASSWORD)
        guess = log_in("guess99", "wrong")
    assert CountingHasher.hashed == before
    for answer in (response, guess):
        assert answer.status_code == 429
        assert "Too many wrong passwords from your network." in page(answer)
        assert "paused for 15 minutes, even with the right password" in page(answer)
        assert "each attempt before then starts the wait again" in page(answer)
        assert answer["X-Frame-Options"] == "DENY"
        assert "Content-Security-Policy" in answer
    # Elsewhere, and on a GET of the login page, nothing is remembered.
    assert Client().get(LOGIN, REMOTE_ADDR=FLOOD).status_code == 200
    assert log_in("tess", PASSWORD, address=ELSEWHERE).status_code == 302


def test_an_address_found_locked_behind_the_proxy_is_the_forwarded_one(
    tess, settings, django_assert_num_queries
):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.IPWARE_STRICT = False

    def via_proxy(client_address, password="wrong", username="tess"):
        return Client().post(
            LOGIN,
            {"username": username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        via_proxy(FLOOD, username=f"guess{n}")
    with django_assert_num_queries(0):
        assert via_proxy(FLOOD, PASSWORD).status_code == 429
    # Another client behind the same proxy is not locked out.
    assert via_proxy(ELSEWHERE, PASSWORD).status_code == 302


def test_a_refusal_says_when_to_retry_and_the_lockout_is_logged_once(tess, caplog):
    caplog.set_level(logging.WARNING)
    lock_out_flood()
    lockouts = [r for r in caplog.records if r.name == "forge.login_throttle"]
    assert [r.getMessage() for r in lockouts] == [
        f"Logins from {FLOOD} refused for 0:15:00: too many failed attempts from this address"
    ]
    caplog.clear()
    answers = [log_in(f"guess{n}", "wrong") for n in range(100, 105)]
    # Five refusals, not five warnings (nor the lockout again).
    assert caplog.records == []
    for answer in answers:
        assert answer.status_code == 429
        assert answer["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
        assert answer["Cache-Control"] == "no-store"
        assert answer["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware's, as usual
        assert "Permissions-Policy" in answer
        assert "nonce-" not in answer["Content-Security-Policy"]
        assert int(answer["Content-Length"]) == len(answer.content)
        assert "<title>Too many failed logins | Forge admin</title>" in page(answer)
        assert f'<a href="{LOGIN}">Back to the login page</a>' in page(answer)
        assert "ask the site owner to set a new one" in page(answer)


def test_on_redis_a_refusal_starts_the_wait_again_in_one_round_trip(
    tess, settings, django_assert_num_queries, clock
):
    url = redis_test_url()
    if not url:
        pytest.skip("REDIS_TEST_URL is not set (e.g. redis://127.0.0.1:6379/15); .ci/run sets it")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"forge-test-{os.getpid()}",
        }
    }
    lock_out_flood()
    cache.touch(lockout_key(FLOOD), 10)  # as if the wait were nearly over
    # and so past the moment this process keeps a confirmed refusal in memory
    clock(timedelta(seconds=login_throttle.LOCKOUT_MEMORY_SECONDS + 0.1))
    with django_assert_num_queries(0):
        assert log_in("tess", PASSWORD).status_code == 429
    redis = cache._cache.get_client(write=True)
    lifetime = redis.ttl(cache.make_and_validate_key(lockout_key(FLOOD)))
    assert lifetime > settings.AXES_COOLOFF_TIME.total_seconds() - 60
    forget_locked(FLOOD)  # before the settings (and the cache) change back


@pytest.fixture
def clock(monkeypatch):
    """Moves the time the cache, axes and the lockout page see: `clock(timedelta)`."""
    offset = timedelta()
    real_time, real_now = time.time, timezone.now
    monkeypatch.setattr(time, "time", lambda: real_time() + offset.total_seconds())
    fake_now = lambda: real_now() + offset  # noqa: E731
    # django-axes imports now() by name.
    for module in (timezone, axes.handlers.proxy, axes.attempts):
        monkeypatch.setattr(module, "now", fake_now)

    def shift(by):
        nonlocal offset
        offset += by

    return shift


def test_the_remembered_lockout_ends_with_the_cool_off(tess, clock):
    cool_off = settings.AXES_COOLOFF_TIME
    minute = timedelta(minutes=1)
    lock_out_flood()
    for _ in range(3):  # each refused attempt starts the wait again, as the page says
        clock(cool_off / 3)
        assert log_in("guess99", "wrong").status_code == 429
    # A cool-off after the first refused attempts, but not after the last one: still refused.
    clock(cool_off - minute)
    assert log_in("tess", PASSWORD).status_code == 429
    clock(cool_off + minute)
    assert log_in("tess", PASSWORD).status_code == 302


def test_resetting_the_address_lifts_the_remembered_lockout(tess):
    lock_out_flood()
    call_command("axes_reset_ip", FLOOD, verbosity=0)
    assert log_in("tess", PASSWORD).status_code == 302


def test_without_the_cache_the_lockout_still_holds(tess, settings):
    lock_out_flood()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        }
    }
    before = CountingHasher.hashed
    response = log_in("tess", PASSWORD)
    assert response.status_code == 429
    assert "Too many wrong passwords from your network." in page(response)
    assert CountingHasher.hashed == before
    assert log_in("tess", PASSWORD, address=ELSEWHERE).status_code == 302


def test_a_reset_on_another_app_server_is_seen_within_a_moment(tess, clock):
    """Each process keeps a refusal the cache confirmed in memory for a moment: a reset made on
    another app server (its memory, the cache and the database) reaches this one that late."""
    lock_out_flood()
    assert log_in("guess99", "wrong").status_code == 429  # confirmed by the cache: kept here
    this_servers_memory = dict(login_throttle._refusing_until)
    call_command("axes_reset_ip", FLOOD, verbosity=0)  # as on the other server
    login_throttle._refusing_until.update(this_servers_memory)

    before = CountingHasher.hashed
    assert log_in("tess", PASSWORD).status_code == 429
    assert CountingHasher.hashed == before
    clock(timedelta(seconds=login_throttle.LOCKOUT_MEMORY_SECONDS + 0.1))
    assert log_in("tess", PASSWORD).status_code == 302


def wsgi_post(application, address):
    """A login POST through a WSGI application, as gunicorn calls it: (status, headers, body)."""
    form = b"username=guess7&password=wrong&next=%2Fadmin%2F"
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": LOGIN,
        "REMOTE_ADDR": address,
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(form)),
        "wsgi.input": io.BytesIO(form),
    }
    return call(application, environ)


def test_a_flood_is_refused_before_django_runs_with_djangos_own_answer(tess):
    lock_out_flood()
    django = Counting()
    application = RefusedLogins(django)

    # The first refusal from memory comes from Django; the next ones are the same answer
    # without Django, and without a password check.
    first = wsgi_post(application, FLOOD)
    before = CountingHasher.hashed
    again = [wsgi_post(application, FLOOD) for _ in range(5)]
    assert django.calls == 1
    assert CountingHasher.hashed == before
    assert first[0].startswith("429")
    assert all(answer == first for answer in again)
    assert "Too many wrong passwords from your network." in " ".join(first[2].decode().split())
    assert first[1]["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in first[1]

    # Any other address, or this one once a reset is seen, still reaches Django (which refuses
    # this form for its missing CSRF token, as it does any form posted without one).
    status, _, _ = wsgi_post(application, ELSEWHERE)
    assert status.startswith("403") and django.calls == 2
    call_command("axes_reset_ip", FLOOD, verbosity=0)
    status, _, _ = wsgi_post(application, FLOOD)
    assert status.startswith("403") and django.calls == 3

"""Settings from the environment: safe local defaults, loud refusals in production."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from settings_env import BASE_DIR, SETTINGS_VARIABLES

PRODUCTION = {
    "FORGE_ENV": "production",
    "SECRET_KEY": "q8Vt-3mZr0Lk_9xWp2sNe7Hc4Jb6Yd1Fa5Gu0Ti8Ko3Ql7Rn2Ms9Pv4Xw6Zy1A",
    "ALLOWED_HOSTS": "forgetrainer.ai,www.forgetrainer.ai",
    "SITE_URL": "https://forgetrainer.ai",
    "AXES_IPWARE_PROXY_COUNT": "0",
}


def manage(*args, **variables):
    """Run manage.py in a fresh process with only the given settings variables.

    The test run's own DJANGO_* variables stay out too (the browser tests set
    DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment checks rightly refuse).
    """
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and not name.startswith("DJANGO_")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ | variables,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_deployment_checks_warn_when_production_does_not_say_how_many_proxies(settings):
    unset = {name: value for name, value in PRODUCTION.items() if name != "AXES_IPWARE_PROXY_COUNT"}
    result = manage("check", "--deploy", **unset)
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "(forge.W001) AXES_IPWARE_PROXY_COUNT is not set" in output
    assert "Set AXES_IPWARE_PROXY_COUNT=0 behind a single nginx" in output
    assert "1 issue" in output
    # Development has no proxy to say anything about.
    from forge.checks import check_login_throttling_sees_clients

    assert not settings.PRODUCTION and settings.AXES_IPWARE_PROXY_COUNT is None
    assert check_login_throttling_sees_clients(None) == []
    settings.PRODUCTION = True
    assert [warning.id for warning in check_login_throttling_sees_clients(None)] == ["forge.W001"]
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert check_login_throttling_sees_clients(None) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "needs SECRET_KEY set to a random value of 50+ characters"),
        ({"SECRET_KEY": "too-short-to-be-a-real-key"}, "needs SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "needs ALLOWED_HOSTS"),
        ({"SITE_URL": "http://forgetrainer.ai"}, "needs SITE_URL, an https:// origin"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
    ],
    ids=["no-secret-key", "short-secret-key", "no-allowed-hosts", "http-site-url", "debug"],
)
def test_production_refuses_to_start_when_misconfigured(change, message):
    result = manage("check", **(PRODUCTION | change))
    assert result.returncode != 0
    assert message in result.stderr


def test_local_defaults_need_no_configuration(load_settings):
    settings = load_settings()
    assert settings["DEBUG"] is False
    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert "127.0.0.1" in settings["ALLOWED_HOSTS"]
    assert settings["SITE_URL"] == "http://127.0.0.1:8000"
    assert settings["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_in_development_links_follow_the_port_served_unless_site_url_is_set(load_settings):
    # `make run PORT=8831` serves on 8831 (bin/run reads the same variable).
    assert load_settings(PORT="8831")["SITE_URL"] == "http://127.0.0.1:8831"
    assert load_settings(PORT="8831", SITE_URL="http://forge.test:9000/")["SITE_URL"] == (
        "http://forge.test:9000"
    )
    production = load_settings(**PRODUCTION, PORT="8831")
    assert production["SITE_URL"] == PRODUCTION["SITE_URL"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("False", False), ("false", False), ("0", False), ("", False), ("True", True), ("on", True)],
)
def test_debug_reads_booleans_by_meaning(load_settings, value, expected):
    assert load_settings(DEBUG=value)["DEBUG"] is expected


def test_a_value_that_is_not_a_boolean_is_a_clear_error(load_settings):
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false, not 'maybe'"):
        load_settings(DEBUG="maybe")


def test_redis_url_switches_the_cache_to_redis(load_settings):
    cache = load_settings(REDIS_URL="redis://127.0.0.1:6379/3")["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert cache["KEY_PREFIX"] == "forge-development"


def test_cache_key_prefix_keeps_environments_apart(load_settings):
    settings = load_settings(REDIS_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX="staging")
    assert settings["CACHES"]["default"]["KEY_PREFIX"] == "staging"


def test_database_url_is_honoured(load_settings):
    settings = load_settings(
        DATABASE_URL="postgres://forge:secret@db.internal:5433/library", CONN_MAX_AGE="60"
    )
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "library",
        "forge",
        "secret",
    )
    assert (database["HOST"], database["PORT"]) == ("db.internal", 5433)
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_production_keeps_connections_and_serves_compressed_static_files(load_settings):
    settings = load_settings(**PRODUCTION)
    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 600
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings["CSRF_TRUSTED_ORIGINS"] == ["https://forgetrainer.ai"]

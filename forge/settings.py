"""Settings for the Forge exercise library, read from environment variables.

Local defaults are safe and need nothing: SQLite, DEBUG off, a throwaway secret key.
`FORGE_ENV=production` turns on the production checks: it refuses to start without a real
SECRET_KEY, ALLOWED_HOSTS and SITE_URL, and serves hashed, compressed static files.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a boolean variable; the string "False" must not count as true."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_seconds(name, default):
    """A positive duration in seconds, fractions allowed (e.g. 0.25)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if not 0 < seconds < 3600:
        raise ImproperlyConfigured(f"{name} must be a number of seconds above 0, not {value!r}.")
    return seconds


FORGE_ENV = os.environ.get("FORGE_ENV", "development").strip().lower()
if FORGE_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("FORGE_ENV must be 'development' or 'production'.")
PRODUCTION = FORGE_ENV == "production"

DEBUG = env_bool("DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-forge-local-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "FORGE_ENV=production needs SECRET_KEY set to a random value of 50+ characters."
        )
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when FORGE_ENV=production.")
elif not SECRET_KEY:
    SECRET_KEY = _DEV_SECRET_KEY

_LOCAL_HOSTS = "localhost,127.0.0.1,[::1],testserver"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else _LOCAL_HOSTS)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("FORGE_ENV=production needs ALLOWED_HOSTS (comma-separated).")

# The public origin used in absolute links: canonicals, sitemaps, Markdown copies. In development
# it follows the port `make run` serves on (PORT, read by bin/run too), so that the links of a
# site served on another port lead back to it.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
if not SITE_URL and not PRODUCTION:
    _port = env_int("PORT", 8000)
    SITE_URL = f"http://127.0.0.1:{_port}"
if PRODUCTION and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("FORGE_ENV=production needs SITE_URL, an https:// origin.")
SITE_NAME = os.environ.get("SITE_NAME", "Forge")
# How long browsers and shared caches may keep a public page before asking again (ETag). 0:
# they ask on every use (max-age=0, must-revalidate), so no copy outlives an edit; the policy
# and why: docs/deployment.md.
PUBLIC_MAX_AGE = env_int("PUBLIC_MAX_AGE", 0)
# The call to action closing every Markdown copy (the reference page links to Forge's home).
CTA_TEXT = os.environ.get("CTA_TEXT", "Get a personalized workout plan with")
CTA_URL = os.environ.get("CTA_URL", "https://forgetrainer.ai")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # search on PostgreSQL; harmless on SQLite
    "django_filters",
    "axes",
    "adminsortable2",
    "reversion",  # the history of exercises and the taxonomy (exercises/models/versioned.py)
    "exercises",
    "forge",  # the project's system checks (forge/checks.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A login POST from an address already locked out is answered here, without a query and
    # for no more than a cached page costs (forge/login_throttle.py): a flood of them must
    # not take the workers from the pages.
    "forge.login_throttle.LockedAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stored public pages are served from here, like static files just above (forge/pagecache.py).
    "forge.pagecache.PageCacheMiddleware",
    # Pages leave compressed, and are stored so (a copy per encoding): a stored page is not
    # compressed again on each request. WhiteNoise above serves its own .gz/.br files.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "forge.middleware.AdminContentSecurityPolicyMiddleware",
    "forge.middleware.PermissionsPolicyMiddleware",
    "forge.middleware.CanonicalPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "forge.urls"
WSGI_APPLICATION = "forge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "exercises.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 600 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
# PostgreSQL only: psycopg sends parameters apart from the SQL (server-side binding), so that
# it can prepare a statement PostgreSQL plans once per connection after a few runs of the same
# query text. Off by default; measured, and why, in docs/performance.md (with PgBouncer it
# needs session pooling, or PgBouncer 1.21+ with max_prepared_statements).
if env_bool("DATABASE_SERVER_SIDE_BINDING") and "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
# PostgreSQL only: the content version every cached page checks is read with a prepared
# statement (exercises/caching.py). Behind PgBouncer in transaction pooling, use PgBouncer 1.21+
# with max_prepared_statements set, or turn this off.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory by default; REDIS_URL shares one cache (and one invalidation) across app servers.
# Production without Redis keeps the cache in files that all gunicorn workers on the host share:
# with a cache per process, an edit would reach only the worker that saved it, and the others
# would go on serving the pages it made stale (see forge/pagecache.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", f"forge-{FORGE_ENV}")
# A hung or unreachable Redis must cost a request this long at most (redis-py waits 5 s), and
# after a failure the page cache leaves Redis alone for PAGE_CACHE_BYPASS_SECONDS.
REDIS_TIMEOUT = env_seconds("REDIS_TIMEOUT", 0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
elif PRODUCTION:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get(
                "CACHE_DIR", str(Path(tempfile.gettempdir()) / "forge-cache")
            ),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }
# How long an anonymous visitor's page stays cached; any content change drops it at once anyway.
# 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 24 * 60 * 60)
# Each app server process also keeps the hot pages it served in its own memory, up to this many
# bytes, and answers them before Django runs (forge/hotpages.py); 0 turns that off. Each copy is
# checked against the content version in the database on every request, like a cached page.
PAGE_CACHE_MEMORY_BYTES = env_int("PAGE_CACHE_MEMORY_BYTES", 16 * 2**20)
# After the cache failed (timeout, refused connection), pages are rendered without it for this
# long before it is tried again: one slow request per interval and process, not one per request.
PAGE_CACHE_BYPASS_SECONDS = env_int("PAGE_CACHE_BYPASS_SECONDS", 10)
# What stored pages and ETags are checked against: the library's content version, kept in the
# database (a cache restored from an old snapshot cannot revive what it retired).
PAGE_CACHE_CONTENT_VERSION = "exercises.caching.content_version"
# How long browsers and proxies may keep a 404 or 410 answer. 0: a draft's address answers 404
# until a trainer publishes it, and a visitor who saw the 404 must get the page right after.
ERROR_MAX_AGE = env_int("ERROR_MAX_AGE", 0)

# Sessions in the database, with malformed keys (a NUL byte, odd characters) read as no session.
SESSION_ENGINE = "forge.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded media (exercise images and videos, docs/media.md): files in MEDIA_ROOT by default,
# served by Django in development and by the proxy in production (docs/deployment.md); or an
# S3-compatible bucket shared by several app servers (MEDIA_STORAGE=s3).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "") or BASE_DIR / "media")
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
if not MEDIA_URL.endswith("/"):
    raise ImproperlyConfigured("MEDIA_URL must end with a slash, e.g. /media/.")
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local").strip().lower()
if MEDIA_STORAGE == "local":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    # Credentials come from boto3's own variables (AWS_ACCESS_KEY_ID, ...) or the host's role.
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Public, permanent addresses (the names carry a content hash), served from a
            # CDN or the bucket's own domain.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")
# The origin media is served from when it is not this site's own (a CDN or bucket domain).
MEDIA_ORIGIN = (
    f"https://{os.environ['AWS_S3_CUSTOM_DOMAIN']}"
    if MEDIA_STORAGE == "s3" and os.environ.get("AWS_S3_CUSTOM_DOMAIN")
    else ""
)
STORAGES = {
    "default": _media_storage,
    # Production serves hashed, compressed files with far-future cache headers (run collectstatic);
    # development and tests serve the source files straight from static/ through WhiteNoise.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Security headers; the HTTPS-only ones apply in production, where TLS ends at a proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: everything from this origin only, and no inline script or style. Public
# pages use static files, not nonces: a cached page would keep an old nonce (see docs/security.md).
# JSON-LD <script type="application/ld+json"> blocks are data, which script-src does not govern.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, *filter(None, [MEDIA_ORIGIN])],
    "media-src": [CSP.SELF, *filter(None, [MEDIA_ORIGIN])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The admin is never cached, so it may use the nonces Django's admin templates put on their own
# inline <style> and <script> tags (forge.middleware.AdminContentSecurityPolicyMiddleware).
ADMIN_CSP = SECURE_CSP | {
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
}
# Powerful browser features the site never uses, switched off (forge.middleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]

# Login throttling (django-axes): after 5 failed logins for one user name from one address, that
# pair is refused for 15 minutes, even with the right password; others can still log in. After 10
# failures from one address, whatever the user names, the address is refused for 15 minutes: a
# flood of wrong passwords under random names would otherwise hash every one of them and stall
# the site. Refused attempts are answered without checking the password (forge/login_throttle.py).
AXES_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
# In this order: forge.login_throttle reads the pair's failures first, then the address's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "forge.login_throttle.LoginThrottle"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "exercises.admin.login_lockout"
# Behind a reverse proxy, REMOTE_ADDR is the proxy's address, shared by every visitor. Set this to
# the number of proxy addresses X-Forwarded-For carries after the client's: 0 behind a single
# nginx (docs/deployment.md), 1 with a load balancer in front of it. Unset, the header is ignored
# (it can be forged).
_proxy_count = os.environ.get("AXES_IPWARE_PROXY_COUNT", "").strip()
if _proxy_count:
    AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0)
    if AXES_IPWARE_PROXY_COUNT < 0:
        raise ImproperlyConfigured("AXES_IPWARE_PROXY_COUNT must be 0 or more.")
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    # Take the address the nearest proxies saw even when the client sent its own header.
    IPWARE_STRICT = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

"""Hot pages answered at the WSGI level, from this process's memory, before Django runs.

PageCacheMiddleware (forge/pagecache.py) shares stored pages between app servers through the
cache; a hit there still costs a full Django request (WSGIRequest, the middleware above it, a
cache round trip for the whole page). `HotPages` wraps the WSGI application and keeps, per
process, the final bytes of the pages that middleware served or stored: status, every header
(the security headers SecurityMiddleware added on the way out included) and the body. A copy is
served only while its page version is the current one, read on every request from the database
(one primary-key query, the same read a cache hit costs), so an edit through any app server
retires it on the very next request, and a cache restore or a hung cache changes nothing here.

Only anonymous GET/HEAD requests without a session cookie and without If-Match or
If-Unmodified-Since are answered here; If-None-Match / If-Modified-Since get the same 304 the
middleware gives. Everything else, and every miss, goes to Django unchanged. The copies are
keyed by what the layers above PageCacheMiddleware read (host, path, query string, scheme,
gzip), and only when those layers are the ones listed in SAFE_ABOVE, whose answers to a GET
depend on nothing else; otherwise the wrapper turns itself off.
"""

import logging
import threading
import time
from collections import OrderedDict
from types import SimpleNamespace

from django.conf import settings
from django.core import signals
from django.db import connections
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from forge import pagecache

logger = logging.getLogger(__name__)

PAGE_CACHE = "forge.pagecache.PageCacheMiddleware"
# Middleware that may sit above PageCacheMiddleware: for a GET they either pass it through
# (WhiteNoise outside /static/, the login lockout for anything but a login POST) or add the same
# headers for the same host, path and scheme (SecurityMiddleware), so a copy of their final
# answer stays right.
SAFE_ABOVE = {
    "django.middleware.security.SecurityMiddleware",
    "forge.login_throttle.LockedAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
}
# The environ key PageCacheMiddleware sets when its answer is a whole stored page: the page
# version the page was rendered under.
VERSION_KEY = "forge.page_version"
# Requests these headers are sent with are answered by Django (a 412 is rare; not worth a copy).
DELEGATED_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
NOT_MODIFIED = "304 Not Modified"


class HotPage:
    __slots__ = ("version", "expires", "status", "headers", "body", "etag", "last_modified")

    def __init__(self, version, expires, status, headers, body):
        self.version = version
        self.expires = expires
        self.status = status
        self.headers = headers
        self.body = body
        found = {name.lower(): value for name, value in headers}
        self.etag = found.get("etag")
        self.last_modified = parse_http_date_safe(found.get("last-modified", ""))

    def not_modified_headers(self):
        """A 304 carries the page's headers (security headers too) but not its body's, as
        PageCacheMiddleware's does."""
        return [(n, v) for n, v in self.headers if n.lower() not in pagecache.BODY_HEADERS]


class HotPages:
    """The WSGI application, with this process's copies of hot pages in front of it, at most
    settings.PAGE_CACHE_MEMORY_BYTES of them (the least recently used go first; 0: off)."""

    def __init__(self, application):
        self.application = application
        self.pages = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        self.enabled = self.can_serve()

    @staticmethod
    def can_serve():
        if not settings.PAGE_CACHE_MEMORY_BYTES:
            return False
        middleware = list(settings.MIDDLEWARE)
        if PAGE_CACHE not in middleware:
            return False
        unknown = set(middleware[: middleware.index(PAGE_CACHE)]) - SAFE_ABOVE
        if unknown:
            logger.warning("Hot pages off: %s above the page cache", ", ".join(sorted(unknown)))
        return not unknown

    def key(self, environ):
        """What the layers above the page cache and the page cache's own key read, or None when
        the request is not one to answer from memory."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not settings.PAGE_CACHE_SECONDS:
            return None
        path = environ.get("PATH_INFO", "")
        if path.startswith(pagecache.UNCACHED_PREFIXES):
            return None
        if settings.SESSION_COOKIE_NAME in environ.get("HTTP_COOKIE", ""):
            return None  # perhaps signed in: PageCacheMiddleware reads the session
        if any(name in environ for name in DELEGATED_HEADERS):
            return None
        gzip = bool(pagecache.ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")))
        host = (
            environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        )
        return (
            gzip,
            host,
            environ.get("HTTP_X_FORWARDED_HOST"),
            environ.get("HTTP_X_FORWARDED_PORT"),
            environ.get("HTTP_X_FORWARDED_PROTO"),
            environ.get("wsgi.url_scheme"),
            environ.get("SCRIPT_NAME", ""),
            path,
            environ.get("QUERY_STRING", ""),
        )

    def __call__(self, environ, start_response):
        key = self.key(environ) if self.enabled else None
        if key is not None:
            answer = self.serve(key, environ, start_response)
            if answer is not None:
                return answer
        captured = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        response = self.application(environ, capture)
        version = environ.get(VERSION_KEY)
        if (
            key is not None
            and version is not None
            and captured
            and captured[0].startswith("200 ")
            and isinstance(response, HttpResponse)
        ):
            self.keep(key, version, captured[0], list(captured[1]), response.content)
        return response

    def serve(self, key, environ, start_response):
        """The copy's answer, or None when there is no current copy (Django answers)."""
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
        if page is None:
            return None
        try:
            current = self.current_version()
        except Exception:  # the database is down: Django answers and says so
            return None
        if page.version != current or page.expires <= time.monotonic():
            self.drop(key, page)
            return None
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            request = SimpleNamespace(META=environ, method=environ["REQUEST_METHOD"])
            answer = get_conditional_response(
                request, etag=page.etag, last_modified=page.last_modified
            )
            if answer is not None:
                start_response(NOT_MODIFIED, page.not_modified_headers())
                return [b""]
        start_response(page.status, list(page.headers))
        return [page.body]

    def current_version(self):
        """The page version, read without Django's per-request signals: request_started's
        connection health check would cost a second round trip (`SELECT 1`) on every hot page,
        and the receivers themselves a fifth of its CPU. request_finished is still sent when a
        connection failed or outlived CONN_MAX_AGE (always, with CONN_MAX_AGE=0), so that it
        is closed as after any request; a read that fails is left to Django, whose
        request_started replaces the connection."""
        version = pagecache.current_page_version()
        now = time.monotonic()
        if any(
            db.errors_occurred or (db.close_at is not None and now >= db.close_at)
            for db in connections.all(initialized_only=True)
        ):
            signals.request_finished.send(sender=self.__class__)
        return version

    def keep(self, key, version, status, headers, body):
        limit = settings.PAGE_CACHE_MEMORY_BYTES
        if len(body) > limit // 4:  # a sitemap of 50,000 addresses would push out the rest
            return
        page = HotPage(
            version, time.monotonic() + settings.PAGE_CACHE_SECONDS, status, headers, body
        )
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.pages[key] = page
            self.size += len(body)
            while self.size > limit:
                _, evicted = self.pages.popitem(last=False)
                self.size -= len(evicted.body)

    def drop(self, key, page):
        with self.lock:
            if self.pages.get(key) is page:
                del self.pages[key]
                self.size -= len(page.body)

    def clear(self):
        with self.lock:
            self.pages.clear()
            self.size = 0

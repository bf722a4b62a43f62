"""Whole-page cache and HTTP validators for anonymous visitors, never older than the content.

Every stored page carries the *page version* it was rendered under, and is served only while
that is still the current one. The version combines the content version (a token that any
visible change of the library replaces; settings.PAGE_CACHE_CONTENT_VERSION names the function
that reads it, kept by the app in its database) with a fingerprint of the code and the settings
pages show. A change therefore retires every stored page at once, for every app server, and a
cache restored from an old snapshot, evicted or failed over cannot bring a page back: its
version no longer matches what the database says. The same version makes every ETag, so a
browser's copy and the server's copy are retired by the same change.

The cache itself only costs speed when it fails: short timeouts (settings.CACHES), and after a
failure the cache is bypassed for settings.PAGE_CACHE_BYPASS_SECONDS (one log line each time).

Views declare themselves public with @public_page; PageCacheMiddleware stores and serves them.
This module knows no model: it is the project's plumbing, the app supplies the content version.
"""

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime
from functools import cache, wraps
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache as default_cache
from django.core.signals import setting_changed
from django.http import HttpResponse, HttpResponseNotModified, HttpResponsePermanentRedirect
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.encoding import escape_uri_path
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string
from django.views.decorators.http import condition, require_safe

logger = logging.getLogger(__name__)

# A response that varies on anything else is not cached (its key would have to include it):
# anonymous pages do not depend on cookies, and the key says whether gzip was accepted.
HARMLESS_VARY = {"cookie", "accept-encoding"}
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip reads Accept-Encoding
UNCACHED_PREFIXES = ("/admin/", "/static/")
# Whatever changes how a page renders when the database does not: a deploy retires every page.
CODE_DIRS = ("exercises", "forge", "templates", "static")
CODE_SUFFIXES = {".py", ".html", ".md", ".txt", ".xml", ".css", ".js", ".png", ".svg"}
SHOWN_SETTINGS = ("SITE_URL", "SITE_NAME", "CTA_TEXT", "CTA_URL", "STATIC_URL")
# A 304 repeats the stored page's headers (security headers included), not those of its body.
BODY_HEADERS = {"content-length", "content-type", "content-encoding"}


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime | None


# --- The version every stored page and every ETag is checked against --------------------------


@cache
def code_fingerprint():
    """A digest of the code, templates and static files and of the settings pages show."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for directory in CODE_DIRS:
        for path in sorted((base / directory).rglob("*")):
            if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    for name in SHOWN_SETTINGS:
        digest.update(f"{name}={getattr(settings, name)}".encode())
    return digest.hexdigest()


def current_page_version(content=None):
    """The version of everything a page shows: one small query, unless the caller read the
    `content` version along with its own query."""
    if content is None:
        content = import_string(settings.PAGE_CACHE_CONTENT_VERSION)()
    return f"{content}.{code_fingerprint()[:16]}"


def page_version(request, content=None):
    """The page version, read once per request."""
    if not hasattr(request, "_page_version"):
        request._page_version = current_page_version(content)
    return request._page_version


def knows_page_version(request):
    return hasattr(request, "_page_version")


def page_etag(request, content=None):
    """The ETag of the page at this exact address under the current version."""
    key = f"{page_version(request, content)}|{request.get_full_path()}"
    return f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'


# --- Declaring a public page ------------------------------------------------------------------


def public_page(validators_for=None, *, max_age=None, store=True, params=()):
    """Declare a public page: GET and HEAD only, `Cache-Control: public` (revalidated on every
    use unless `max_age` or settings.PUBLIC_MAX_AGE gives a lifetime), kept by the page cache.

    `params` names the query parameters the page reads; any other one (a cache buster, an
    analytics tag) answers 301 to the same address without it, so that only canonical
    addresses are rendered and stored. None: the view puts its query string right itself
    (the browse pages, whose states are their query strings).

    `validators_for(request, *args, **kwargs)` returns Validators, or None when the page the
    validators would describe does not exist (the view then answers 404, 410 or a redirect);
    it answers If-None-Match / If-Modified-Since with 304 before the view runs. A view marks a
    private response (a draft preview) itself; it then gets no public caching. 404 and 410
    answers get a short public lifetime (settings.ERROR_MAX_AGE).
    """

    def decorator(view):
        inner = view
        if validators_for is not None:

            def etag(request, *args, **kwargs):
                found = _validators(validators_for, request, *args, **kwargs)
                return found.etag if found else None

            def last_modified(request, *args, **kwargs):
                found = _validators(validators_for, request, *args, **kwargs)
                return found.last_modified if found else None

            inner = condition(etag_func=etag, last_modified_func=last_modified)(view)

        @require_safe
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if params is not None and any(name not in params for name in request.GET):
                return without_other_params(request, params)
            if validators_for is None and store and settings.PAGE_CACHE_SECONDS:
                page_version(request)  # what the page cache stores this page under
            response = inner(request, *args, **kwargs)
            if response.status_code not in (200, 304):
                # A redirect or an error is not the page the validators describe.
                response.headers.pop("ETag", None)
                response.headers.pop("Last-Modified", None)
                if response.status_code in (404, 410):
                    patch_cache_control(response, public=True, max_age=settings.ERROR_MAX_AGE)
            elif "private" not in response.get("Cache-Control", ""):
                age = settings.PUBLIC_MAX_AGE if max_age is None else max_age
                # Without a lifetime, a stale copy must not be shown either (not even when a
                # cache cannot reach us): every use asks, and the ETag makes that a 304.
                extra = {"must_revalidate": True} if age == 0 else {}
                patch_cache_control(response, public=True, max_age=age, **extra)
            response.public_page = store and getattr(response, "public_page", True)
            return response

        return wrapper

    return decorator


def without_other_params(request, params):
    """A 301 to the address with only the query parameters the page reads."""
    kept = [
        (name, value) for name, value in request.GET.lists() if name in params for value in value
    ]
    query = f"?{urlencode(kept)}" if kept else ""
    return HttpResponsePermanentRedirect(escape_uri_path(request.path) + query)


def _validators(validators_for, request, *args, **kwargs):
    if not hasattr(request, "_page_validators"):
        request._page_validators = validators_for(request, *args, **kwargs)
    return request._page_validators


def keep_out_of_page_cache(response):
    """A public page the page cache must not store (a search: any text makes a new one). It
    keeps its validators and Cache-Control: browsers may still keep it."""
    response.public_page = False
    return response


# --- The page cache ---------------------------------------------------------------------------


def page_key(request):
    """Host, path, query string and whether the page leaves gzipped (GZipMiddleware), hashed
    so that no key grows with what a visitor typed."""
    gzip = "gzip" if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else ""
    query = request.META.get("QUERY_STRING", "")
    address = f"{gzip} {request.get_host()}{request.path}?{query}"
    return "page:" + hashlib.sha256(address.encode()).hexdigest()


def is_signed_in(request):
    """Whether the request's session belongs to a user (read only when there is a session;
    the session store treats a malformed key as no session)."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return session.get(SESSION_KEY) is not None


def is_cacheable_request(request):
    """Anonymous GET and HEAD requests outside the admin; signed-in users see live pages.

    Addresses of any length qualify (keys are hashed): only pages that answer 200 are stored,
    and the views redirect every address that is not a page's canonical one, so what fills the
    cache is bounded by the library's real states (and Redis's maxmemory, docs/deployment.md).
    """
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and not is_signed_in(request)
    )


def is_cacheable_response(response):
    """Only complete, public, successful pages: no redirects, errors, cookies or private data."""
    if not getattr(response, "public_page", False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {h.strip().lower() for h in response.get("Vary", "").split(",") if h.strip()}
    return vary <= HARMLESS_VARY


def freeze(response, version):
    return (version, response.status_code, response.content, list(response.headers.items()))


def thaw(entry):
    _, status, content, headers = entry
    return HttpResponse(content, status=status, headers=dict(headers))


def answer_conditionally(request, response):
    """A stored page still answers If-None-Match / If-Modified-Since with 304, which carries
    the stored page's headers (security headers too) but not those describing its body."""
    etag = response.get("ETag")
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    if etag is None and last_modified is None:
        return response
    answer = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
    if isinstance(answer, HttpResponseNotModified):
        for name, value in response.headers.items():
            if name.lower() not in BODY_HEADERS:
                answer.headers.setdefault(name, value)
    return answer


class CacheBreaker:
    """Skips the cache for a while after it failed, so that a dead or hung cache server costs
    each process one short timeout per interval instead of one per request."""

    def __init__(self):
        self.closed_until = 0.0
        setting_changed.connect(self.reset, weak=False)

    def reset(self, setting=None, **kwargs):
        """Use the cache again at once (another cache configured: tests, a reload)."""
        if setting in (None, "CACHES", "PAGE_CACHE_BYPASS_SECONDS"):
            self.closed_until = 0.0

    def allows(self):
        """Whether to use the cache now: it has not failed in the last few seconds."""
        return time.monotonic() >= self.closed_until

    def failed(self, action, request, error):
        seconds = settings.PAGE_CACHE_BYPASS_SECONDS
        self.closed_until = time.monotonic() + seconds
        logger.warning(
            "Page cache unavailable (%s %s: %s: %s); bypassing it for %s s",
            action,
            request.path,
            type(error).__name__,
            error,
            seconds,
        )


class PageCacheMiddleware:
    """Serve stored public pages before the rest of the stack runs; store fresh ones.

    Placed right after WhiteNoise, so that a stored page costs what a static file does, plus
    one cache round trip and, when a page is found, one read of the content version. What the
    middleware below added to a response (security headers, Content-Length) is stored with it,
    byte for byte, and a stored ETag or Last-Modified still answers conditional requests.
    """

    breaker = CacheBreaker()  # one per process, shared by every request it serves

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.PAGE_CACHE_SECONDS
        if not timeout or not is_cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        use_cache = self.breaker.allows()
        entry = None
        if use_cache:
            try:
                entry = default_cache.get(key)
            except Exception as error:
                self.breaker.failed("reading", request, error)
                use_cache = False
        if entry is not None:
            try:
                current = page_version(request)
            except Exception as error:  # the database is down: the page says so, below
                logger.warning("No content version for %s (%s)", request.path, error)
                return self.get_response(request)
            if entry[0] == current:
                response = answer_conditionally(request, thaw(entry))
                if response.status_code == 200:
                    mark_whole_page(request, current)
                return response
        response = self.get_response(request)
        # Stored under the version read before the page was rendered (by @public_page or the
        # page's validators): if content changed meanwhile, the next request renders again.
        if is_cacheable_response(response) and knows_page_version(request):
            version = page_version(request)
            mark_whole_page(request, version)
            if use_cache and self.breaker.allows():
                try:
                    default_cache.set(key, freeze(response, version), timeout)
                except Exception as error:
                    self.breaker.failed("storing", request, error)
        return response


def mark_whole_page(request, version):
    """Tell forge.hotpages that this answer is the whole page, current under `version`: it may
    keep the bytes that leave Django (also while the shared cache is unavailable, since the
    version comes from the database)."""
    request.environ["forge.page_version"] = version

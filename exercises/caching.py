"""Whole-page cache for anonymous visitors that never serves a page older than the content.

Every cached page is stored with the content *generation* it was rendered under: a random token
in the cache that any save or delete of library content replaces. A change therefore retires
every cached page at once, for every app server sharing the cache (Redis), without knowing
which pages showed the changed row; a retired page is rendered again on its next request.

Views mark their responses with @cache_public_page; PageCacheMiddleware stores and serves them.
"""

import hashlib
import logging
import re
import uuid
from functools import wraps
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from .models import (
    FAQ,
    BodyPart,
    Category,
    CommonMistake,
    Difficulty,
    Equipment,
    Exercise,
    ExerciseSecondaryMuscle,
    ExerciseSlug,
    Muscle,
    ProTip,
    Step,
)

logger = logging.getLogger(__name__)

GENERATION_KEY = "content-generation"
# Every model whose rows appear on a public page (an old slug decides between 301, 410 and 404).
CONTENT_MODELS = (
    Exercise,
    Step,
    ProTip,
    CommonMistake,
    FAQ,
    ExerciseSecondaryMuscle,
    ExerciseSlug,
    BodyPart,
    Muscle,
    Equipment,
    Category,
    Difficulty,
)
# A response that varies on anything else is not cached (its key would have to include it):
# anonymous pages do not depend on cookies, and the key says whether gzip was accepted.
HARMLESS_VARY = {"cookie", "accept-encoding"}
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip reads Accept-Encoding
MAX_QUERY_STRING = 512
UNCACHED_PREFIXES = ("/admin/", "/static/")


def content_generation():
    """The current generation token, created on first use (or after the cache lost it)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        # add() keeps a token another process created in the meantime.
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY, generation)
    return generation


def new_generation():
    """Retire every cached page. A random token never repeats, even if the cache was emptied."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def content_changed(using=None):
    """Record a content change: call it after writes that send no signals (bulk_create, update).

    The generation changes now, so that pages rendered later in this transaction (and in tests)
    show the change, and again after the commit, so that a page another process rendered from
    the old rows in between is dropped too.
    """
    new_generation()
    transaction.on_commit(new_generation, using=using, robust=True)


def _on_content_change(sender, using=None, **kwargs):
    content_changed(using)


for _model in CONTENT_MODELS:
    post_save.connect(_on_content_change, sender=_model, dispatch_uid=f"content-save-{_model}")
    post_delete.connect(_on_content_change, sender=_model, dispatch_uid=f"content-del-{_model}")
m2m_changed.connect(
    _on_content_change, sender=Exercise.secondary_muscles.through, dispatch_uid="content-m2m"
)


def page_key(request):
    """Host, path, query string and whether the page leaves gzipped (GZipMiddleware), hashed
    so that no key grows with what a visitor typed."""
    gzip = "gzip" if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else ""
    query = request.META.get("QUERY_STRING", "")
    address = f"{gzip} {request.get_host()}{request.path}?{query}"
    return "page:" + hashlib.sha256(address.encode()).hexdigest()


def is_signed_in(request):
    """Whether the request's session belongs to a user (read only when there is a session)."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return session.get(SESSION_KEY) is not None


def is_cacheable_request(request):
    """Anonymous GET and HEAD requests of a bounded address; signed-in users see live pages."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_STRING
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


def freeze(response, generation):
    return (generation, response.status_code, response.content, list(response.headers.items()))


def thaw(entry):
    _, status, content, headers = entry
    return HttpResponse(content, status=status, headers=dict(headers))


def answer_conditionally(request, response):
    """A stored page still answers If-None-Match / If-Modified-Since with 304."""
    etag = response.get("ETag")
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    if etag is None and last_modified is None:
        return response
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )


def cache_public_page(view):
    """Mark the view's responses as public pages, which PageCacheMiddleware may store."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = True
        return response

    return wrapper


class PageCacheMiddleware:
    """Serve stored public pages before the rest of the stack runs; store fresh ones.

    Placed right after WhiteNoise, so that a stored page costs what a static file does, plus
    one cache round trip: the page and the current generation are read together, and a page
    stored under an older generation is rendered again. What the middleware below added to
    a response (security headers, Content-Length) is stored with it, byte for byte, and a
    stored ETag or Last-Modified still answers conditional requests. The cache being down
    only costs speed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.PAGE_CACHE_SECONDS
        if not timeout or not is_cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        try:
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY) or content_generation()
        except Exception:
            logger.exception("Page cache unavailable; rendering %s", request.path)
            return self.get_response(request)
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            return answer_conditionally(request, thaw(entry))
        response = self.get_response(request)
        if is_cacheable_response(response):
            try:
                # Stored under the generation read before rendering: if content changed
                # meanwhile, the next request sees an older generation and renders again.
                cache.set(key, freeze(response, generation), timeout)
            except Exception:
                logger.exception("Could not cache %s", request.path)
        return response

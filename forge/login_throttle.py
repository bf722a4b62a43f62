"""Admin login throttling: django-axes' database handler with a limit per user name and address
(AXES_FAILURE_LIMIT) and a higher one per address, whatever the names (LOGIN_ADDRESS_FAILURE_LIMIT).

Axes compares every lockout parameter against one limit. With one low limit for both, five
mistakes by one trainer would lock out a whole office behind one address; with only the pair,
a flood of wrong passwords under random user names never reaches a lockout, and each attempt
runs the password hasher (~0.3 s of CPU). Once either limit is reached, axes refuses the
attempt before any password is checked (AxesStandaloneBackend comes first in
AUTHENTICATION_BACKENDS), so a flood costs a database lookup per request, not a hash.

Even refused, an attempt costs axes' bookkeeping (about 11 queries) and the admin's session and
template work: ten clients flooding the login take most of the workers from the public pages.
So an address found locked is remembered in the cache, and LockedAddressMiddleware, just below
SecurityMiddleware, answers its next login POSTs before the rest of the stack runs: one cache
round trip and a page built once per process, which costs no more than a cached page does (a
visitor's share of the workers is about c / (c + r): c a cached page's cost, r a refusal's).
Once the cache has said an address is refused, each process also keeps that in memory for
LOCKOUT_MEMORY_SECONDS, so a flood's refusals cost no round trip at all (Redis client work was
about half of a refusal's time in Django); another app server's reset (axes_reset) is seen
within that time. Without the cache, attempts take axes' full path, as before.
"""

import contextlib
import logging
import time
from types import SimpleNamespace

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_failure_limit
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db.models import Sum
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.csp import CSP, build_policy

from forge.middleware import permissions_policy
from forge.pagecache import PageCacheMiddleware

logger = logging.getLogger(__name__)


class LoginThrottle(AxesDatabaseHandler):
    """Lock out a user name from an address after AXES_FAILURE_LIMIT failures, and an address
    after LOGIN_ADDRESS_FAILURE_LIMIT failures for any names (AXES_HANDLER)."""

    def get_failures(self, request, credentials=None):
        # One queryset per AXES_LOCKOUT_PARAMETERS entry, in its order: the pair, the address.
        pair, address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        request.login_address_locked = address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT or getattr(
            request, "login_remembered_locked", False
        )
        if request.login_address_locked:
            remember_locked(request.axes_ip_address)
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def post_delete_access_attempt(self, instance, **kwargs):
        """A reset (axes_reset, axes_reset_ip, the admin) lifts the remembered lockout too.
        Forgetting is always safe: a still-locked address is found so again on its next try."""
        forget_locked(instance.ip_address)


# Refusals an app server answers from its own memory before asking the cache again. Short: a
# reset on another server, and each refusal starting the wait again, are that much late.
LOCKOUT_MEMORY_SECONDS = 1.0
# The most addresses one process keeps in memory (a flood from many addresses): past this, the
# expired ones are dropped, then all of them (they are only a shortcut to the cache).
LOCKOUT_MEMORY_SIZE = 10_000
_refusing_until = {}  # address -> time.time() until which its login POSTs are refused here


def lockout_key(address):
    return f"login-locked:{address}"


def _cool_off():
    return settings.AXES_COOLOFF_TIME.total_seconds()


def remember_locked(address):
    """Note that `address` is locked out (axes has just found it so in the database) until its
    cool-off ends. The value is when axes last counted an attempt from it."""
    # Without the cache every attempt takes axes' full path.
    with contextlib.suppress(Exception):
        if cache.add(lockout_key(address), time.time(), _cool_off()):
            # Once per lockout: the refusals that follow are not logged one by one.
            logger.warning(
                "Logins from %s refused for %s: too many failed attempts from this address",
                address,
                settings.AXES_COOLOFF_TIME,
            )
        else:
            cache.set(lockout_key(address), time.time(), _cool_off())


def forget_locked(address):
    _refusing_until.pop(address, None)
    with contextlib.suppress(Exception):
        cache.delete(lockout_key(address))


def refused_in_memory(address):
    """Whether this process saw the cache refuse `address` less than LOCKOUT_MEMORY_SECONDS ago."""
    until = _refusing_until.get(address)
    if until is None:
        return False
    if time.time() < until:
        return True
    _refusing_until.pop(address, None)
    return False


def refuse_in_memory(address, counted):
    """Keep refusing `address` here for a moment, but never past the half cool-off after which
    one attempt must take axes' path (remembered_lockout)."""
    if len(_refusing_until) >= LOCKOUT_MEMORY_SIZE:
        now = time.time()
        for other, until in _refusing_until.copy().items():  # other threads may add meanwhile
            if until <= now:
                _refusing_until.pop(other, None)
        if len(_refusing_until) >= LOCKOUT_MEMORY_SIZE:
            _refusing_until.clear()
    _refusing_until[address] = min(time.time() + LOCKOUT_MEMORY_SECONDS, counted + _cool_off() / 2)


def remembered_lockout(address):
    """None if `address` is not remembered locked out; else whether its attempt may be refused
    here at once (True), which starts its wait again, as the lockout page says. Once half the
    cool-off has passed since axes last counted an attempt from it, one attempt takes axes' full
    path (False), counted there as locked: axes' own record of the lockout stays current, and
    its clean-up never removes a lockout still in force."""
    counted = read_and_extend(lockout_key(address), _cool_off())
    if counted is None:
        return None
    if time.time() - counted > _cool_off() / 2:
        return False
    refuse_in_memory(address, counted)
    return True


def read_and_extend(key, timeout):
    """The value stored under `key` (None if there is none), its lifetime started again: one
    round trip on Redis (GETEX, Redis 6.2+), a read and a touch on the other backends."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        # Django's cache API has no get-and-touch: its own client, key and serializer.
        key = backend.make_and_validate_key(key)
        stored = backend._cache.get_client(key, write=True).getex(key, ex=int(timeout))
        return None if stored is None else backend._cache._serializer.loads(stored)
    value = backend.get(key)
    if value is not None:
        backend.touch(key, timeout)
    return value


class LockedAddressMiddleware:
    """Answer a login POST from an address remembered locked out with status 429, before
    sessions, CSRF, auth and axes run: without a query or a password check. Placed just below
    SecurityMiddleware (whose headers the answer gets as any page does); the answer is built
    once per process with the other headers a page gets (CSP, Permissions-Policy,
    X-Frame-Options), so that a refusal costs what a cached page does."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.login_path = None  # resolved on first use: the URLconf may not be loaded yet
        self.refusal = None  # (body, headers), built on first use, as are templates

    def __call__(self, request):
        if request.method == "POST" and self.is_login(request):
            address = get_client_ip_address(request)
            if address and refused_in_memory(address):
                request.META[REFUSED_IN_MEMORY] = True  # RefusedLogins may keep the answer
                return self.refuse()
            breaker = PageCacheMiddleware.breaker  # the same cache server as the pages
            if address and breaker.allows():
                try:
                    refuse = remembered_lockout(address)
                except Exception as error:  # the cache is down: axes decides, as before
                    breaker.failed("login lockout", request, error)
                    refuse = None
                if refuse:
                    return self.refuse()
                request.login_remembered_locked = refuse is not None
        return self.get_response(request)

    def is_login(self, request):
        if self.login_path is None:
            self.login_path = reverse("admin:login")
        return request.path_info == self.login_path

    def refuse(self):
        if self.refusal is None:
            self.refusal = build_refusal(self.login_path)
        body, headers = self.refusal
        response = HttpResponse(body, status=429, headers=headers)
        # Not logged as a 4xx each time (django.request): remember_locked logs the lockout once.
        response._has_been_logged = True
        return response


# The WSGI environ key LockedAddressMiddleware sets on a refusal answered from this process's
# memory: the answer RefusedLogins may replay.
REFUSED_IN_MEMORY = "forge.login_refused_in_memory"


class RefusedLogins:
    """The WSGI application, answering login POSTs from addresses this process refuses from
    memory (refused_in_memory) before Django runs: a flood's refusals then cost what a hot page
    does, not a Django request. The answer is LockedAddressMiddleware's own 429, as Django
    sent it once in this process with every header the layers above it added (it depends on
    nothing in the request); until then, and for any other request, Django answers."""

    def __init__(self, application):
        self.application = application
        self.answer = None  # (status, headers, body) of the first refusal from memory
        self.login_path = None

    def __call__(self, environ, start_response):
        if (
            self.answer is not None
            and environ.get("REQUEST_METHOD") == "POST"
            and environ.get("PATH_INFO") == self.login_path
        ):
            address = get_client_ip_address(SimpleNamespace(META=environ))
            if address and refused_in_memory(address):
                status, headers, body = self.answer
                start_response(status, list(headers))
                return [body]
        if self.answer is not None or environ.get("REQUEST_METHOD") != "POST":
            return self.application(environ, start_response)
        return self.keep_refusal(environ, start_response)

    def keep_refusal(self, environ, start_response):
        """Django's answer, kept when it is a refusal from memory."""
        started = {}

        def capture(status, headers, exc_info=None):
            started.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self.application(environ, capture)
        if not environ.get(REFUSED_IN_MEMORY) or not started["status"].startswith("429"):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.login_path = environ.get("PATH_INFO")
        self.answer = (started["status"], list(started["headers"]), content)
        return [content]


def build_refusal(login_path):
    """The body and headers of LockedAddressMiddleware's 429: a page without inline script or
    style, under the public pages' strict CSP (no nonce, so it can be built once)."""
    minutes = round(_cool_off() / 60)
    body = render_to_string(
        "admin/address_locked.html", {"minutes": minutes, "login_url": login_path}
    ).encode()
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Length": str(len(body)),
        "Retry-After": str(int(_cool_off())),
        "Cache-Control": "no-store",
        "X-Frame-Options": settings.X_FRAME_OPTIONS,
    }
    for header, config in (
        (CSP.HEADER_ENFORCE, settings.SECURE_CSP),
        (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY),
    ):
        if config:
            headers[str(header)] = build_policy(config)
    if policy := permissions_policy():
        headers["Permissions-Policy"] = policy
    return body, headers

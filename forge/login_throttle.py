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
So an address found locked is remembered in the cache, and LockedAddressMiddleware answers its
next login POSTs with the same lockout page before sessions, CSRF, auth or axes run: one cache
read and one write, no query. Without the cache, attempts take axes' full path, as before.
"""

import contextlib
import time

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_failure_limit
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Sum
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.urls import reverse

from forge.pagecache import PageCacheMiddleware


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


def _key(address):
    return f"login-locked:{address}"


def _cool_off():
    return settings.AXES_COOLOFF_TIME.total_seconds()


def remember_locked(address):
    """Note that `address` is locked out (axes has just found it so in the database) until its
    cool-off ends. The value is when axes last counted an attempt from it."""
    # Without the cache every attempt takes axes' full path.
    with contextlib.suppress(Exception):
        cache.set(_key(address), time.time(), _cool_off())


def forget_locked(address):
    with contextlib.suppress(Exception):
        cache.delete(_key(address))


def remembered_lockout(address):
    """None if `address` is not remembered locked out; else whether its attempt may be refused
    here at once (True), which starts its wait again, as the lockout page says. Once half the
    cool-off has passed since axes last counted an attempt from it, one attempt takes axes' full
    path (False), counted there as locked: axes' own record of the lockout stays current, and
    its clean-up never removes a lockout still in force."""
    counted = cache.get(_key(address))
    if counted is None:
        return None
    if time.time() - counted > _cool_off() / 2:
        return False
    cache.touch(_key(address), _cool_off())
    return True


class LockedAddressMiddleware:
    """Answer a login POST from an address remembered locked out with the lockout page axes
    would show (status 429), before sessions, CSRF, auth and axes run: without a query or a
    password check. Placed just above SessionMiddleware, so that the security headers of the
    middleware above are on the page as on any other; X-Frame-Options is added here."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.login_path = None  # resolved on first use: the URLconf may not be loaded yet

    def __call__(self, request):
        if request.method == "POST" and self.is_login(request):
            address = get_client_ip_address(request)
            breaker = PageCacheMiddleware.breaker  # the same cache server as the pages
            if address and breaker.allows():
                try:
                    refuse = remembered_lockout(address)
                except Exception as error:  # the cache is down: axes decides, as before
                    breaker.failed("login lockout", request, error)
                    refuse = None
                if refuse:
                    return self.lockout(request)
                request.login_remembered_locked = refuse is not None
        return self.get_response(request)

    def is_login(self, request):
        if self.login_path is None:
            self.login_path = reverse("admin:login")
        return request.path_info == self.login_path

    def lockout(self, request):
        # Imported here: the admin module imports models, not ready when middleware loads.
        from exercises.admin import login_lockout

        request.user = AnonymousUser()  # no session is read: the page is for a signed-out visitor
        request.login_address_locked = True
        return XFrameOptionsMiddleware(lambda request: login_lockout(request, None, None))(request)

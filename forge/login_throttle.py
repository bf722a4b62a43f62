"""Admin login throttling: django-axes' database handler with a limit per user name and address
(AXES_FAILURE_LIMIT) and a higher one per address, whatever the names (LOGIN_ADDRESS_FAILURE_LIMIT).

Axes compares every lockout parameter against one limit. With one low limit for both, five
mistakes by one trainer would lock out a whole office behind one address; with only the pair,
a flood of wrong passwords under random user names never reaches a lockout, and each attempt
runs the password hasher (~0.3 s of CPU). Once either limit is reached, axes refuses the
attempt before any password is checked (AxesStandaloneBackend comes first in
AUTHENTICATION_BACKENDS), so a flood costs a database lookup per request, not a hash.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


class LoginThrottle(AxesDatabaseHandler):
    """Lock out a user name from an address after AXES_FAILURE_LIMIT failures, and an address
    after LOGIN_ADDRESS_FAILURE_LIMIT failures for any names (AXES_HANDLER)."""

    def get_failures(self, request, credentials=None):
        # One queryset per AXES_LOCKOUT_PARAMETERS entry, in its order: the pair, the address.
        pair, address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        request.login_address_locked = address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if request.login_address_locked:
            return max(pair, get_failure_limit(request, credentials))
        return pair

"""Database sessions that never hand a malformed session key to the database.

A session cookie is whatever the client sends: with a NUL byte in it, PostgreSQL refuses the
lookup and every page would answer 500. Django's own keys are 32 lower-case letters and
digits; anything else is treated as no session (the visitor is anonymous).
"""

import re

from django.contrib.sessions.backends import db

SESSION_KEY_FORMAT = re.compile(r"[a-z0-9]{8,64}")


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return bool(key) and SESSION_KEY_FORMAT.fullmatch(key) is not None

"""Requests through a WSGI application as gunicorn calls it (forge.wsgi's layers in front of
Django), for the tests of what answers before Django runs."""

from wsgiref.util import setup_testing_defaults

from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections


class Counting:
    """A WSGI application (Django's by default) that counts the requests it is given."""

    def __init__(self, application=None):
        self.application = application or WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.application(environ, start_response)


def call(application, environ):
    """`application`'s answer to `environ` (the rest of it as a WSGI server sets it):
    (status line, headers, body)."""
    setup_testing_defaults(environ)
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=headers)

    # As Django's test client does: a request must not close the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        body = application(environ, start_response)
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return started["status"], dict(started["headers"]), content

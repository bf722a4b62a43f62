"""Middleware of the whole site: one address per page, and the headers every response gets."""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.encoding import escape_uri_path

# Django's admin and static files keep their own URL conventions (trailing slashes).
UNTOUCHED_PREFIXES = ("/admin/", "/static/")


class CanonicalPathMiddleware:
    """Answer 301 from /Exercises/Back/ to /exercises/back: one address per public page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if not path.startswith(UNTOUCHED_PREFIXES):
            # Leading slashes collapse too: "//evil.example" must never become a Location that
            # browsers read as another host.
            canonical = "/" + path.lower().strip("/")
            if canonical != path:
                query = request.META.get("QUERY_STRING", "")
                location = escape_uri_path(canonical) + (f"?{query}" if query else "")
                return HttpResponsePermanentRedirect(location)
        return self.get_response(request)


def permissions_policy():
    """The Permissions-Policy header's value for settings.PERMISSIONS_POLICY ("" for none)."""
    return ", ".join(
        f"{feature}=({' '.join(allowlist)})"
        for feature, allowlist in settings.PERMISSIONS_POLICY.items()
    )


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY, which Django has no setting for, on every response.

    The site uses no camera, microphone, location or other powerful feature, so it switches
    them off for itself and for anything that might ever be embedded in it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy()

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class AdminContentSecurityPolicyMiddleware:
    """Give the admin settings.ADMIN_CSP instead of the public pages' SECURE_CSP.

    Django's admin marks its own inline <style> and scripts with CSP nonces; the admin is never
    cached, so a fresh nonce per response is harmless there (unlike on the public pages).
    Must come after ContentSecurityPolicyMiddleware, which reads the override it sets.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith(reverse("admin:index"))
        if admin and not hasattr(response, "_csp_config"):  # a view's csp_override wins
            response._csp_config = settings.ADMIN_CSP
        return response

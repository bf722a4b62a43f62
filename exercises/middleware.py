from django.http import HttpResponsePermanentRedirect
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
            canonical = path.lower()
            if len(canonical) > 1:
                canonical = canonical.rstrip("/") or "/"
            if canonical != path:
                query = request.META.get("QUERY_STRING", "")
                location = escape_uri_path(canonical) + (f"?{query}" if query else "")
                return HttpResponsePermanentRedirect(location)
        return self.get_response(request)

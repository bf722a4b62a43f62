"""Uploaded media served by Django in development (production: the proxy, docs/deployment.md)."""

from django.conf import settings
from django.views.static import serve as static_serve

# Names carry a content hash: a file at an address never changes.
IMMUTABLE = "public, max-age=31536000, immutable"


def serve(request, path):
    """A file of MEDIA_ROOT with the headers the proxy sends in production: cached forever,
    and sandboxed should anything but an image or a video ever be opened from here."""
    response = static_serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = IMMUTABLE
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""Template helpers for what crawlers and link previews read: JSON-LD and absolute URLs."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import mark_safe

from ..jsonld import to_script

register = template.Library()


@register.filter
def json_ld(data):
    """JSON for a <script type="application/ld+json"> block; `<`, `>` and `&` are escaped."""
    return mark_safe(to_script(data))


@register.simple_tag
def absolute_static(path):
    """A static file's absolute URL (Open Graph images must be absolute)."""
    url = static(path)
    return url if url.startswith(("https://", "http://")) else f"{settings.SITE_URL}{url}"

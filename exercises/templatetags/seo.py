"""Template helpers for what crawlers and link previews read: JSON-LD and absolute URLs."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import escape
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


@register.simple_tag
def sitemap_urls(urlset):
    """A sitemap section's <url> entries, one a line, written here rather than in a template
    loop: a section lists up to 50,000, and the loop cost ~10 µs an address. The lastmod is
    written as `|date:"c"` would (ISO 8601 in the current time zone); each address's images
    (`images`, absolute URLs) follow it."""
    lines = []
    for url in urlset:
        lastmod = url["lastmod"]
        lastmod = f"<lastmod>{timezone.localtime(lastmod).isoformat()}</lastmod>" if lastmod else ""
        images = "".join(
            f"<image:image><image:loc>{escape(image)}</image:loc></image:image>"
            for image in url.get("images", ())
        )
        lines.append(f"<url><loc>{escape(url['location'])}</loc>{lastmod}{images}</url>\n")
    return mark_safe("".join(lines))

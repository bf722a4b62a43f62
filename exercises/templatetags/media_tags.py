"""Template helpers for the exercise media (images and videos)."""

from django import template

register = template.Library()

# Characters that would end a Markdown link destination or break it.
URL_ESCAPES = {ord("("): "%28", ord(")"): "%29", ord(" "): "%20", ord("<"): "%3C", ord(">"): "%3E"}


@register.filter
def md_url(value):
    """A URL that is safe as a Markdown link destination."""
    return str(value).translate(URL_ESCAPES)

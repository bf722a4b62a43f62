"""Template tags of the admin's curation screens."""

from django import template

from ..admin_completeness import library_gaps as gaps

register = template.Library()


@register.simple_tag
def library_gaps():
    """What the library lacks, for the admin index (see admin_completeness.library_gaps)."""
    return gaps()

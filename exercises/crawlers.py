"""What crawlers read besides the pages: robots.txt and llms.txt."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .models import FACETS, BodyPart, Equipment, Exercise
from .sitemaps import combinations_with_exercises, hubs_with_exercises
from .wording import combination_heading, library_summary

TEXT = "text/plain; charset=utf-8"
# A slug no page has, to split a reversed address around.
PLACEHOLDER = "slug-placeholder-0"


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    return render(request, "robots.txt", content_type=TEXT)


@require_safe
def llms_txt(request):
    """The library for language models (llmstxt.org): every hub's Markdown copy, a section
    per facet in the sidebar's order."""
    sections = {}
    for model in FACETS:
        address = addresses(model.hub_url_name + "_markdown")
        hubs = list(hubs_with_exercises(model))
        for hub in hubs:
            hub.markdown_url = address(hub.slug)
        sections[model.plural] = hubs
    combination_address = addresses("exercises:combination_markdown", slugs=2)
    combinations = [
        {
            "name": combination_heading(
                BodyPart(name=pair["body_part__name"]),
                Equipment(name=pair["equipment__name"], slug=pair["equipment__slug"]),
            ),
            "url": combination_address(pair["body_part__slug"], pair["equipment__slug"]),
            "count": pair["count"],
        }
        for pair in combinations_with_exercises()
    ]
    coverage = Exercise.objects.published().coverage()
    context = {
        "exercise_count": coverage["total"],
        "library_summary": library_summary(coverage),
        "sections": sections,
        "combinations": combinations,
    }
    return render(request, "llms.txt", context, content_type=TEXT)


def addresses(url_name, slugs=1):
    """A function of `slugs` slugs giving the named page's path, from one reverse() instead
    of one per page (canonical slugs need no quoting)."""
    pattern = reverse(url_name, args=[PLACEHOLDER] * slugs)
    parts = pattern.split(PLACEHOLDER)

    def address(*slugs):
        return "".join(part + slug for part, slug in zip(parts, slugs, strict=False)) + parts[-1]

    return address

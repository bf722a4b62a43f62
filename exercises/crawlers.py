"""What crawlers read besides the pages: robots.txt and llms.txt."""

from typing import NamedTuple

from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import shared_counts
from .browse import MIN_COMBINATION_SIZE
from .caching import content_version
from .models import FACETS, BodyPart, Equipment, Exercise
from .paths import Addresses
from .wording import combination_heading, library_summary

TEXT = "text/plain; charset=utf-8"


class Hub(NamedTuple):
    """One line of llms.txt: a hub's heading, its Markdown copy's path, its exercise count."""

    heading: str
    markdown_url: str
    count: int


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    return render(request, "robots.txt", content_type=TEXT)


@require_safe
def llms_txt(request):
    """The library for language models (llmstxt.org): every hub's Markdown copy, a section
    per facet in the sidebar's order.

    Its counts are the library's own (shared_counts: the facet counts, the combination hubs
    and the coverage every browse page reads, kept in each process under the content
    version), so it costs no query of its own once a browse page has been rendered."""
    version, using = content_version(), Exercise.objects.published().db
    address = Addresses()
    sections = {}
    for model in FACETS:
        sections[model.plural] = [
            Hub(value.heading, address(model.hub_url_name + "_markdown", value.slug), value.count)
            for value in shared_counts.unfiltered_facet_values(version, using, model.facet)
            if value.count
        ]
    taxonomy = shared_counts.facet_values(version, using)
    body_parts = {value.slug: value for value in taxonomy[BodyPart.facet]}
    equipment = {value.slug: value for value in taxonomy[Equipment.facet]}
    combinations = [
        Hub(
            combination_heading(body_parts[body_part], equipment[kit]),
            address("exercises:combination_markdown", body_part, kit),
            count,
        )
        for (body_part, kit), count in sorted(
            shared_counts.combinations(version, using, MIN_COMBINATION_SIZE).items()
        )
        # The catch-all equipment's combinations are not indexed (Browse.indexable).
        if kit != Equipment.CATCH_ALL_SLUG
    ]
    coverage = shared_counts.coverage(version, using)[None]
    context = {
        "exercise_count": coverage["total"],
        "library_summary": library_summary(coverage),
        "sections": sections,
        "combinations": combinations,
    }
    return render(request, "llms.txt", context, content_type=TEXT)

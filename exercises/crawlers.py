"""What crawlers read besides the pages: robots.txt and llms.txt."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .models import FACETS, BodyPart, Equipment, Exercise
from .sitemaps import combinations_with_exercises, hubs_with_exercises
from .wording import combination_heading, library_summary

TEXT = "text/plain; charset=utf-8"


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    return render(request, "robots.txt", content_type=TEXT)


@require_safe
def llms_txt(request):
    """The library for language models (llmstxt.org): every hub's Markdown copy, a section
    per facet in the sidebar's order."""
    sections = {model.plural: list(hubs_with_exercises(model)) for model in FACETS}
    combinations = [
        {
            "name": combination_heading(
                BodyPart(name=pair["body_part__name"]),
                Equipment(name=pair["equipment__name"], slug=pair["equipment__slug"]),
            ),
            "url": reverse(
                "exercises:combination_markdown",
                args=[pair["body_part__slug"], pair["equipment__slug"]],
            ),
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

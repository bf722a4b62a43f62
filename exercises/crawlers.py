"""What crawlers read besides the pages: robots.txt and llms.txt."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .models import FACETS, Exercise
from .sitemaps import combinations_with_exercises, hubs_with_exercises

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
            "name": f"{pair['body_part__name']} with {pair['equipment__name']}",
            "url": reverse(
                "exercises:combination_markdown",
                args=[pair["body_part__slug"], pair["equipment__slug"]],
            ),
            "count": pair["count"],
        }
        for pair in combinations_with_exercises()
    ]
    context = {
        "exercise_count": Exercise.objects.published().count(),
        "sections": sections,
        "combinations": combinations,
    }
    response = render(request, "llms.txt", context, content_type=TEXT)
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_MAX_AGE}"
    return response

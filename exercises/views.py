"""Public pages: the library, its hubs, exercise pages, and a Markdown copy of each."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .browse import Browse, markdown_path
from .caching import cache_public_page
from .filters import SORTS
from .models import BodyPart, Difficulty, Exercise, ExerciseSlug

MARKDOWN = "text/markdown; charset=utf-8"


def render_page(request, template, context, *, markdown=False, status=200, canonical=None):
    """Render the HTML page or its Markdown copy (same context, `.md` template)."""
    if markdown:
        response = render(request, f"{template}.md", context, content_type=MARKDOWN, status=status)
        if canonical:
            response["Link"] = f'<{settings.SITE_URL}{canonical}>; rel="canonical"'
        return response
    return render(request, f"{template}.html", context, status=status)


def browse_page(request, fixed=None, *, markdown=False, combination=False):
    browse = Browse(request.GET, fixed, combination=combination)
    target = browse.redirect_to(request.path, markdown)
    if target:
        return redirect(target, permanent=True)
    context = {
        "browse": browse,
        "sorts": SORTS,
        "breadcrumbs": browse.breadcrumbs,
        "canonical_path": browse.page_url,
    }
    if markdown:
        context["exercises"] = browse.all_results()
    else:
        context["page_obj"] = browse.paginate()
    return render_page(
        request, "exercises/exercise_list", context, markdown=markdown, canonical=browse.url
    )


@cache_public_page
@require_safe
def library(request, markdown=False):
    return browse_page(request, markdown=markdown)


@cache_public_page
@require_safe
def body_part_or_difficulty_hub(request, slug, markdown=False):
    # Body parts and difficulties share /exercises/<slug>; validation keeps their slugs apart.
    if BodyPart.objects.filter(slug=slug).exists():
        facet = "body_part"
    elif Difficulty.objects.filter(slug=slug).exists():
        facet = "difficulty"
    else:
        raise Http404("No such hub.")
    return browse_page(request, {facet: slug}, markdown=markdown)


@cache_public_page
@require_safe
def equipment_hub(request, slug, markdown=False):
    return browse_page(request, {"equipment": slug}, markdown=markdown)


@cache_public_page
@require_safe
def muscle_hub(request, slug, markdown=False):
    return browse_page(request, {"muscle": slug}, markdown=markdown)


@cache_public_page
@require_safe
def category_hub(request, slug, markdown=False):
    return browse_page(request, {"category": slug}, markdown=markdown)


@cache_public_page
@require_safe
def combination_hub(request, body_part, equipment, markdown=False):
    fixed = {"body_part": body_part, "equipment": equipment}
    return browse_page(request, fixed, markdown=markdown, combination=True)


def can_preview(user):
    """Staff who may see exercises in the admin may preview drafts on the site."""
    return user.is_active and user.is_staff and user.has_perm("exercises.view_exercise")


@cache_public_page
@require_safe
def exercise_detail(request, slug, markdown=False):
    exercise = Exercise.objects.for_detail().filter(slug=slug).first()
    if exercise is None:
        return moved_or_gone(request, slug, markdown)
    if not exercise.is_published and not can_preview(request.user):
        raise Http404("No such exercise.")
    related = Exercise.objects.published().for_listing().related_to(exercise)[:6]
    context = {
        "exercise": exercise,
        "related": related,
        "faqs": exercise.all_faqs(),
        "canonical_path": exercise.get_absolute_url(),
        "breadcrumbs": [
            ("Exercises", reverse("exercises:library")),
            (exercise.body_part.name, exercise.body_part.get_absolute_url()),
            (exercise.name, None),
        ],
    }
    return render_page(
        request,
        "exercises/exercise_detail",
        context,
        markdown=markdown,
        canonical=exercise.get_absolute_url(),
    )


def moved_or_gone(request, slug, markdown):
    """An old address redirects to the exercise's current one; a deleted one is 410 Gone."""
    old = ExerciseSlug.objects.select_related("exercise").filter(slug=slug).first()
    if old is None:
        raise Http404("No such exercise.")
    exercise = old.exercise
    if exercise is None:
        return render(request, "410.html", status=410)
    if not exercise.is_published and not can_preview(request.user):
        raise Http404("No such exercise.")
    url = exercise.get_absolute_url()
    return redirect(markdown_path(url) if markdown else url, permanent=True)


def page_not_found(request, exception):
    """A 404 that helps: a search box and the body-part hubs."""
    context = {"body_parts": BodyPart.objects.all()}
    return render(request, "404.html", context, status=404)

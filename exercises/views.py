"""Public pages: the library, its hubs, exercise pages, and a Markdown copy of each."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from forge.pagecache import keep_out_of_page_cache, page_version, public_page

from . import conditional, jsonld, suggestions
from .bodymap.pages import ExerciseMap
from .browse import Browse
from .filters import SORTS
from .models import FACET_MODELS, BodyPart, Exercise, ExerciseSlug, HubSlug
from .models.compiled import CompiledQuery
from .models.substitutes import grouped
from .paths import markdown_path
from .sitemaps import hubs_with_exercises

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
    browse = Browse(
        request.GET, fixed, combination=combination, version=lambda: page_version(request)
    )
    target = browse.redirect_to(request.path, markdown)
    if target:
        return redirect(target, permanent=True)
    context = {
        "browse": browse,
        "sorts": SORTS,
        "breadcrumbs": browse.breadcrumbs,
        "canonical_path": browse.page_url,
    }
    page = browse.paginate()
    # Paginated like the HTML page; a Markdown copy links its neighbours' Markdown copies.
    context |= {
        "page_obj": page,
        "pages": browse.page_links(page, markdown=markdown),
        # An empty state lists the wider one among the others (one COUNT for it, not two).
        "also_works": suggestions.also_works(browse) if browse.total else None,
        "suggestions": [] if browse.total else suggestions.drop_one(browse),
    }
    if not markdown:
        context |= {
            "indexable": browse.indexable,
            "page_title": browse.title,
            "page_description": browse.description,
            "structured_data": jsonld.collection_page(browse, page, browse.breadcrumbs),
        }
    response = render_page(
        request,
        "exercises/exercise_list",
        context,
        markdown=markdown,
        canonical=browse.page_url,
        status=400 if browse.search.refused else 200,
    )
    if browse.state.q or browse.search.refused:
        # Any text makes a new search: storing them would let anyone fill the page cache.
        keep_out_of_page_cache(response)
    return response


def renamed(facets, slug):
    """The hub of one of these facets that had this slug before a rename, or None."""
    old = HubSlug.objects.filter(facet__in=facets, slug=slug).select_related(*facets).first()
    return old.taxon if old else None


def moved(request, url, markdown):
    """A 301 to a page's current address, for its Markdown copy too; the query string stays."""
    url = markdown_path(url) if markdown else url
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url, permanent=True)


@public_page(conditional.library, params=None)
def library(request, markdown=False):
    return browse_page(request, markdown=markdown)


@public_page(conditional.hub, params=None)
def facet_hub(request, slug, facet, markdown=False):
    """A facet's hub (urls.py names the facet), or a 301 to its current address when the slug
    is one it had before a rename. Facets sharing the address (body parts and difficulties)
    are told apart by their slugs, which never collide; a slug of neither answers 404."""
    facets = [model.facet for model in conditional.sharing_address(facet)]
    *others, facet = facets  # the last one is the slug's when no other has it (one query less)
    facet = next((f for f in others if FACET_MODELS[f].objects.filter(slug=slug).exists()), facet)
    try:
        return browse_page(request, {facet: slug}, markdown=markdown)
    except Http404:
        taxon = renamed(facets, slug)
        if taxon is None:
            raise
        return moved(request, taxon.get_absolute_url(), markdown)


@public_page(conditional.combination, params=None)
def combination_hub(request, body_part, equipment, markdown=False):
    fixed = {"body_part": body_part, "equipment": equipment}
    try:
        return browse_page(request, fixed, markdown=markdown, combination=True)
    except Http404:
        current = {
            facet: getattr(renamed([facet], slug), "slug", slug) for facet, slug in fixed.items()
        }
        if current == fixed:
            raise
        url = reverse("exercises:combination", args=[current["body_part"], current["equipment"]])
        return moved(request, url, markdown)


def can_preview(user):
    """Staff who may see exercises in the admin may preview drafts on the site."""
    return user.is_active and user.is_staff and user.has_perm("exercises.view_exercise")


@public_page(conditional.exercise)
def exercise_detail(request, slug, markdown=False):
    exercise = Exercise.objects.for_detail().filter(slug=slug).first()
    if exercise is None:
        return moved_or_gone(request, slug, markdown)
    if not exercise.is_published and not can_preview(request.user):
        raise Http404("No such exercise.")
    # “Swap for” and the FAQ answering “What can I do instead?” read the same groups.
    substitutes = grouped(CompiledQuery.run("substitutes", substitutes_of, exercise))
    context = {
        "exercise": exercise,
        "substitutes": substitutes,
        "faqs": exercise.all_faqs(substitutes),
        "canonical_path": exercise.get_absolute_url(),
        "breadcrumbs": [
            ("Exercises", reverse("exercises:library")),
            (exercise.body_part.name, exercise.body_part.get_absolute_url()),
            (exercise.name, None),
        ],
    }
    if not markdown:  # the Markdown copy lists no related exercises, only the hubs
        context |= {
            "related": CompiledQuery.run("related", related_to, exercise),
            "indexable": exercise.is_published,
            "page_title": exercise.page_title,
            "page_description": exercise.meta_description,
            "og_type": "article",
            "social_image": next(iter(exercise.media.all()), None),
            "muscle_map": ExerciseMap(exercise),
            "structured_data": jsonld.exercise_page(
                exercise, context["faqs"], context["breadcrumbs"]
            ),
        }
    response = render_page(
        request,
        "exercises/exercise_detail",
        context,
        markdown=markdown,
        canonical=exercise.get_absolute_url(),
    )
    if not exercise.is_published:
        add_never_cache_headers(response)  # a staff preview: never kept by any cache
    return response


def related_to(exercise):
    """The exercise page's related exercises (CompiledQuery: `exercise` may be a stand-in)."""
    return Exercise.objects.published().for_listing().related_to(exercise)[:6]


def substitutes_of(exercise):
    """The exercise page's “Swap for” rows (CompiledQuery: `exercise` may be a stand-in)."""
    return Exercise.objects.published().select_related("equipment").substitutes_for(exercise)


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
    """A 404 that helps: a search box and the body-part hubs that list exercises."""
    context = {"body_parts": hubs_with_exercises(BodyPart)}
    response = render(request, "404.html", context, status=404)
    user = getattr(request, "user", None)
    if request.path.startswith(reverse("admin:index")) or (user and user.is_authenticated):
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=settings.ERROR_MAX_AGE)
    return response

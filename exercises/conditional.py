"""ETag, Last-Modified and Cache-Control for the public pages, from one cheap query each.

A page changes in two ways, and its validators follow both:
- its own content changes: the exercise and the taxonomy names its page shows; a hub's newest
  published exercise or the hub's own edit. That time is the page's Last-Modified, and the
  sitemap lists the same time as its lastmod.
- anything else in the library changes: related exercises and facet counts show on every page,
  so the ETag also covers the newest change anywhere (drafts and deletions included), the code
  and settings the page was rendered with, and the exact address.

A client that sends If-None-Match is therefore always answered exactly; one that sends only
If-Modified-Since may keep a page whose sidebar or related exercises have since changed.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from .filters import FACETS
from .models import Exercise, ExerciseSlug, Muscle

# The exercise's own taxonomy: their names show on its page.
TAXONOMY_FIELDS = ("body_part", "equipment", "target_muscle", "difficulty", "category")
# Whatever can change how a page renders when the database does not.
CODE_DIRS = ("exercises", "forge", "templates", "static")
CODE_SUFFIXES = {".py", ".html", ".md", ".txt", ".xml", ".css", ".js", ".png", ".svg"}
SHOWN_SETTINGS = ("SITE_URL", "SITE_NAME", "CTA_TEXT", "CTA_URL", "STATIC_URL")
# Body parts and difficulties share /exercises/<slug>; their slugs never collide.
HUB_NAMESPACE = ("body_part", "difficulty")


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime | None


def newest(queryset, field="updated"):
    """A subquery: the newest value of `field` among the rows (NULL when there are none)."""
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


def exercise_last_change():
    """An expression: the newest edit of an exercise or of any taxonomy row its page names."""
    secondary = newest(Muscle.objects.filter(secondary_in=OuterRef("pk")))
    return Greatest(
        "updated",
        *(f"{field}__updated" for field in TAXONOMY_FIELDS),
        Coalesce(secondary, "updated"),
    )


def members(*conditions, **filters):
    """The published exercises a hub lists."""
    return Exercise.objects.published().filter(*conditions, **filters)


@cache
def code_fingerprint():
    """A digest of the code, templates and static files: a deploy changes every ETag."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for directory in CODE_DIRS:
        for path in sorted((base / directory).rglob("*")):
            if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def newest_in_table(model, field="updated"):
    """SQL for the newest `field` of a whole table; raw SQL keeps the per-request query cheap
    to build (table and column names come from the models, never from a request)."""
    quote = connection.ops.quote_name
    column, table = model._meta.get_field(field).column, model._meta.db_table
    return RawSQL(f"SELECT MAX({quote(column)}) FROM {quote(table)}", [], DateTimeField())


def library_changes():
    """The newest change anywhere: any exercise (drafts too), a deletion (it leaves a 410
    address behind) or a taxonomy edit."""
    changes = {
        "library_exercise": newest_in_table(Exercise),
        "library_removed": newest_in_table(ExerciseSlug, "created"),
    }
    for facet, model in FACETS.items():
        changes[f"library_{facet}"] = newest_in_table(model)
    return changes


def page_validators(request, rows, required=(), optional=(), **page_changes):
    """Validators from one query, or None when a row the page needs is missing (the view
    then answers 404, 410 or a redirect, without validators).

    The query reads the first of `rows` (the exercise, the hub, or any row that carries it),
    with `page_changes` and the library's changes. `required` name the changes that must be
    there; `optional` ones may be absent (a hub without exercises yet).
    """
    row = rows.values(
        **{f"page_{name}": change for name, change in page_changes.items()},
        **library_changes(),
    ).first()
    if row is None or any(row[f"page_{name}"] is None for name in required):
        return None
    own = [row[f"page_{name}"] for name in (*required, *optional)]
    own = [change for change in own if change is not None]
    shown = [getattr(settings, name) for name in SHOWN_SETTINGS]
    stamps = [f"{name}={value.isoformat() if value else ''}" for name, value in row.items()]
    key = "|".join([code_fingerprint(), *shown, request.get_full_path(), *stamps])
    return Validators(
        etag=f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"',
        last_modified=max(own) if own else None,
    )


# One function per view, called with the view's arguments.


def exercise(request, slug, markdown=False):
    """A published exercise; drafts and old addresses get no validators."""
    rows = Exercise.objects.published().filter(slug=slug)
    return page_validators(request, rows, required=["exercise"], exercise=exercise_last_change())


def hub(facet):
    def validators(request, slug, markdown=False):
        model = FACETS[facet]
        return page_validators(
            request,
            model.objects.filter(slug=slug),
            required=["hub"],
            optional=["members"],
            hub=F("updated"),
            members=newest(members(**{f"{model.exercise_field}__slug": slug})),
        )

    return validators


def any_row():
    """One row to carry a query whose page has no row of its own."""
    return Exercise.objects.order_by()


def body_part_or_difficulty(request, slug, markdown=False):
    return page_validators(
        request,
        any_row(),
        required=["hub"],
        optional=["members"],
        hub=Coalesce(*(newest(FACETS[facet].objects.filter(slug=slug)) for facet in HUB_NAMESPACE)),
        members=newest(members(Q(body_part__slug=slug) | Q(difficulty__slug=slug))),
    )


def combination(request, body_part, equipment, markdown=False):
    return page_validators(
        request,
        FACETS["body_part"].objects.filter(slug=body_part),
        required=["body_part", "equipment"],
        optional=["members"],
        body_part=F("updated"),
        equipment=newest(FACETS["equipment"].objects.filter(slug=equipment)),
        members=newest(members(body_part__slug=body_part, equipment__slug=equipment)),
    )


def library(request, markdown=False):
    """The library; a filtered state (anything but a page number) has an ETag only."""
    if set(request.GET) - {"page"}:
        return page_validators(request, any_row())
    newest_published = members().order_by("-updated")
    return page_validators(request, newest_published, optional=["members"], members=F("updated"))


def conditional_page(validators_for):
    """Answer If-None-Match / If-Modified-Since with 304 before the view runs, and send ETag,
    Last-Modified and `Cache-Control: public` with each public page.

    `validators_for(request, *args, **kwargs)` returns Validators or None. A view marks a
    private response (a draft preview) itself; it then gets no public caching.
    """

    def validators(request, *args, **kwargs):
        if not hasattr(request, "_page_validators"):
            request._page_validators = validators_for(request, *args, **kwargs)
        return request._page_validators

    def etag(request, *args, **kwargs):
        found = validators(request, *args, **kwargs)
        return found.etag if found else None

    def last_modified(request, *args, **kwargs):
        found = validators(request, *args, **kwargs)
        return found.last_modified if found else None

    def decorator(view):
        conditional_view = condition(etag_func=etag, last_modified_func=last_modified)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = conditional_view(request, *args, **kwargs)
            if response.status_code not in (200, 304):
                # A redirect or an error is not the page the validators describe.
                response.headers.pop("ETag", None)
                response.headers.pop("Last-Modified", None)
            elif "private" not in response.get("Cache-Control", ""):
                patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
            return response

        return wrapper

    return decorator

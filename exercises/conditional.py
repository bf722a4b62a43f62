"""ETag and Last-Modified for the public pages, without rendering them.

- The ETag is the page version (forge.pagecache: the library's content version, the code and
  the exact address): any change visitors can see, anywhere, changes every ETag at once, as it
  retires every cached page, because related exercises and facet counts show on every page.
- Last-Modified is the time the page's own content last changed: the exercise and the taxonomy
  names its page shows; a hub's newest published exercise or the hub's own edit. The sitemap
  lists the same time as its lastmod (sitemaps.py builds it from the expressions here).

A client that sends If-None-Match is therefore always answered exactly; one that sends only
If-Modified-Since may keep a page whose sidebar or related exercises have since changed.
"""

import operator
from functools import reduce

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from forge.pagecache import Validators, knows_page_version, page_etag

from .caching import current_version
from .models import FACET_MODELS, FACETS, Exercise, Muscle

# The exercise's own taxonomy: their names show on its page.
TAXONOMY_FIELDS = tuple(model.exercise_field for model in FACETS)


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


def sharing_address(facet):
    """The facets whose hubs share this facet's address (body parts and difficulties both live
    at /exercises/<slug>; their slugs never collide)."""
    hub_url_name = FACET_MODELS[facet].hub_url_name
    return [model for model in FACETS if model.hub_url_name == hub_url_name]


def page_validators(request, rows, required=(), optional=(), **page_changes):
    """Validators from one query, or None when a row the page needs is missing (the view
    then answers 404, 410 or a redirect, without validators).

    The query reads the first of `rows` (the exercise, the hub, or any row that carries it)
    with `page_changes`, and the content version unless the page cache read it already.
    `required` name the changes that must be there; `optional` ones may be absent (a hub
    without published exercises yet).
    """
    extra = {} if knows_page_version(request) else {"content_version": current_version()}
    row = rows.values(**page_changes, **extra).first()
    if row is None or any(row[name] is None for name in required):
        return None
    own = [row[name] for name in (*required, *optional) if row[name] is not None]
    etag = page_etag(request, row.get("content_version"))
    return Validators(etag=etag, last_modified=max(own) if own else None)


# One function per view, called with the view's arguments.


def exercise(request, slug, markdown=False):
    """A published exercise; drafts and old addresses get no validators."""
    rows = Exercise.objects.published().filter(slug=slug)
    return page_validators(request, rows, required=["exercise"], exercise=exercise_last_change())


def hub(request, slug, facet, markdown=False):
    models = sharing_address(facet)
    hubs = [newest(model.objects.filter(slug=slug)) for model in models]
    listed = reduce(operator.or_, (Q(**{f"{m.exercise_field}__slug": slug}) for m in models))
    return page_validators(
        request,
        any_row(),
        required=["hub"],
        optional=["members"],
        hub=hubs[0] if len(hubs) == 1 else Coalesce(*hubs),
        members=newest(members(listed)),
    )


def any_row():
    """One row to carry a query whose page has no row of its own."""
    return Exercise.objects.order_by()


def combination(request, body_part, equipment, markdown=False):
    return page_validators(
        request,
        FACET_MODELS["body_part"].objects.filter(slug=body_part),
        required=["body_part", "equipment"],
        optional=["members"],
        body_part=F("updated"),
        equipment=newest(FACET_MODELS["equipment"].objects.filter(slug=equipment)),
        members=newest(members(body_part__slug=body_part, equipment__slug=equipment)),
    )


def library(request, markdown=False):
    """The library; a filtered state (anything but a page number) has an ETag only."""
    if set(request.GET) - {"page"}:
        return Validators(etag=page_etag(request), last_modified=None)
    newest_published = members().order_by("-updated")
    return page_validators(request, newest_published, optional=["members"], members=F("updated"))

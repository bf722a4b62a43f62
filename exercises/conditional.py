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
from functools import partial, reduce

from django.db import connections
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from forge.pagecache import Validators, knows_page_version, page_etag

from .caching import current_version
from .models import FACET_MODELS, FACETS, Exercise, Muscle

# The exercise's own taxonomy: their names show on its page.
TAXONOMY_FIELDS = tuple(model.exercise_field for model in FACETS)


def newest(queryset, field="updated"):
    """A subquery: the newest value of `field` among the rows (NULL when there are none)."""
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


def exercise_last_change(grouped=False):
    """An expression: the newest edit of an exercise or of any taxonomy row its page names.

    `grouped` reads the secondary muscles' newest edit as an aggregate over a join (the query
    groups by exercise): for a query of every exercise, one hash aggregate instead of a
    subquery per row."""
    if grouped:
        secondary = Max("secondary_muscles__updated")
    else:
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


def page_validators(request, shape, values, build, required=(), optional=()):
    """Validators from one query, or None when a row the page needs is missing (the view
    then answers 404, 410 or a redirect, without validators).

    `build(*values)` returns the rows whose first one the query reads (the exercise, the hub,
    or any row that carries it) and the page's changes to read from it, by name; the content
    version is read along with them unless the page cache read it already. `required` name the
    changes that must be there; `optional` ones may be absent (a hub without published
    exercises yet). The query is built and compiled once per `shape` (ValidatorsQuery).
    """
    with_version = not knows_page_version(request)
    query = ValidatorsQuery.get(shape, build, len(values), with_version)
    row = query.run(values)
    if row is None or any(row[name] is None for name in required):
        return None
    own = [row[name] for name in (*required, *optional) if row[name] is not None]
    etag = page_etag(request, row.get("content_version"))
    return Validators(etag=etag, last_modified=max(own) if own else None)


class ValidatorsQuery:
    """A validators query compiled once per process, database and shape, then run with each
    request's values: building and compiling it in the ORM cost several times what the
    database spends answering it (a few joins and subqueries read by primary key or index).

    It is compiled with placeholder values standing for the request's; a shape whose SQL
    parameters do not carry them as they are is not kept, and runs through the ORM each time.
    """

    compiled = {}

    def __init__(self, build, count, with_version, using):
        self.build, self.with_version, self.using = build, with_version, using
        self.placeholders = [f"\x00forge-validator-{n}\x00" for n in range(count)]
        self.sql = None
        queryset = self.queryset(self.placeholders)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = [
            [i for i, param in enumerate(params) if param == placeholder]
            for placeholder in self.placeholders
        ]
        mentioned = sum(map(len, self.slots))
        if all(self.slots) and mentioned == sum(
            1 for param in params if isinstance(param, str) and "\x00forge-validator-" in param
        ):
            self.sql, self.compiler = sql, compiler
            columns = [column for column, _, _ in compiler.select]
            self.names = [alias for _, _, alias in compiler.select]
            self.converters = compiler.get_converters(columns)

    @classmethod
    def get(cls, shape, build, count, with_version):
        from django.db import router

        using = router.db_for_read(Exercise)
        key = (shape, count, with_version, using)
        query = cls.compiled.get(key)
        if query is None:
            query = cls.compiled[key] = cls(build, count, with_version, using)
        return query

    def queryset(self, values):
        rows, changes = self.build(*values)
        extra = {"content_version": current_version()} if self.with_version else {}
        rows = rows.values(**changes, **extra)
        return (rows if rows.ordered else rows.order_by("pk"))[:1]

    def run(self, values):
        """The first row as a dict of the changes, or None."""
        if self.sql is None:
            return next(iter(self.queryset(values)), None)
        params = list(self.params)
        for slots, value in zip(self.slots, values, strict=True):
            for slot in slots:
                params[slot] = value
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        return dict(zip(self.names, row, strict=True))


# One function per view, called with the view's arguments.


def exercise(request, slug, markdown=False):
    """A published exercise; drafts and old addresses get no validators."""
    return page_validators(request, "exercise", [slug], exercise_rows, required=["exercise"])


def exercise_rows(slug):
    rows = Exercise.objects.published().filter(slug=slug)
    return rows, {"exercise": exercise_last_change()}


def hub(request, slug, facet, markdown=False):
    return page_validators(
        request,
        ("hub", facet),
        [slug],
        partial(hub_rows, facet),
        required=["hub"],
        optional=["members"],
    )


def hub_rows(facet, slug):
    models = sharing_address(facet)
    hubs = [newest(model.objects.filter(slug=slug)) for model in models]
    listed = reduce(operator.or_, (Q(**{f"{m.exercise_field}__slug": slug}) for m in models))
    return any_row(), {
        "hub": hubs[0] if len(hubs) == 1 else Coalesce(*hubs),
        "members": newest(members(listed)),
    }


def any_row():
    """One row to carry a query whose page has no row of its own."""
    return Exercise.objects.order_by()


def combination(request, body_part, equipment, markdown=False):
    return page_validators(
        request,
        "combination",
        [body_part, equipment],
        combination_rows,
        required=["body_part", "equipment"],
        optional=["members"],
    )


def combination_rows(body_part, equipment):
    return FACET_MODELS["body_part"].objects.filter(slug=body_part), {
        "body_part": F("updated"),
        "equipment": newest(FACET_MODELS["equipment"].objects.filter(slug=equipment)),
        "members": newest(members(body_part__slug=body_part, equipment__slug=equipment)),
    }


def library(request, markdown=False):
    """The library; a filtered state (anything but a page number) has an ETag only."""
    if set(request.GET) - {"page"}:
        return Validators(etag=page_etag(request), last_modified=None)
    return page_validators(request, "library", [], library_rows, optional=["members"])


def library_rows():
    return members().order_by("-updated"), {"members": F("updated")}

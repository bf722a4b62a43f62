"""Counts many browse pages share, kept in each process under the content version.

The library's facet counts without any filter (its own sidebar, and the facet a hub is of: a
facet is counted without its own filter), the combination hubs with their counts, the facets'
values, and what the exercises of the library, of each hub and of each combination have are
the same answer for every page until the content changes. Each is computed once per process
and page version (forge.pagecache: the content version the request has already read for its
ETag, and the code), and used only while that version is the current one: any change
visitors can see replaces the version, so every process computes them again on its next
page, on every app server, as it retires every cached page.
"""

import threading

from django.http import QueryDict

_kept = {}  # {(database alias, name): (version, value)}
_lock = threading.Lock()


def shared(name, version, using, build):
    """`build()`'s value, computed once per process for this version and database."""
    key = (using, name)
    found = _kept.get(key)
    if found is not None and found[0] == version:
        return found[1]
    with _lock:
        found = _kept.get(key)
        if found is not None and found[0] == version:
            return found[1]
        value = build()
        _kept[key] = (version, value)
        return value


def unfiltered_facet_values(version, using, facet):
    """Every value of the facet with its count of published exercises, as the library
    counts them (one query, ExerciseFilter.facet_values)."""

    def build():
        from .filters import ExerciseFilter
        from .models import Exercise

        filterset = ExerciseFilter(QueryDict(), queryset=Exercise.objects.using(using).published())
        filterset.is_valid()
        return list(filterset.facet_values(facet))

    return shared(f"facet values {facet}", version, using, build)


def facet_values(version, using):
    """{facet: [every value]}, ordered as a facet lists them (one query for every facet):
    values that visitors see, so kept under the content version like the counts."""
    return shared("facet values, uncounted", version, using, lambda: taxonomy_rows(using))


def taxonomy_rows(using):
    """Every row of each facet's taxonomy, as its model's instances in the facet's order, from
    one UNION ALL of the tables (each column cast to its type where a table lacks it, each row
    numbered in its table's order); the muscles worked are the muscles' rows."""
    from django.db import connections

    from .models import FACET_MODELS, FACETS

    connection = connections[using]
    quote = connection.ops.quote_name
    columns = {}  # {column: its field, from the first table that has it}
    for model in FACETS:
        for model_field in model._meta.concrete_fields:
            columns.setdefault(model_field.column, model_field)
    branches = []
    for index, model in enumerate(FACETS):
        own = {model_field.column for model_field in model._meta.concrete_fields}
        order = ", ".join(quote(name) for name in model._meta.ordering)
        picked = [
            quote(column) if column in own else f"CAST(NULL AS {model_field.db_type(connection)})"
            for column, model_field in columns.items()
        ]
        branches.append(
            f"SELECT {index}, ROW_NUMBER() OVER (ORDER BY {order}), {', '.join(picked)} "
            f"FROM {quote(model._meta.db_table)}"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches))
        fetched = sorted(cursor.fetchall(), key=lambda row: row[:2])
    positions = {column: place for place, column in enumerate(columns, start=2)}
    rows = {model: [] for model in FACETS}
    for row in fetched:
        rows[FACETS[row[0]]].append(row)

    def instances(model, table):
        fields = model._meta.concrete_fields
        converters = []
        for model_field in fields:
            column = model_field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            converters.append((column, found))
        made = []
        for row in rows[table]:
            values = []
            for model_field, (column, found) in zip(fields, converters, strict=True):
                value = row[positions[model_field.column]]
                for converter in found:
                    value = converter(value, column, connection)
                values.append(value)
            made.append(model.from_db(using, [f.attname for f in fields], values))
        return made

    # A proxy (the muscles worked) reads its concrete model's table.
    return {
        facet: instances(model, model._meta.concrete_model) for facet, model in FACET_MODELS.items()
    }


def combinations(version, using, min_size):
    """{(body part slug, equipment slug): count} of the pairs with at least min_size
    published exercises (ExerciseQuerySet.combinations)."""

    def build():
        from .models import Exercise

        return Exercise.objects.using(using).published().combinations(min_size)

    return shared(f"combinations {min_size}", version, using, build)


def coverage(version, using):
    """What the exercises of the library, of each hub and of each combination have
    (ExerciseQuerySet.coverage_by_page), for their words."""

    def build():
        from .models import Exercise

        return Exercise.objects.using(using).published().coverage_by_page()

    return shared("coverage", version, using, build)

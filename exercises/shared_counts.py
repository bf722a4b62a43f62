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
    """{facet: [every value]}, ordered as a facet lists them; values that visitors see,
    so kept under the content version like the counts."""

    def build():
        from .models import FACET_MODELS

        return {
            facet: list(model.objects.using(using).all()) for facet, model in FACET_MODELS.items()
        }

    return shared("facet values, uncounted", version, using, build)


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

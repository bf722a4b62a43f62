"""Counts many browse pages share, kept in each process under the content version.

The library's facet counts without any filter (its own sidebar, and the facet a hub is of: a
facet is counted without its own filter), the combination hubs with their counts, and what
the whole library's exercises have are the same answer for every page until the content
changes. Each is computed by the same queries as before, once per process and page version
(forge.pagecache: the content version the request has already read for its ETag, and the
code), and used only while that version is the current one: any change visitors can see
replaces the version, so every process computes them again on its next page, on every app
server, as it retires every cached page.
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


def unfiltered_facet_values(version, using):
    """{facet: [every value with its count of published exercises]}, as the library counts
    them (one query per facet, ExerciseFilter.facet_values)."""

    def build():
        from .filters import ExerciseFilter
        from .models import FACET_MODELS, Exercise

        queryset = Exercise.objects.using(using).published()
        filterset = ExerciseFilter(QueryDict(), queryset=queryset)
        filterset.is_valid()
        return {facet: list(filterset.facet_values(facet)) for facet in FACET_MODELS}

    return shared("facet values", version, using, build)


def combinations(version, using, min_size):
    """{(body part slug, equipment slug): count} of the pairs with at least min_size
    published exercises (ExerciseQuerySet.combinations)."""

    def build():
        from .models import Exercise

        return Exercise.objects.using(using).published().combinations(min_size)

    return shared(f"combinations {min_size}", version, using, build)


def library_coverage(version, using):
    """What the published exercises have (ExerciseQuerySet.coverage), for the library's words."""

    def build():
        from .models import Exercise

        return Exercise.objects.using(using).published().coverage()

    return shared("library coverage", version, using, build)

"""The library's search box: ranked full-text and typo-tolerant search on PostgreSQL.

On PostgreSQL an exercise matches when its name or quick answer matches the words (full text,
English stemming: "curls" finds "Curl") or when its name is close to them (pg_trgm word
similarity: "dedlift" finds "Deadlift", "pullup" finds "Pull-Up"). Every condition is backed by a
GIN index (migration 0003), so the search stays fast inside the facet-count subqueries too.
Other databases match names and quick answers containing every word, case-insensitively.
"""

from django.contrib.postgres.lookups import TrigramStrictWordSimilar, TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.db import connections
from django.db.models import F, Q, Value

SEARCH_CONFIG = "english"


def search_vector():
    """The exercise's searchable text, the name weighing more than the quick answer.

    Migration 0003 indexes exactly this expression; change both together.
    """
    return SearchVector("name", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "quick_answer", weight="B", config=SEARCH_CONFIG
    )


def search(queryset, text):
    """Exercises matching the text, best matches first on PostgreSQL (then by name)."""
    text = " ".join(text.split())
    if not text:
        return queryset
    if connections[queryset.db].vendor != "postgresql":
        for word in text.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(quick_answer__icontains=word))
        return queryset

    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    # pg_trgm's two word similarities, each with its default threshold: the plain one (≥ 0.6)
    # forgives a word typed halfway ("dumb" → "Dumbbell Row"), the strict one (≥ 0.5) a
    # misspelt whole word ("dedlift" → "Barbell Deadlift", "pullup" → "Pull-Up").
    name_contains_words = TrigramWordSimilar(F("name"), Value(text))  # name %> text
    name_has_close_words = TrigramStrictWordSimilar(F("name"), Value(text))  # name %>> text
    return (
        queryset.alias(document=search_vector())
        .filter(Q(document=query) | name_contains_words | name_has_close_words)
        .annotate(
            relevance=SearchRank(search_vector(), query)
            + TrigramWordSimilarity(Value(text), "name")
            + TrigramStrictWordSimilarity(Value(text), "name")
        )
        .order_by("-relevance", "name")
    )

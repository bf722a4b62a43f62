"""The library's search box: ranked full-text and typo-tolerant search on PostgreSQL.

On PostgreSQL an exercise matches when its name or quick answer matches the words (full text,
English stemming: "curls" finds "Curl"; the name weighs more) or when its name is close to them
(pg_trgm word similarity: "dedlift" finds "Deadlift", "pullup" finds "Pull-Up"). Every
condition is backed by a GIN index (migrations 0003 and 0005) and the text is searched in its
stored form, so the search stays fast inside the facet-count subqueries too.
Other databases match names and quick answers containing every word, case-insensitively.
"""

from django.contrib.postgres.lookups import TrigramStrictWordSimilar, TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.db import connections
from django.db.models import F, Q, Value

# The trigger that fills search_document (migration 0005) uses the same configuration.
SEARCH_CONFIG = "english"
# Shorter searches ("row", "curl") match by full text only: their few trigrams are in so many
# names that checking each candidate's similarity would cost more than it finds.
MIN_FUZZY_LENGTH = 5


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
    matches = Q(search_document=query)
    relevance = SearchRank(F("search_document"), query)
    if len(text.replace(" ", "")) >= MIN_FUZZY_LENGTH:
        # pg_trgm's two word similarities, each with its default threshold: the plain one
        # (≥ 0.6) forgives a word typed halfway ("dumbb" → "Dumbbell Row"), the strict one
        # (≥ 0.5) a misspelt whole word ("dedlift" → "Barbell Deadlift", "pullup" → "Pull-Up").
        matches |= TrigramWordSimilar(F("name"), Value(text))  # name %> text
        matches |= TrigramStrictWordSimilar(F("name"), Value(text))  # name %>> text
        relevance += TrigramWordSimilarity(Value(text), "name")
        relevance += TrigramStrictWordSimilarity(Value(text), "name")
    return queryset.filter(matches).annotate(relevance=relevance).order_by("-relevance", "name")

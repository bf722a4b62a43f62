"""The library's search box: ranked, typo-tolerant search of names, aliases, target muscles
and quick answers, on both databases.

On PostgreSQL an exercise matches when its stored search document (name and aliases, quick
answer, target muscle; migrations 0005 and 0021) matches the words (full text, English
stemming: "curls" finds "Curl"; the name and aliases weigh most) or when its name is close to
them (pg_trgm word similarity: "dedlift" finds "Deadlift", "pullup" finds "Pull-Up"). Every
condition is backed by a GIN index (migrations 0003 and 0005), so the search stays fast inside
the facet-count subqueries too.

On SQLite the same columns are in an FTS5 table with the trigram tokenizer (migration 0021):
an exercise matches when it contains the whole text or each word of three letters or more (or
its singular), ranked by bm25. Words the library does not have are first corrected to its
closest words (search_terms.Vocabulary, rapidfuzz): "dedlift" searches "deadlift",
"benchpress" "bench press". Searches whose words are all shorter match names and aliases
containing them, by name.

On both, an exercise whose name or an alias is the search itself comes first.
"""

from django.contrib.postgres.lookups import TrigramStrictWordSimilar, TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramStrictWordSimilarity,
    TrigramWordSimilarity,
)
from django.db import connections
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When

from .search_terms import fts_query, normalize, singular, words

# Words of a search that count towards word_hits(): a search has at most 100 characters.
MAX_RANKED_WORDS = 10

# The trigger that fills search_document (migration 0005) uses the same configuration.
SEARCH_CONFIG = "english"
# Shorter searches ("row", "curl") match by full text only: their few trigrams are in so many
# names that checking each candidate's similarity would cost more than it finds.
MIN_FUZZY_LENGTH = 5


def search(queryset, text, vocabulary=None):
    """Exercises matching the text, best matches first (then by name).

    ``vocabulary`` is a callable giving the library's search_terms.Vocabulary; without it
    SQLite corrects no typos."""
    text = " ".join(text.split())
    if not text:
        return queryset
    known = vocabulary() if vocabulary else None
    corrected = known.correct(text) if known and is_ranked(text) else None
    first = named_first([text, corrected] if corrected else [text], known)
    if connections[queryset.db].vendor == "postgresql":
        # PostgreSQL forgives typos itself; the correction only finds the exercise named.
        return postgresql_search(queryset, text, first)
    return sqlite_search(queryset, corrected or text, first)


def is_ranked(text):
    """Whether the search's results come by relevance: always on PostgreSQL; on SQLite when a
    word has three letters or more (shorter ones list their matches by name)."""
    return fts_query(text) is not None


def named_first(texts, vocabulary=None):
    """Orderings that put first the exercises whose name or one of whose aliases is one of
    the texts: punctuation and case aside with the vocabulary ("push up" names "Push-Up"),
    else in any case; none when no exercise is so named."""
    if vocabulary is not None:
        slugs = [slug for text in texts for slug in vocabulary.named(text)]
        named = Q(slug__in=slugs) if slugs else None
    else:
        from .models import ExerciseAlias

        named = Q()
        for text in texts:
            aliases = ExerciseAlias.objects.filter(exercise=OuterRef("pk"), name__iexact=text)
            named |= Q(name__iexact=text) | Exists(aliases)
    if named is None:
        return []
    return [Case(When(named, then=0), default=1, output_field=IntegerField())]


def word_hits(text):
    """How many of the search's words (or their singular) begin a word of the name: trigrams
    also match inside words ("chin" in "Machine"), which should not rank as high."""
    hits = Value(0)
    for word in list(dict.fromkeys(words(text)))[:MAX_RANKED_WORDS]:
        stem = singular(word)
        starts_a_word = (
            Q(name__istartswith=stem)
            | Q(name__icontains=f" {stem}")
            | Q(name__icontains=f"-{stem}")
        )
        hits += Case(When(starts_a_word, then=1), default=0, output_field=IntegerField())
    return hits


def sqlite_search(queryset, text, first):
    from .models import ExerciseAlias

    query = fts_query(text)
    if query is None:
        short = normalize(text)
        aliases = ExerciseAlias.objects.filter(exercise=OuterRef("pk"), name__icontains=short)
        return queryset.filter(Q(name__icontains=short) | Exists(aliases))
    return (
        queryset.filter(search_row__document__match=query)
        .alias(word_hits=word_hits(text))
        .order_by(*first, F("word_hits").desc(), "search_row__rank", "name")
    )


def postgresql_search(queryset, text, first):
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
    return (
        queryset.filter(matches)
        .annotate(relevance=relevance)
        .order_by(*first, "-relevance", "name")
    )

"""What a search's words mean before a database sees them: words and their singular, the FTS5
query SQLite runs, and the library's vocabulary that corrects typos and suggests names.

The vocabulary holds the words of every published exercise's name and aliases and of the
muscles, and each name as a suggestion. It is built with one query the first time a
search needs it under a content version (exercises/caching.py) in each process, then kept
until the content changes: at 10,000 exercises it has ~4,000 words and builds in ~0.1 s.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

# A word of a search or a name: letters and digits ("chin-up" is "chin" and "up").
WORD = re.compile(r"\w+")
# The trigram tokenizer matches substrings of three characters or more.
MIN_TRIGRAM = 3
# Words this long or longer are checked against the vocabulary; shorter ones ("row", "abs")
# are too short to correct without guessing.
MIN_CORRECTED = 4
# rapidfuzz's 0-100 scores: a typo of one or two letters in a word scores above 75
# ("dedlift" ~ "deadlift" 93, "gobelt" ~ "goblet" 83); a suggestion must be as close as
# "barbel deadlif" is to "Barbell Deadlift".
WORD_CUTOFF = 75
SUGGESTION_CUTOFF = 70
MAX_SUGGESTIONS = 3
# Word endings that are not a plural's "s": press, biceps, serratus, abs.
NOT_PLURAL = ("ss", "us", "is", "ps")


def normalize(text):
    """A search as compared: NFKC (full-width letters, ligatures), case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def words(text):
    return WORD.findall(normalize(text))


def singular(word):
    """The word without a plural ending: "squats" → "squat", "benches" → "bench",
    "flies" → "fly"; other words as they are."""
    if len(word) < MIN_TRIGRAM or word.endswith(NOT_PLURAL):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def phrase(text):
    """An FTS5 string (double quotes doubled inside): matched as a substring."""
    return '"' + text.replace('"', '""') + '"'


def fts_query(text):
    """The FTS5 MATCH query for a search, or None when no word is long enough to match.

    Rows containing the whole text rank highest (“bench press”), then rows containing each
    word of three characters or more, the word or its singular: “squats” finds “Squat” and
    ranks “Squats” above it."""
    terms = []
    for word in dict.fromkeys(words(text)):
        one = singular(word)
        if len(one) < MIN_TRIGRAM:
            continue  # too short to require ("up" of "pull ups"): it ranks in word_hits
        terms.append(phrase(word) if one == word else f"({phrase(word)} OR {phrase(one)})")
    whole = normalize(text)
    if not terms:
        return phrase(whole) if len(whole) >= MIN_TRIGRAM else None
    every_word = " AND ".join(terms)
    return every_word if len(terms) == 1 else f"{phrase(whole)} OR ({every_word})"


@dataclass
class Suggestion:
    name: str
    url: str


@dataclass
class Vocabulary:
    """The published library's words and names (see the module's docstring)."""

    words: frozenset = frozenset()
    # Two neighbouring words of a name written together, and the pair: "benchpress" → "bench
    # press", "pullup" → "pull up".
    joined: dict = field(default_factory=dict)
    # Every published name and alias, processed as rapidfuzz compares them, with its page.
    choices: list = field(default_factory=list)
    urls: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    # {processed name or alias: [slug, ...]}: the exercises a search names exactly.
    by_name: dict = field(default_factory=dict)

    @classmethod
    def build(cls, using=None):
        """The published library's vocabulary, from one query."""
        from django.db.models import CharField, F, Value

        from .models import Exercise, ExerciseAlias, Muscle

        published = Exercise.objects.using(using).published().order_by()
        rows = published.values_list("name", "slug", F("name"))
        rows = rows.union(
            ExerciseAlias.objects.using(using)
            .filter(exercise__in=published)
            .order_by()
            .values_list("name", "exercise__slug", "exercise__name"),
            Muscle.objects.using(using)
            .order_by()
            .values_list("name", Value("", output_field=CharField()), Value("")),
            all=True,
        )
        names = []
        vocabulary = cls()
        known, joined = set(), {}
        # Sorted, so that equally close suggestions always come in the same order.
        for name, slug, exercise_name in sorted(rows):
            if slug:  # an exercise's name or alias; a muscle's name has no page of its own
                names.append((name, slug, exercise_name))
            found = words(name)
            known.update(found)
            for first, second in zip(found, found[1:], strict=False):
                joined.setdefault(first + second, f"{first} {second}")
        vocabulary.words = frozenset(known)
        vocabulary.joined = {k: v for k, v in joined.items() if k not in known}
        seen = set()
        for name, slug, exercise_name in names:
            key = utils.default_process(name)
            if (key, slug) in seen:
                continue
            seen.add((key, slug))
            vocabulary.choices.append(key)
            vocabulary.urls.append(slug)
            vocabulary.labels.append(exercise_name)
            vocabulary.by_name.setdefault(key, []).append(slug)
        return vocabulary

    def named(self, text):
        """Slugs of the exercises whose name or an alias is the text, punctuation and case
        aside: "push up" names the Pushups by their alias "Push-Up"."""
        return self.by_name.get(utils.default_process(text), [])

    def knows(self, word):
        """Whether FTS5 can find the word: it is part of a word of the library."""
        return any(word in known for known in self.words)

    def correct(self, text):
        """The search with each unknown word replaced by the closest word of the library (or
        the pair it joins), or None when every word is known or none can be corrected."""
        changed, result = False, []
        for word in words(text):
            if len(word) < MIN_CORRECTED or self.knows(word) or self.knows(singular(word)):
                result.append(word)
                continue
            replacement = self.joined.get(word) or self.joined.get(singular(word))
            if replacement is None:
                best = process.extractOne(
                    word, self.words, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF
                )
                replacement = best[0] if best else None
            changed |= replacement is not None
            result.append(replacement or word)
        return " ".join(result) if changed else None

    def suggestions(self, text, limit=MAX_SUGGESTIONS):
        """The exercises whose name or alias is closest to the text, best first, each once."""
        from django.urls import reverse

        query = utils.default_process(text)
        if not query:
            return []
        found = process.extract(
            query,
            self.choices,
            scorer=fuzz.WRatio,
            score_cutoff=SUGGESTION_CUTOFF,
            limit=limit * 4,
        )
        result, seen = [], set()
        for _, _, index in found:
            slug = self.urls[index]
            if slug not in seen:
                seen.add(slug)
                url = reverse("exercises:detail", args=[slug])
                result.append(Suggestion(self.labels[index], url))
        return result[:limit]


_built = {}  # {database alias: (version, Vocabulary)}
_lock = threading.Lock()


def vocabulary(version, using="default"):
    """The vocabulary of the published library under this version, built once per process."""
    cached = _built.get(using)
    if cached and cached[0] == version:
        return cached[1]
    with _lock:
        cached = _built.get(using)
        if cached and cached[0] == version:
            return cached[1]
        built = Vocabulary.build(using)
        _built[using] = (version, built)
        return built

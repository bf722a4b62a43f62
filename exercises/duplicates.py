"""Near-duplicate exercise names: “Push-Up”, “push up” and “Pushup” are one name to a visitor;
“Romanian Deadlfit” is probably “Romanian Deadlift”.

Names are already stored normalised (text.normalize_name: NFC, trimmed, single spaces). Here
they are compared by a key that also ignores case, accents, spaces and punctuation; two names
with the same key are the same name, and keys a typo or two apart (rapidfuzz's OSA
distance), or with the same words in another order, are close.
"""

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import OSA

NOT_A_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
# Keys shorter than this may differ by one edit, longer ones by two: "Leg Lift"/"Log Lift" is
# close, "Squat"/"Squad" too, but a two-letter difference in a short name is another exercise.
LONG_KEY = 12
# How many letters of each end of a key NameIndex looks candidates up by, and below which key
# length it compares every key of a similar length instead.
ENDS = 4
SHORT_KEY = 8

SAME = "same name apart from case, accents, spaces or punctuation"
CLOSE = "close spelling"
REORDERED = "the same words in another order"


def words(name):
    """The name's words, lower-case, without accents or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [word for word in NOT_A_LETTER_OR_DIGIT.split(plain) if word]


def name_key(name):
    """What two names must share to be the same name: “Push-Up” and “push up” → “pushup”."""
    return "".join(words(name))


def max_distance(key):
    return 1 if len(key) < LONG_KEY else 2


@dataclass(frozen=True)
class Similar:
    pk: object  # the other exercise's primary key, or a token for another record of a file
    name: str  # as the warning names it: the exercise's name, or “RDL (alias of ...)”
    how: str  # SAME, CLOSE or REORDERED
    alias: bool = False  # the name is another exercise's alias, not its name


class NameIndex:
    """Names to compare new names against, indexed once by key length and by the key's first
    and last letters, so that a name is spelled against a few candidates, not the whole
    library: within two edits of a key of 8 or more letters, its first or its last
    `ENDS` letters are intact unless both ends have a typo (such pairs are not found). Keys
    shorter than that are compared with every key of a similar length."""

    def __init__(self, entries=(), aliases=()):
        self.entries = []  # (pk, name, key, alias of)
        self.by_length, self.by_ends, self.by_words = {}, {}, {}
        for pk, name in entries:
            self.add(pk, name)
        for pk, alias, exercise_name in aliases:
            self.add(pk, alias, alias_of=exercise_name)

    def add(self, pk, name, alias_of=None):
        key = name_key(name)
        index = len(self.entries)
        self.entries.append((pk, name, key, alias_of))
        self.by_length.setdefault(len(key), []).append(index)
        for end in ends(key):
            self.by_ends.setdefault(end, []).append(index)
        self.by_words.setdefault(" ".join(sorted(words(name))), []).append(index)

    def candidates(self, key):
        reach = range(len(key) - max_distance(key), len(key) + max_distance(key) + 1)
        if len(key) < SHORT_KEY:
            return {i for length in reach for i in self.by_length.get(length, ())}
        return {
            i for length in reach for end in ends(key, length) for i in self.by_ends.get(end, ())
        }

    def similar(self, name, exclude=None):
        """The indexed names like `name`, the same ones first, then by spelling distance;
        the entry whose pk is `exclude` (the exercise itself) left out."""
        key = name_key(name)
        cutoff = max_distance(key)
        found = {}
        for index in self.candidates(key) if key else ():
            distance = OSA.distance(key, self.entries[index][2], score_cutoff=cutoff)
            if distance <= cutoff:
                found[index] = (distance, SAME if distance == 0 else CLOSE)
        for index in self.by_words.get(" ".join(sorted(words(name))), []):
            found.setdefault(index, (1, REORDERED))
        ranked = sorted(found.items(), key=lambda item: (item[1][0], self.entries[item[0]][1]))
        return [
            self.found(index, how)
            for index, (_, how) in ranked
            if exclude is None or self.entries[index][0] != exclude
        ]

    def found(self, index, how):
        pk, name, _, alias_of = self.entries[index]
        if alias_of is None:
            return Similar(pk, name, how)
        return Similar(pk, f"{name} (alias of {alias_of})", how, alias=True)


def ends(key, length=None):
    """The index entries of a key of `length` (its own by default): its first and last
    letters, told apart from each other and by length."""
    length = len(key) if length is None else length
    return [("first", length, key[:ENDS]), ("last", length, key[-ENDS:])]


def stored_index():
    """Every exercise's name and alias (two queries)."""
    from .models import Exercise, ExerciseAlias

    return NameIndex(
        Exercise.objects.values_list("pk", "name"),
        ExerciseAlias.objects.values_list("exercise_id", "name", "exercise__name"),
    )


def similar_exercises(name, exclude=None):
    """The exercises whose names or aliases are like `name`."""
    return stored_index().similar(name, exclude)

"""Turn a free-exercise-db dump (github.com/yuhonas/free-exercise-db) into Forge exercise records.

Its vocabulary is mapped onto Forge's taxonomy slugs; the taxonomy must already be imported.
"""

import re

from anyascii import anyascii
from django.utils.text import slugify

from ..text import forbidden_character, normalize_name
from .format import Record, describe, label

MUSCLES = {
    "abdominals": "abs",
    "abductors": "abductors",
    "adductors": "adductors",
    "biceps": "biceps",
    "calves": "calves",
    "chest": "chest",
    "forearms": "forearms",
    "glutes": "glutes",
    "hamstrings": "hamstrings",
    "lats": "lats",
    "lower back": "lower-back",
    "middle back": "upper-back",
    "neck": "neck",
    "quadriceps": "quads",
    "shoulders": "shoulders",
    "traps": "traps",
    "triceps": "triceps",
}
EQUIPMENT = {
    None: "bodyweight",
    "body only": "bodyweight",
    "bands": "resistance-band",
    "barbell": "barbell",
    "cable": "cable",
    "dumbbell": "dumbbell",
    "e-z curl bar": "ez-bar",
    "exercise ball": "stability-ball",
    "foam roll": "foam-roller",
    "kettlebells": "kettlebell",
    "machine": "machine",
    "medicine ball": "medicine-ball",
    "other": "other",
}
LEVELS = {"beginner": "beginner", "intermediate": "intermediate", "expert": "advanced"}
CATEGORIES = {
    "cardio": "cardio",
    "olympic weightlifting": "olympic-weightlifting",
    "plyometrics": "plyometrics",
    "powerlifting": "powerlifting",
    "strength": "strength",
    "stretching": "stretching",
    "strongman": "strongman",
}
# Source field: its vocabulary, the Forge field it fills and the taxonomy list it names.
VOCABULARIES = {
    "equipment": (EQUIPMENT, "equipment", "equipment"),
    "level": (LEVELS, "difficulty", "difficulties"),
    "category": (CATEGORIES, "category", "categories"),
}


# The Forge exercise fields this format fills; an update leaves the rest (status, quick answer,
# tips, mistakes, FAQs, old addresses) as trainers wrote them. The slug is derived from the
# name, so an existing exercise keeps the slug it has.
CARRIED = frozenset(
    {
        "name",
        "body_part",
        "equipment",
        "target_muscle",
        "secondary_muscles",
        "difficulty",
        "category",
        "steps",
    }
)


def slug_for(name):
    """The slug of a name: Django's slugify of its ASCII transliteration, so that “Жим лёжа”
    is “zhim-lezha” and “杠铃卧推” is “gang-ling-wo-tui” (Chinese syllables kept apart)."""
    ascii_name = re.sub(
        r"[^\x00-\x7f]+",
        lambda run: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", anyascii(run.group())),
        name,
    )
    return slugify(ascii_name)


def looks_like(data):
    """A JSON list of exercise objects carrying "primaryMuscles"."""
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and "primaryMuscles" in data[0]
    )


def to_forge(data, taxonomy):
    """Forge exercise records for a free-exercise-db list, and the problems of the objects it
    cannot convert (each named), so that they are reported with the rest of the file's.

    ``taxonomy`` holds the database's slugs by section; for muscles it maps each slug to its
    body part's slug. Taxonomy the file needs but the database lacks is one problem, listed
    first: the records are not checked further then.
    """
    if not isinstance(data, list):
        return [], ["a free-exercise-db file is a JSON list of exercises"]
    errors, missing, records = [], set(), []
    for index, item in enumerate(data):
        place = label("", index, item)
        record = convert(item, place, taxonomy, errors, missing)
        if record is not None:
            records.append(Record(place, record, carried=CARRIED))
    if missing:
        errors.insert(
            0,
            "the database lacks taxonomy this file needs ("
            + ", ".join(sorted(missing))
            + "); import fixtures/taxonomy.json first",
        )
        records = []
    return records, errors


def convert(item, place, taxonomy, errors, missing):
    """One source object as a Forge exercise record, or None after noting all its problems."""
    if not isinstance(item, dict):
        errors.append(f"{place}: must be an object, not {describe(item)}")
        return None
    before = len(errors)
    name = item.get("name")
    if not isinstance(name, str):
        errors.append(f"{place}: name is required (a string)")
        name = ""
    elif forbidden_character(name) is None:
        # A name with control characters stays as it is, for validation to name them.
        name = normalize_name(name)
    slug = slug_for(name)
    if isinstance(item.get("name"), str) and not slug:
        errors.append(f"{place}: name needs a letter or digit to make the page's address from")

    def lookup(source, value, vocabulary, section):
        """The Forge slug for a source value, noting unknown values and missing taxonomy."""
        if not isinstance(value, str | None) or value not in vocabulary:
            errors.append(
                f"{place}: {source} {describe(value)} is not a known free-exercise-db value"
            )
            return None
        slug = vocabulary[value]
        if slug not in taxonomy[section]:
            missing.add(f'{section} "{slug}"')
        return slug

    muscles = {}
    for source in ("primaryMuscles", "secondaryMuscles"):
        values = item.get(source)
        if not isinstance(values, list):
            errors.append(f"{place}: {source} must be a list of muscle names")
            values = []
        muscles[source] = [lookup(source, value, MUSCLES, "muscles") for value in values]
    if isinstance(item.get("primaryMuscles"), list) and not item["primaryMuscles"]:
        errors.append(f"{place}: primaryMuscles is empty")
    record = {"name": name, "slug": slug}
    for source, (vocabulary, target, section) in VOCABULARIES.items():
        # A missing value reads as None, which for "equipment" means body weight.
        record[target] = lookup(source, item.get(source), vocabulary, section)
    instructions = item.get("instructions", [])
    if not isinstance(instructions, list) or not all(isinstance(i, str) for i in instructions):
        errors.append(f"{place}: instructions must be a list of strings")
    if len(errors) > before:
        return None
    target_muscle, *other_primary = muscles["primaryMuscles"]
    # Further primary muscles lead the secondary ones; the target and repeats are dropped.
    secondary = dict.fromkeys(other_primary + muscles["secondaryMuscles"])
    secondary.pop(target_muscle, None)
    return {
        **record,
        "body_part": taxonomy["muscles"].get(target_muscle, ""),
        "target_muscle": target_muscle,
        "secondary_muscles": list(secondary),
        "steps": [trim(step) for step in instructions if trim(step)],
    }


def trim(text):
    """Text without surrounding white space, unless it holds a control character: Python counts
    some of those (U+001C to U+001F, U+0085) as white space, and they must be refused, not
    silently dropped."""
    return text.strip() if forbidden_character(text) is None else text

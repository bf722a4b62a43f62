"""Turn a free-exercise-db dump (github.com/yuhonas/free-exercise-db) into Forge exercise records.

Its vocabulary is mapped onto Forge's taxonomy slugs; the taxonomy must already be imported.
"""

import json

from django.utils.text import slugify

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
# Source field, its vocabulary, the Forge field it fills and the taxonomy list it names.
VOCABULARIES = {
    "equipment": (EQUIPMENT, "equipment", "equipment"),
    "level": (LEVELS, "difficulty", "difficulties"),
    "category": (CATEGORIES, "category", "categories"),
}


class ConversionError(Exception):
    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


def looks_like(data):
    """A JSON list of exercise objects carrying "primaryMuscles"."""
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and "primaryMuscles" in data[0]
    )


def to_forge(data, taxonomy):
    """Forge exercise records, as (label, record) pairs, for a free-exercise-db list.

    ``taxonomy`` holds the database's slugs by section; for muscles it maps each slug to its
    body part's slug. Raises ConversionError listing every record it cannot map.
    """
    if not isinstance(data, list):
        raise ConversionError(["a free-exercise-db file is a JSON list of exercises"])
    errors, missing, records = [], set(), []
    for index, item in enumerate(data):
        name = item.get("name") if isinstance(item, dict) else None
        label = f"[{index}]" + (f" {json.dumps(name, ensure_ascii=False)}" if name else "")
        record = convert(item, label, taxonomy, errors, missing)
        if record is not None:
            records.append((label, record))
    if missing:
        errors.insert(
            0,
            "the database lacks taxonomy this file needs ("
            + ", ".join(sorted(missing))
            + "); import fixtures/taxonomy.json first",
        )
    if errors:
        raise ConversionError(errors)
    return records


def convert(item, label, taxonomy, errors, missing):
    """One source object as a Forge exercise record, or None after noting its problems."""
    before = len(errors)
    if not isinstance(item, dict):
        errors.append(f"{label}: must be an object")
        return None
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(f"{label}: name is required")
        return None
    name = name.strip()
    record = {"name": name, "slug": slugify(name)}

    def known(section, slug):
        if slug not in taxonomy[section]:
            missing.add(f'{section} "{slug}"')
        return slug

    def muscles(field):
        values = item.get(field)
        if not isinstance(values, list):
            errors.append(f"{label}: {field} must be a list of muscle names")
            return []
        slugs = []
        for value in values:
            if value not in MUSCLES:
                errors.append(f"{label}: {field} {json.dumps(value)} is not a known muscle")
            else:
                slugs.append(known("muscles", MUSCLES[value]))
        return slugs

    primary = muscles("primaryMuscles")
    secondary = muscles("secondaryMuscles")
    if not primary and isinstance(item.get("primaryMuscles"), list):
        errors.append(f"{label}: primaryMuscles is empty")
    for source, (vocabulary, target, section) in VOCABULARIES.items():
        value = item.get(source)
        if value not in vocabulary:  # A missing "equipment" is None, which means body weight.
            errors.append(
                f"{label}: {source} {json.dumps(value)} is not a known free-exercise-db {source}"
            )
        else:
            record[target] = known(section, vocabulary[value])
    instructions = item.get("instructions", [])
    if not isinstance(instructions, list) or not all(isinstance(i, str) for i in instructions):
        errors.append(f"{label}: instructions must be a list of strings")
    if len(errors) > before:
        return None
    target_muscle = primary[0]
    # Further primary muscles lead the secondary ones; the target and repeats are dropped.
    ordered = [m for m in dict.fromkeys(primary[1:] + secondary) if m != target_muscle]
    return {
        "name": name,
        "slug": record["slug"],
        "body_part": taxonomy["muscles"].get(target_muscle) or "",
        "equipment": record["equipment"],
        "target_muscle": target_muscle,
        "secondary_muscles": ordered,
        "difficulty": record["difficulty"],
        "category": record["category"],
        "steps": [step.strip() for step in instructions if step.strip()],
    }

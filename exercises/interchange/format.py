"""The Forge exercise library format, version 1: reading a file's records and writing exports.

The format is documented in docs/library-format.md; importing lives in importer.py.
"""

import json
from dataclasses import dataclass

from ..models import FACETS, CommonMistake, Exercise, ExerciseSlug, Muscle, ProTip, Step
from ..text import FORBIDDEN_CHARACTERS
from . import media, substitutes

FORMAT = "forge-exercise-library"
VERSION = 1
REQUIRED = object()


class LibraryError(Exception):
    """A library file that cannot be imported; the message says where and why."""


@dataclass(frozen=True)
class Section:
    """One taxonomy list of the file: its key, model and fields in file order."""

    key: str
    model: type
    fields: dict

    @property
    def noun(self):
        return self.model._meta.verbose_name

    @property
    def ordering(self):
        return ("position", "slug") if "position" in self.fields else ("slug",)

    @property
    def references(self):
        """The fields that name a value of another list by its slug (a muscle's body part)."""
        return [field.name for field in self.model._meta.concrete_fields if field.many_to_one]


def taxon_fields(**extra):
    """A taxonomy record's fields in file order: name: (JSON type, default when missing)."""
    return {"name": (str, REQUIRED), "slug": (str, REQUIRED), **extra, "intro": (str, "")}


def facet_section(model):
    """A facet's list in the file, derived from its model: the key is its plural name
    ("body_parts"); a `position` may be left out (it is filled in from the record's place in
    the list); a link to another facet's value is that value's slug and is required; a field
    with choices that may be left empty (a muscle's map region) defaults to ""."""
    extra = {}
    for field in model._meta.concrete_fields:
        if field.name in ("id", "name", "slug", "intro", "updated"):
            continue
        if field.name == "position":
            extra[field.name] = (int, None)
        elif field.many_to_one:
            extra[field.name] = (str, REQUIRED)
        elif field.choices and field.blank:
            extra[field.name] = (str, "")  # one of the choices, or "" (a muscle's map region)
        else:
            raise TypeError(f"the library format has no rule for {model.__name__}.{field.name}")
    key = str(model._meta.verbose_name_plural).replace(" ", "_")
    return Section(key, model, taxon_fields(**extra))


def file_order(section):
    """Where a list stands in the file: ranked lists first, then lists whose records name a
    value of another list, then the rest, in registry order within each. For version 1 that is
    body parts, difficulties, muscles (each names its body part), equipment, categories."""
    return ("position" not in section.fields, not section.references)


TAXONOMY = tuple(sorted(map(facet_section, FACETS), key=file_order))
SECTIONS = {section.key: section for section in TAXONOMY}
# Exercise fields that name a taxon by slug, and the taxonomy list the slug comes from.
REFERENCES = {
    model.exercise_field: next(s.key for s in TAXONOMY if s.model is model) for model in FACETS
}


def taxonomy_entries(facet_entry, secondary_muscles):
    """An exercise record's taxonomy entries in file order: `facet_entry(model)` for each facet
    in registry order, and the secondary muscles right after the target muscle."""
    entries = {}
    for model in FACETS:
        entries[model.exercise_field] = facet_entry(model)
        if model is Muscle:
            entries["secondary_muscles"] = secondary_muscles
    return entries


TEXT_LISTS = {"steps": Step, "pro_tips": ProTip, "common_mistakes": CommonMistake}
# A missing status is filled in by the importer (its --status, else published).
EXERCISE_FIELDS = {
    "name": (str, REQUIRED),
    "slug": (str, REQUIRED),
    "old_slugs": (list, list),
    # Written only when a trainer chose it; missing (or "auto") is read from the name.
    "grammatical_number": (str, None),
    # Written only when there are any, like old_slugs.
    "aliases": (list, list),
    "status": (str, None),
    # Written only when the exercise is featured; missing means not featured.
    "featured_rank": (int, None),
    "quick_answer": (str, ""),
    **taxonomy_entries(lambda model: (str, REQUIRED), (list, list)),
    "steps": (list, list),
    "pro_tips": (list, list),
    "common_mistakes": (list, list),
    "faqs": (list, list),
    # Written only when there are any; missing keeps the database's (interchange/substitutes.py).
    "substitutes": (dict, None),
    # Written only when there are any (interchange/media.py).
    "media": (list, list),
    "text_credit": (dict, None),
}


@dataclass
class Record:
    """One object of the file, with the label error messages name it by."""

    label: str
    data: object
    # The exercise fields the file's format can express, or None for all of them: an update
    # keeps the others as the database has them (a free-exercise-db file has no tips, say).
    carried: frozenset | None = None


def parse(raw):
    """Decode a file's bytes (UTF-8, with or without a byte order mark) as JSON, naming the
    place of any problem in one line."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
            raise LibraryError(
                f"not UTF-8 text: byte 0x{raw[error.start]:02X} at line {line}, column "
                f"{column} cannot be read; save the file as UTF-8"
            ) from None
    else:
        text = raw.removeprefix("\ufeff")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise LibraryError(
            f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise LibraryError(
            "not a library: its lists and objects are nested too deeply to be exercise records"
        ) from None


def check_header(data, *, kind, name, keys):
    """Check a Forge JSON file's header: an object whose "format" is `kind` and whose "version"
    is this site's, with no top-level key outside `keys`. `name` says what the file is, for
    messages ("a Forge exercise library")."""
    if not isinstance(data, dict):
        raise LibraryError(f"{name} is a JSON object, not {type_name(data)}")
    if data.get("format") != kind:
        raise LibraryError(
            f'not {name}: "format" is {describe(data.get("format"))}, expected "{kind}"'
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        given = f"the string {quote(version)}" if isinstance(version, str) else describe(version)
        raise LibraryError(f'"version" must be the number {VERSION}, not {given}')
    if version != VERSION:
        raise LibraryError(f"unsupported version {version}: this site reads version {VERSION}")
    unknown = sorted(set(data) - {"format", "version", *keys})
    if unknown:
        raise LibraryError(f"unknown top-level key {quote(unknown[0])}")


def forge_records(data):
    """The records of a Forge file by section, after checking its header."""
    if not isinstance(data, dict):
        raise LibraryError(f"a Forge library is a JSON object, not {type_name(data)}")
    check_header(
        data,
        kind=FORMAT,
        name="a Forge exercise library",
        keys=[*SECTIONS, "exercises", "gone_slugs"],
    )
    records = {}
    for key in [*SECTIONS, "exercises", "gone_slugs"]:
        items = data.get(key, [])
        if key == "exercises" and hasattr(items, "library"):
            records[key] = items  # reading.ExerciseStream: its records, read on each pass
            continue
        if not isinstance(items, list):
            raise LibraryError(f'"{key}" must be a list, not {type_name(items)}')
        records[key] = [Record(label(key, i, item), item) for i, item in enumerate(items)]
    return records


def label(key, index, item):
    """How messages name a record: its place in the file, then its name or else its slug."""
    place = f"{key}[{index}]" if key else f"[{index}]"
    if not isinstance(item, dict):
        return place
    name, slug = item.get("name"), item.get("slug")
    if isinstance(name, str) and name.strip():
        return f"{place} {quote(name)}"
    if isinstance(slug, str) and slug:
        return f"{place} (slug {quote(slug)})"
    return place


def quote(text, limit=60):
    """A string from the file as messages show it: in quotes, shortened, and with control
    characters and lone surrogates escaped, so that a message stays one printable line."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return printable(json.dumps(text, ensure_ascii=False))


def describe(value):
    """A value from the file as messages show it: a string quoted, anything else by its type
    (never dumped whole: it may be huge or deeply nested)."""
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return type_name(value)


def printable(message):
    """A message on one printable line: line breaks, tabs, control characters and lone
    surrogates that a file's value brought into it are shown as escapes."""
    return FORBIDDEN_CHARACTERS.sub(
        lambda found: f"\\u{ord(found.group()):04x}",
        message.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t"),
    )


def type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    names = {dict: "an object", list: "a list", str: "a string", int: "a number"}
    return names.get(type(value), "a number")


def normalize(record, fields, errors):
    """The record's fields in file order, defaults filled in; None when a field is unusable."""
    if not isinstance(record.data, dict):
        errors.append(f"{record.label}: must be an object, not {type_name(record.data)}")
        return None
    ok = True
    for key in sorted(set(record.data) - set(fields)):
        errors.append(f"{record.label}: unknown field {quote(key)}")
        ok = False
    result = {}
    for key, (kind, default) in fields.items():
        if key not in record.data:
            if default is REQUIRED:
                errors.append(f"{record.label}: {key} is required")
                ok = False
            result[key] = default() if callable(default) else default
            continue
        value = record.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            errors.append(
                f"{record.label}: {key} must be {type_name(kind())}, not {type_name(value)}"
            )
            ok = False
        elif default is REQUIRED and kind is str and not value.strip():
            errors.append(f"{record.label}: {key} is empty")
            ok = False
        result[key] = value
    return result if ok else None


def taxon_record(section, taxon):
    """A taxon as the file writes it."""
    record = {}
    for key in section.fields:
        value = getattr(taxon, key)
        record[key] = value.slug if key in section.references else value
    return record


def exercise_record(exercise):
    """An exercise as the file writes it; expects ``Exercise.objects.for_detail()`` with
    ``old_slugs`` and ``substitutes.prefetch()`` prefetched. ``old_slugs``, ``aliases`` and
    ``substitutes`` are left out when there are none, ``featured_rank`` when the exercise is
    not featured."""
    record = {"name": exercise.name, "slug": exercise.slug}
    old_slugs = [old.slug for old in exercise.old_slugs.all()]
    if old_slugs:
        record["old_slugs"] = old_slugs
    if exercise.grammatical_number != Exercise.GrammaticalNumber.AUTO:
        record["grammatical_number"] = exercise.grammatical_number
    aliases = [alias.name for alias in exercise.aliases.all()]
    if aliases:
        record["aliases"] = aliases
    record["status"] = exercise.status
    if exercise.featured_rank is not None:
        record["featured_rank"] = exercise.featured_rank
    record |= {
        "quick_answer": exercise.quick_answer,
        **taxonomy_entries(
            lambda model: getattr(exercise, model.exercise_field).slug,
            [muscle.slug for muscle in exercise.ordered_secondary_muscles],
        ),
        **{key: [item.text for item in getattr(exercise, key).all()] for key in TEXT_LISTS},
        "faqs": [{"question": f.question, "answer": f.answer} for f in exercise.faqs.all()],
    }
    pinned_or_excluded = substitutes.record_value(exercise)
    if pinned_or_excluded is not None:
        record[substitutes.KEY] = pinned_or_excluded
    return media.add_to_record(record, exercise)


def comparable(record):
    """A record with the lists an export leaves out when empty (aliases, substitutes, media)
    left out, so that a file's record and an exercise's export compare equal when they say the
    same."""
    record = {k: v for k, v in record.items() if not (k == "aliases" and not v)}
    if substitutes.is_empty(record.get(substitutes.KEY)):
        record.pop(substitutes.KEY, None)
    return media.comparable(record)


def export_library():
    """The whole library (drafts included) in a stable order, without ids or timestamps."""
    data = {"format": FORMAT, "version": VERSION}
    for section in TAXONOMY:
        taxa = section.model.objects.order_by(*section.ordering)
        if section.references:
            taxa = taxa.select_related(*section.references)
        data[section.key] = [taxon_record(section, taxon) for taxon in taxa]
    exercises = (
        Exercise.objects.for_detail()
        .prefetch_related("old_slugs", substitutes.prefetch())
        .order_by("slug")
    )
    data["exercises"] = [exercise_record(exercise) for exercise in exercises]
    # The addresses of deleted exercises, which answer 410 Gone; left out when there are none.
    gone_slugs = list(ExerciseSlug.objects.filter(exercise=None).values_list("slug", flat=True))
    if gone_slugs:
        data["gone_slugs"] = gone_slugs
    return data


def dumps(data):
    """JSON text as the export writes it: indented, UTF-8 characters kept, final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

"""The importer's checks of one record (importer.py): model validation without database
lookups, uniqueness within the file, references to the taxonomy, the ordered lists, and the
error message listing every problem found."""

from django.core.exceptions import ValidationError

from ..models import FAQ, ExerciseAlias
from ..text import forbidden_character, normalize_name
from .format import (
    REFERENCES,
    REQUIRED,
    SECTIONS,
    TEXT_LISTS,
    Record,
    normalize,
    printable,
    type_name,
)

# How many problems an error message lists before it summarises the rest.
MAX_REPORTED_ERRORS = 20


def clean_name(name):
    """A name as the database stores it (normalize_name); one with control characters is left
    as it is, for validation to refuse, since white space normalising could hide some."""
    return normalize_name(name) if forbidden_character(name) is None else name


def differing(old, new):
    """The keys whose values differ between two records, in file order (a key missing from
    one of them differs from any value), old addresses aside: they are compared one by one."""
    keys = [*new, *(key for key in old if key not in new)]
    return tuple(key for key in keys if key != "old_slugs" and old.get(key) != new.get(key))


def check_instance(instance, record, errors, exclude=()):
    """Model validation (max lengths, slug format, choices, clean()) without database lookups
    for uniqueness, which the importer does in bulk. Unlike full_clean, clean() runs only on
    valid fields: it may look them up in the database, which refuses a NUL (PostgreSQL)."""
    try:
        instance.clean_fields(exclude=exclude)
        instance.clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            where = "" if name == "__all__" else f"{name}: "
            errors.append(f"{record.label}: {where}{' '.join(messages)}")
        return False
    return True


def check_value(model, name, value, record, where, errors):
    """One value of an ordered list, validated by the model field that stores it."""
    if not isinstance(value, str):
        errors.append(f"{record.label}: {where} must be a string, not {type_name(value)}")
        return
    if not value.strip():
        errors.append(f"{record.label}: {where} is empty")
        return
    try:
        model._meta.get_field(name).clean(value, None)
    except ValidationError as error:
        errors.append(f"{record.label}: {where}: {' '.join(error.messages)}")


def check_unique(seen, key, value, record, errors):
    """Refuse a slug or name that an earlier record of the same list already uses."""
    earlier = seen[key].setdefault(value, record.label)
    if earlier != record.label:
        errors.append(f'{record.label}: {key} "{value}" is already used by {earlier}')


def summarize(errors):
    """The problems, each on its own printable line; a single one on the same line."""
    lines = [printable(error) for error in errors[:MAX_REPORTED_ERRORS]]
    if len(errors) == 1:
        return f"1 problem, nothing was imported: {lines[0]}"
    if len(errors) > len(lines):
        lines.append(f"... and {len(errors) - len(lines)} more")
    return f"{len(errors)} problems, nothing was imported:\n" + "\n".join(lines)


def resolve_references(exercise, data, known, record, errors):
    """Point the exercise at its taxa and return its secondary muscles, or None on an error:
    every slug must be in the file or the database."""
    ok = True
    for key, section_key in REFERENCES.items():
        taxon = known[section_key].get(data[key])
        if taxon is None:
            noun = SECTIONS[section_key].noun
            errors.append(f'{record.label}: {key} "{data[key]}" is not a known {noun} slug')
            ok = False
        else:
            setattr(exercise, key, taxon)
    seen = set()
    secondary = []
    for index, slug in enumerate(data["secondary_muscles"]):
        where = f"secondary_muscles[{index}]"
        if not isinstance(slug, str):
            errors.append(f"{record.label}: {where} must be a string, not {type_name(slug)}")
        elif slug in seen:
            errors.append(f'{record.label}: {where} "{slug}" is listed twice')
        elif slug not in known["muscles"]:
            errors.append(f'{record.label}: {where} "{slug}" is not a known muscle slug')
        else:
            seen.add(slug)
            secondary.append(known["muscles"][slug])
            continue
        ok = False
    return secondary if ok else None


def check_aliases(data, record, errors):
    """Check the exercise's aliases as the admin does and store them normalised: each a
    name of its own, listed once (compared without case), never the exercise's own name."""
    names = {}
    for index, alias in enumerate(data["aliases"]):
        where = f"aliases[{index}]"
        before = len(errors)
        check_value(ExerciseAlias, "name", alias, record, where, errors)
        if len(errors) > before:
            continue
        alias = clean_name(alias)
        key = alias.casefold()
        if key == data["name"].casefold():
            errors.append(f'{record.label}: {where} "{alias}" is the exercise\'s own name')
        elif key in names:
            errors.append(f'{record.label}: {where} "{alias}" is already listed as {names[key]}')
        names.setdefault(key, where)
        data["aliases"][index] = alias


def check_lists(data, record, errors):
    """Check the exercise's aliases and each value of its ordered text lists and FAQs; True
    when all are fine."""
    before = len(errors)
    check_aliases(data, record, errors)
    for key, model in TEXT_LISTS.items():
        for index, text in enumerate(data[key]):
            check_value(model, "text", text, record, f"{key}[{index}]", errors)
    for index, faq in enumerate(data["faqs"]):
        faq_record = Record(f"{record.label}: faqs[{index}]", faq)
        faq = normalize(faq_record, {"question": (str, REQUIRED), "answer": (str, REQUIRED)}, [])
        if faq is None:
            errors.append(f'{faq_record.label} must be an object with "question" and "answer"')
            continue
        for key, value in faq.items():
            check_value(FAQ, key, value, record, f"faqs[{index}].{key}", errors)
    return len(errors) == before

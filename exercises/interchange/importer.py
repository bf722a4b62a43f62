"""Import a library file: check every record first, then write it all in one transaction.

Existing rows are left alone unless the import is asked to update them; see
docs/library-format.md for the rules.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from ..caching import content_changed
from ..models import FAQ, Exercise, ExerciseSecondaryMuscle, ExerciseSlug, Muscle
from . import free_exercise_db
from . import media as media_format
from .format import (
    EXERCISE_FIELDS,
    FORMAT,
    REFERENCES,
    REQUIRED,
    SECTIONS,
    TAXONOMY,
    TEXT_LISTS,
    LibraryError,
    Record,
    exercise_record,
    forge_records,
    normalize,
    taxon_record,
    type_name,
)

FORMATS = ("forge", "free-exercise-db")
# How many problems an error message lists before it summarises the rest.
MAX_REPORTED_ERRORS = 20


@dataclass
class Plan:
    """What an import will do: rows to write and counts per kind."""

    taxa: list = field(default_factory=list)  # taxa to save, in writing order
    created: list = field(default_factory=list)  # (exercise, record, secondary muscles)
    updated: list = field(default_factory=list)
    addresses: list = field(default_factory=list)  # (old slug, exercise or None when gone)
    counts: dict = field(default_factory=dict)

    def count(self, kind, action):
        self.counts.setdefault(kind, Counter())[action] += 1


def detect_format(data):
    """Tell a Forge library (an object) from a free-exercise-db dump (a list of exercises)."""
    if isinstance(data, dict):
        return "forge"
    if free_exercise_db.looks_like(data):
        return "free-exercise-db"
    raise LibraryError(
        "cannot tell the file's format: expected a Forge library (a JSON object with "
        f'"format": "{FORMAT}") or a free-exercise-db list of exercises with "primaryMuscles"; '
        "pass --format to say which"
    )


def check_instance(instance, record, errors, exclude=()):
    """Model validation (max lengths, slug format, choices, clean()) without database lookups
    for uniqueness, which the importer does in bulk."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
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
    earlier = seen[key].setdefault(value, record)
    if earlier is not record:
        errors.append(f'{record.label}: {key} "{value}" is already used by {earlier.label}')


def import_library(
    data, *, format=None, update=False, status=None, dry_run=False, progress=None, media_dir=None
):
    """Check the whole file, then write it in one transaction; return counts per kind.

    Existing rows (taxonomy by slug, exercises by slug or else name) are left alone unless
    ``update`` is set. ``status`` overrides every exercise's status. ``media_dir`` is the
    folder the file's `media/` entries are read from (the JSON file's own).
    """
    progress = progress or (lambda iterable, **kwargs: iterable)
    format = format or detect_format(data)
    try:
        with transaction.atomic():
            if format == "forge":
                records = forge_records(data)
            else:
                records = {key: [] for key in SECTIONS}
                records["exercises"] = free_exercise_db.to_forge(data, taxonomy_slugs())
                records["gone_slugs"] = []
            plan = Plan()
            errors = []
            known = plan_taxonomy(plan, records, update, errors)
            old_slugs, live = plan_exercises(
                plan, records["exercises"], known, update, status, errors, progress, media_dir
            )
            plan_addresses(plan, old_slugs, records["gone_slugs"], live, update, errors)
            if errors:
                raise LibraryError(summarize(errors))
            if not dry_run:
                write(plan, progress)
    except free_exercise_db.ConversionError as error:
        raise LibraryError(summarize(error.errors)) from None
    except IntegrityError as error:
        raise LibraryError(f"the database refused the import: {error}") from None
    return plan.counts


def summarize(errors):
    lines = errors[:MAX_REPORTED_ERRORS]
    if len(errors) > len(lines):
        lines.append(f"... and {len(errors) - len(lines)} more")
    problems = "1 problem" if len(errors) == 1 else f"{len(errors)} problems"
    return f"{problems}, nothing was imported:\n" + "\n".join(lines)


def taxonomy_slugs():
    """Slugs of the taxonomy in the database, by section; muscles map to their body part."""
    slugs = {s.key: dict.fromkeys(s.model.objects.values_list("slug", flat=True)) for s in TAXONOMY}
    slugs["muscles"] = dict(Muscle.objects.values_list("slug", "body_part__slug"))
    return slugs


def plan_taxonomy(plan, records, update, errors):
    """Check each taxonomy list; return every usable taxon by section and slug."""
    known = {}
    for section in TAXONOMY:
        taxa = section.model.objects.all()
        if section.key == "muscles":
            taxa = taxa.select_related("body_part")
        existing = {taxon.slug: taxon for taxon in taxa}
        by_name = {t.name: t for t in existing.values()}
        known[section.key] = dict(existing)
        seen = {"slug": {}, "name": {}}
        for index, record in enumerate(records[section.key]):
            data = normalize(record, section.fields, errors)
            if data is None:
                continue
            if "position" in data and data["position"] is None:
                data["position"] = index + 1
            check_unique(seen, "slug", data["slug"], record, errors)
            check_unique(seen, "name", data["name"], record, errors)
            values = {k: v for k, v in data.items() if k != "body_part"}
            current = existing.get(data["slug"])
            candidate = section.model(pk=current.pk if current else None, **values)
            if section.key == "muscles":
                body_part = known["body_parts"].get(data["body_part"])
                if body_part is None:
                    errors.append(
                        f'{record.label}: body_part "{data["body_part"]}" is not a known body '
                        "part slug"
                    )
                    continue
                candidate.body_part = body_part
            if not check_instance(candidate, record, errors, exclude=["body_part"]):
                continue
            if section.key in ("body_parts", "difficulties"):
                other = "difficulties" if section.key == "body_parts" else "body_parts"
                if any(
                    r.data.get("slug") == data["slug"]
                    for r in records[other]
                    if isinstance(r.data, dict)
                ):
                    errors.append(
                        f'{record.label}: slug "{data["slug"]}" is also in "{other}"; body parts '
                        "and difficulties share /exercises/<slug>"
                    )
            if current is None:
                action, instance = "created", candidate
            elif taxon_record(section, current) == data:
                action, instance = "unchanged", current
            elif update:
                action, instance = "updated", candidate
            else:
                action, instance = "skipped", current
            holder = by_name.get(data["name"])
            if action in ("created", "updated") and holder and holder.slug != data["slug"]:
                errors.append(
                    f'{record.label}: name "{data["name"]}" is already used by the '
                    f'{section.noun} "{holder.slug}"'
                )
            known[section.key][data["slug"]] = instance
            plan.count(section.key, action)
            if action in ("created", "updated"):
                plan.taxa.append(instance)
    return known


def plan_exercises(plan, records, known, update, status, errors, progress, media_dir=None):
    """Check each exercise record; return the old slugs of each as (record, slugs, exercise),
    and the exercises' slugs as they will be after the import."""
    existing = list(Exercise.objects.for_detail().prefetch_related("old_slugs"))
    by_slug = {e.slug: e for e in existing}
    by_name = {e.name: e for e in existing}
    claimed = {}
    seen = {"slug": {}, "name": {}}
    old_slugs = []
    for record in progress(records, desc="Checking exercises", unit="exercise"):
        data = normalize(record, EXERCISE_FIELDS, errors)
        if data is None:
            continue
        data["status"] = status or data["status"] or Exercise.Status.PUBLISHED
        check_unique(seen, "slug", data["slug"], record, errors)
        check_unique(seen, "name", data["name"], record, errors)
        current = by_slug.get(data["slug"]) or by_name.get(data["name"])
        if current is not None:
            earlier = claimed.setdefault(current.pk, record)
            if earlier is not record:
                errors.append(
                    f'{record.label}: matches the exercise "{current.slug}" that '
                    f"{earlier.label} already matches"
                )
        exercise = Exercise(
            pk=current.pk if current else None,
            name=data["name"],
            slug=data["slug"],
            status=data["status"],
            quick_answer=data["quick_answer"],
        )
        secondary = resolve_references(exercise, data, known, record, errors)
        ok = check_instance(exercise, record, errors, exclude=[*REFERENCES, "secondary_muscles"])
        if not (check_lists(data, record, errors) and secondary is not None and ok):
            continue
        if current is None:
            action = "created"
        elif without_old_slugs(exercise_record(current)) == without_old_slugs(data):
            action = "unchanged"
        else:
            action = "updated" if update else "skipped"
        # Media files are read and checked only for the exercises that will be written.
        exercise._media = media_format.check(
            data, record.label, media_dir, errors, read_files=action in ("created", "updated")
        )
        if action == "updated":
            for key in ("name", "slug"):
                holder = (by_name if key == "name" else by_slug).get(data[key])
                if holder is not None and holder.pk != current.pk:
                    errors.append(
                        f'{record.label}: {key} "{data[key]}" is already used by the exercise '
                        f'"{holder.slug}"'
                    )
            # Save the loaded row, so that its creation time and slug history carry over.
            for key in ("name", "slug", "status", "quick_answer", *REFERENCES):
                setattr(current, key, getattr(exercise, key))
            current._media = exercise._media
            exercise = current
        plan.count("exercises", action)
        if action in ("created", "updated"):
            getattr(plan, action).append((exercise, data, secondary))
        old_slugs.append((record, data["old_slugs"], exercise if action == "created" else current))
    # Updated exercises carry their new slug already.
    live = {e.slug for e in existing} | {e.slug for e, _, _ in plan.created}
    return old_slugs, live


def without_old_slugs(record):
    """An exercise record without its old addresses, which are compared one by one (and
    without empty media, which an export leaves out)."""
    return {
        key: value for key, value in media_format.comparable(record).items() if key != "old_slugs"
    }


def plan_addresses(plan, old_slugs, gone_records, live, update, errors):
    """Check the exercises' old addresses and the addresses of deleted exercises: each listed
    once, none the address of an exercise. Like the exercises, the file only adds: an address
    already in the database that answers differently is kept unless ``update``."""
    stored = dict(ExerciseSlug.objects.values_list("slug", "exercise_id"))
    entries = [
        (f"{record.label}: old_slugs[{index}]", slug, exercise)
        for record, slugs, exercise in old_slugs
        for index, slug in enumerate(slugs)
    ]
    entries += [(record.label, record.data, None) for record in gone_records]
    slug_field = Exercise._meta.get_field("slug")
    seen = {}
    for where, slug, exercise in entries:
        if not isinstance(slug, str):
            errors.append(f"{where} must be a string, not {type_name(slug)}")
            continue
        try:
            slug_field.clean(slug, None)
        except ValidationError as error:
            errors.append(f'{where} "{slug}": {" ".join(error.messages)}')
            continue
        if slug in seen:
            errors.append(f'{where}: "{slug}" is already listed by {seen[slug]}')
            continue
        seen[slug] = where
        if slug in live:
            errors.append(f'{where}: "{slug}" is the address of an exercise, so it cannot be old')
            continue
        target = exercise.pk if exercise is not None else None
        if slug not in stored:
            action = "created"
        elif stored[slug] == target and (exercise is None or target is not None):
            action = "unchanged"
        else:
            action = "updated" if update else "skipped"
        plan.count("old_addresses", action)
        if action in ("created", "updated"):
            plan.addresses.append((slug, exercise))


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


def check_lists(data, record, errors):
    before = len(errors)
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


def write(plan, progress):
    """Save the checked plan: taxa one by one (few), exercises and their lists in bulk."""
    for taxon in plan.taxa:
        taxon.save()
    created = [exercise for exercise, _, _ in plan.created]
    Exercise.objects.bulk_create(created)
    # A live slug wins over the address history (Exercise.save does the same).
    ExerciseSlug.objects.filter(slug__in=[e.slug for e in created]).delete()
    if plan.updated:
        for exercise, _, _ in progress(plan.updated, desc="Updating exercises", unit="exercise"):
            # A new version: an admin form opened before the import cannot be saved over it.
            exercise.version = F("version") + 1
            exercise.save()
    updated_ids = [exercise.pk for exercise, _, _ in plan.updated]
    for model in (ExerciseSecondaryMuscle, *TEXT_LISTS.values(), FAQ):
        model.objects.filter(exercise_id__in=updated_ids).delete()
    rows = {model: [] for model in (ExerciseSecondaryMuscle, *TEXT_LISTS.values(), FAQ)}
    for exercise, data, secondary in plan.created + plan.updated:
        for position, muscle in enumerate(secondary, start=1):
            rows[ExerciseSecondaryMuscle].append(
                ExerciseSecondaryMuscle(exercise=exercise, muscle=muscle, position=position)
            )
        for key, model in TEXT_LISTS.items():
            for position, text in enumerate(data[key], start=1):
                rows[model].append(model(exercise=exercise, position=position, text=text))
        for position, faq in enumerate(data["faqs"], start=1):
            rows[FAQ].append(FAQ(exercise=exercise, position=position, **faq))
    for model, objs in rows.items():
        model.objects.bulk_create(objs)
    media_format.write(
        [(exercise, exercise._media) for exercise, _, _ in plan.created + plan.updated]
    )
    # Old addresses last: a renamed exercise's save has just recorded its previous slug.
    addresses = [ExerciseSlug(slug=slug, exercise=exercise) for slug, exercise in plan.addresses]
    ExerciseSlug.objects.filter(slug__in=[address.slug for address in addresses]).delete()
    ExerciseSlug.objects.bulk_create(addresses)
    # bulk_create sends no signals: tell the page cache itself.
    content_changed()

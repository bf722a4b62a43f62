"""Import a library file: check every record first, then write it all in one transaction.

Existing rows are left alone unless the import is asked to update them; see
docs/library-format.md for the rules.
"""

from itertools import batched

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from ..duplicates import name_key, stored_index
from ..models import Exercise, ExerciseSlug
from ..models.completeness import gate_gaps
from ..recording import forget_rows
from ..text import normalize_name
from . import free_exercise_db, substitutes
from . import media as media_format
from .checks import (
    check_instance,
    check_lists,
    check_unique,
    clean_name,
    differing,
    resolve_references,
    summarize,
)
from .format import (
    EXERCISE_FIELDS,
    FORMAT,
    REFERENCES,
    SECTIONS,
    LibraryError,
    comparable,
    exercise_record,
    forge_records,
    normalize,
    printable,
    quote,
    type_name,
)
from .plan import Change, Plan
from .reading import no_progress
from .taxonomy import plan_taxonomy, taxonomy_slugs
from .writer import CHUNK, LISTS, MEDIA_KEYS, write

FORMATS = ("forge", "free-exercise-db")


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


def import_library(
    data, *, format=None, update=False, status=None, dry_run=False, progress=None, media_dir=None
):
    """Check the whole file, then write it in one transaction; return the Plan (counts per
    kind and what differs in each existing row).

    Existing rows (taxonomy by slug, exercises by slug or else name) are left alone unless
    ``update`` is set. ``status`` overrides every exercise's status. ``media_dir`` is the
    folder the file's `media/` entries are read from (the JSON file's own).
    """
    progress = progress or no_progress
    format = format or detect_format(data)
    try:
        with transaction.atomic():
            errors = []
            if format == "forge":
                records = forge_records(data)
            else:
                records = {key: [] for key in SECTIONS}
                records["exercises"], errors = free_exercise_db.to_forge(data, taxonomy_slugs())
                records["gone_slugs"] = []
            plan = Plan(records=records["exercises"])
            known = plan_taxonomy(plan, records, update, errors)
            exercises = ExercisePlanner(plan, known, update, status, media_dir)
            old_slugs, live = exercises.run(
                errors, progress(plan.records, desc="Checking exercises", unit="exercise")
            )
            plan_addresses(plan, old_slugs, records["gone_slugs"], live, update, errors)
            substitutes.check_references(plan.substitutes, live, errors)
            plan_duplicates(plan, progress)
            if errors:
                raise LibraryError(summarize(errors))
            if not dry_run:
                write(plan, exercises, progress)
    except RecursionError:
        raise LibraryError("its lists and objects are nested too deeply") from None
    except DatabaseError as error:
        # Validation should have refused whatever the database refuses; never a traceback.
        raise LibraryError(printable(f"the database refused the import: {error}")) from None
    return plan


class ExercisePlanner:
    """Checks exercise records against the database a chunk at a time, noting in the plan what
    to do with each. It runs twice: once to check the whole file, then once more to write it,
    chunk by chunk, reading the records again rather than keeping them, with the exercises as
    the database had them before the import (matched by slug, else by name as normalize_name
    makes it, so a look-alike name is the same exercise, never a second one)."""

    def __init__(self, plan, known, update, status, media_dir):
        self.plan, self.known, self.update = plan, known, update
        self.status, self.media_dir = status, media_dir
        index = list(Exercise.objects.values_list("pk", "slug", "name"))
        self.by_slug = {slug: pk for pk, slug, _ in index}
        self.by_name = {normalize_name(name): pk for pk, _, name in index}
        self.slug_of = {pk: slug for pk, slug, _ in index}

    def run(self, errors, records, write=None):
        """Check each record; without `write`, note what to do in the plan; with it, hand it
        each chunk's exercises to create or update (and note nothing: the plan is made).
        Returns the old slugs of each record as (label, slugs, (id or None, slug)), and the
        exercises' slugs as they will be after the import. Only the matched exercises of one
        chunk are loaded whole at a time."""
        plan = self.plan if write is None else type(self.plan)()
        by_slug, by_name, slug_of = self.by_slug, self.by_name, self.slug_of
        claimed = {}
        seen = {"slug": {}, "name": {}}
        old_slugs = []
        created_slugs = set()
        renamed = {}  # slug → slug after the update, of updated exercises
        for chunk in batched(records, CHUNK):
            ready = []
            for record in chunk:
                data = normalize(record, EXERCISE_FIELDS, errors)
                if data is not None:
                    data["name"] = clean_name(data["name"])
                    pk = by_slug.get(data["slug"]) or by_name.get(data["name"])
                    ready.append((record, data, pk))
            matched = (
                Exercise.objects.for_detail()
                .prefetch_related("old_slugs", substitutes.prefetch())
                .in_bulk([pk for _, _, pk in ready if pk is not None])
            )
            written = []
            for record, data, pk in ready:
                current = matched.get(pk)
                entry = plan_exercise(
                    plan,
                    record,
                    data,
                    current,
                    self.known,
                    self.update,
                    self.status,
                    errors,
                    claimed,
                    seen,
                    self.media_dir,
                )
                if entry is None:
                    continue
                exercise, action, row = entry
                if action == "updated":
                    for key, holders in (("name", by_name), ("slug", by_slug)):
                        holder = holders.get(data[key])
                        if holder is not None and holder != current.pk:
                            errors.append(
                                f"{record.label}: {key} {quote(data[key])} is already used by "
                                f'the exercise "{slug_of[holder]}"'
                            )
                if action == "created":
                    created_slugs.add(exercise.slug)
                elif action == "updated":
                    renamed[slug_of[current.pk]] = exercise.slug
                if row is not None:
                    written.append(row)
                if data["old_slugs"]:
                    owner = (None if current is None else current.pk, exercise.slug)
                    old_slugs.append((record.label, data["old_slugs"], owner))
            if write is None:
                plan.written += [(exercise.pk, exercise.name) for exercise, *_ in written]
            elif not errors:
                write(written)
            for exercise in matched.values():
                forget_rows(exercise)
        live = (set(by_slug) - set(renamed)) | set(renamed.values()) | created_slugs
        return old_slugs, live


def plan_exercise(
    plan, record, data, current, known, update, status, errors, claimed, seen, media_dir
):
    """Check one exercise record against the exercise it matches (or None); note what to do
    with it in the plan. Returns (exercise, action, what to write or None), or None when the
    record has a problem."""
    if current is not None:
        earlier = claimed.setdefault(current.pk, record.label)
        if earlier != record.label:
            errors.append(
                f'{record.label}: matches the exercise "{current.slug}" that '
                f"{earlier} already matches"
            )
        if record.carried is not None:
            # What the file's format cannot express stays as the database has it.
            kept = {k: v for k, v in exercise_record(current).items() if k not in record.carried}
            data.update(kept, old_slugs=[], status=status or current.status)
        elif substitutes.KEY not in record.data:
            # A record without them says nothing about them: the database's stay.
            data[substitutes.KEY] = substitutes.record_value(current)
    named_substitutes = substitutes.KEY in record.data
    substitutes_ok = not named_substitutes or substitutes.check_shape(data, record, errors)
    if named_substitutes and substitutes_ok and data[substitutes.KEY] is not None:
        plan.substitutes.append((record.label, data[substitutes.KEY]))
    data["status"] = status or data["status"] or Exercise.Status.PUBLISHED
    if data["grammatical_number"] == Exercise.GrammaticalNumber.AUTO:
        data["grammatical_number"] = None  # the default, which exports leave out
    check_unique(seen, "slug", data["slug"], record, errors)
    check_unique(seen, "name", data["name"], record, errors)
    exercise = Exercise(
        pk=current.pk if current else None,
        name=data["name"],
        slug=data["slug"],
        status=data["status"],
        grammatical_number=data["grammatical_number"] or Exercise.GrammaticalNumber.AUTO,
        featured_rank=data["featured_rank"],
        quick_answer=data["quick_answer"],
    )
    secondary = resolve_references(exercise, data, known, record, errors)
    ok = check_instance(exercise, record, errors, exclude=[*REFERENCES, "secondary_muscles"])
    if not (check_lists(data, record, errors) and secondary is not None and ok and substitutes_ok):
        return None
    if current is None:
        action, fields = "created", (*LISTS, substitutes.KEY, *MEDIA_KEYS)
    else:
        fields = differing(comparable(exercise_record(current)), comparable(data))
        action = "unchanged" if not fields else "updated" if update else "skipped"
    media = None
    if record.carried is None:
        # Media files are read and checked only when they will be written.
        writes_media = action in ("created", "updated") and bool(set(fields) & set(MEDIA_KEYS))
        media = media_format.check(data, record.label, media_dir, errors, read_files=writes_media)
        if media is None:
            return None
    plan.count("exercises", action)
    if action in ("created", "updated") and data["status"] == Exercise.Status.PUBLISHED:
        gaps = gate_gaps(data["quick_answer"], len(data["steps"]))
        if gaps:
            plan.flagged.append((data["name"], gaps))
    if current is None:
        return exercise, action, (exercise, data, secondary, fields, media)
    if action == "unchanged":
        return current, action, None
    plan.changes.append(Change("exercises", current.name, fields, action))
    if action == "updated":
        # Save the loaded row, so that its creation time and slug history carry over; its
        # prefetched lists are not needed any more.
        written = ("name", "slug", "status", "grammatical_number", "featured_rank")
        for key in (*written, "quick_answer", *REFERENCES):
            setattr(current, key, getattr(exercise, key))
        current.__dict__.pop("_prefetched_objects_cache", None)
        return current, action, (current, data, secondary, fields, media)
    return current, action, None


def plan_duplicates(plan, progress):
    """Note each new or renamed exercise whose name is like an existing exercise's, or an
    earlier record's of the file (duplicates.py): a warning, never a refusal, so that a
    backup holding look-alike names still restores."""
    index = stored_index()
    stored = {pk: name for pk, name, _, alias_of in index.entries if alias_of is None}
    checking = progress(plan.written, desc="Comparing names", unit="exercise")
    for number, (pk, name) in enumerate(checking):
        loaded = stored.get(pk)
        if loaded is not None and name_key(loaded) == name_key(name):
            continue
        similar = index.similar(name, exclude=pk)
        if similar:
            plan.similar.append((name, similar))
        index.add(pk or ("record", number), name)


def plan_addresses(plan, old_slugs, gone_records, live, update, errors):
    """Check the exercises' old addresses and the addresses of deleted exercises: each listed
    once, none the address of an exercise. Like the exercises, the file only adds: an address
    already in the database that answers differently is kept unless ``update``."""
    stored = dict(ExerciseSlug.objects.values_list("slug", "exercise_id"))
    entries = [
        (f"{label}: old_slugs[{index}]", slug, owner)
        for label, slugs, owner in old_slugs
        for index, slug in enumerate(slugs)
    ]
    entries += [(record.label, record.data, None) for record in gone_records]
    slug_field = Exercise._meta.get_field("slug")
    seen = {}
    for where, slug, owner in entries:
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
        target = owner[0] if owner is not None else None
        if slug not in stored:
            action = "created"
        elif stored[slug] == target and (owner is None or target is not None):
            action = "unchanged"
        else:
            action = "updated" if update else "skipped"
        plan.count("old_addresses", action)
        if action in ("updated", "skipped"):
            plan.changes.append(Change("old_addresses", slug, ("exercise",), action))
        if action in ("created", "updated"):
            plan.addresses.append((slug, owner[1] if owner is not None else None))

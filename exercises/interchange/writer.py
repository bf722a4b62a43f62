"""Write a checked import plan (importer.py): taxa, then exercises a chunk at a time."""

from itertools import batched

from django.db.models import F

from ..caching import content_changed, one_change_for_all
from ..models import FAQ, Exercise, ExerciseAlias, ExerciseSecondaryMuscle, ExerciseSlug
from ..recording import record_exercises, revision
from . import media as media_format
from . import substitutes
from .checks import summarize
from .format import TEXT_LISTS, LibraryError

# Exercises checked, and then written, together: the records of one chunk are read, the
# database asked about them and their rows built at a time, so memory does not grow with the
# file.
CHUNK = 500
# An exercise's ordered lists in the file, and the model of their rows.
LISTS = {
    "aliases": ExerciseAlias,
    "secondary_muscles": ExerciseSecondaryMuscle,
    **TEXT_LISTS,
    "faqs": FAQ,
}
# The record's keys written by interchange/media.py, replaced together.
MEDIA_KEYS = ("media", "text_credit")
# The comments of the revisions an import records.
IMPORT_CREATE = "Imported from a library file"
IMPORT_UPDATE = "Updated from a library file (import --update)"


def write(plan, exercises, progress):
    """Save the checked plan: taxa one by one (few), then the exercises a chunk at a time as
    the records are read again (`exercises` is the ExercisePlanner that checked them), each
    chunk's new exercises and changed lists in bulk."""
    # One new content version for the whole import, not one per saved or deleted row.
    with one_change_for_all():
        write_plan(plan, exercises, progress)
    # bulk_create sends no signals: tell the page cache itself.
    content_changed()


def write_plan(plan, exercises, progress):
    for taxon in plan.taxa:
        # Its own revision: reverting one taxon must not revert the others imported with it.
        with revision(IMPORT_CREATE if taxon.pk is None else IMPORT_UPDATE):
            taxon.save()
    created, updated, chosen = [], [], []

    def write_chunk(chunk):
        new, changed = write_exercises(chunk)
        created.extend(new)
        updated.extend(changed)
        # Only ids are kept from one chunk to the next; a new exercise has no choices to clear.
        chosen.extend(
            (Exercise(pk=exercise.pk), data[substitutes.KEY])
            for exercise, data, _, keys, _ in chunk
            if substitutes.KEY in keys and (data[substitutes.KEY] or exercise.pk in changed)
        )

    errors = []
    writing = progress(plan.records, desc="Writing exercises", unit="exercise")
    exercises.run(errors, writing, write=write_chunk)
    if errors:
        # The checks found nothing a moment ago: the file changed while it was imported.
        raise LibraryError("the file changed during the import: " + summarize(errors))
    # Substitutes once every exercise is saved: a record may name one a later record creates.
    substitutes.write(chosen)
    # The rows went in with bulk writes, which django-reversion does not see; recorded last so
    # that each revision holds the exercise's substitutes too.
    recording = progress(
        None, total=len(created) + len(updated), desc="Recording history", unit="exercise"
    )
    record_exercises(created, IMPORT_CREATE, done=recording.update)
    record_exercises(updated, IMPORT_UPDATE, done=recording.update)
    recording.close()
    # Old addresses last: a renamed exercise's save has just recorded its previous slug.
    owners = {}
    for slugs in batched({owner for _, owner in plan.addresses if owner is not None}, CHUNK):
        owners |= dict(Exercise.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    for chunk in batched(plan.addresses, CHUNK):
        ExerciseSlug.objects.filter(slug__in=[slug for slug, _ in chunk]).delete()
        ExerciseSlug.objects.bulk_create(
            ExerciseSlug(slug=slug, exercise_id=owners.get(owner)) for slug, owner in chunk
        )


def write_exercises(chunk):
    """Create or save the exercises of one chunk, and replace those of their lists and media
    that the file changes (all of them for a new exercise); return the created and the
    updated exercises' ids."""
    created = [exercise for exercise, *_ in chunk if exercise.pk is None]
    updated = [exercise.pk for exercise, *_ in chunk if exercise.pk is not None]
    Exercise.objects.bulk_create(created)
    # A live slug wins over the address history (Exercise.save does the same).
    ExerciseSlug.objects.filter(slug__in=[e.slug for e in created]).delete()
    created_ids = {exercise.pk for exercise in created}
    for exercise, *_ in chunk:
        if exercise.pk not in created_ids:
            # A new version: an admin form opened before the import cannot be saved over it.
            exercise.version = F("version") + 1
            exercise.save()
    for key, model in LISTS.items():
        changed = [
            (exercise, data, secondary)
            for exercise, data, secondary, keys, _ in chunk
            if key in keys
        ]
        model.objects.filter(
            exercise_id__in=[e.pk for e, *_ in changed if e.pk not in created_ids]
        ).delete()
        rows = []
        for exercise, data, secondary in changed:
            if key == "secondary_muscles":
                values = [{"muscle": muscle} for muscle in secondary]
            elif key == "faqs":
                values = data["faqs"]
            elif key == "aliases":
                values = [{"name": name} for name in data["aliases"]]
            else:
                values = [{"text": text} for text in data[key]]
            rows += [
                model(exercise=exercise, position=position, **value)
                for position, value in enumerate(values, start=1)
            ]
        model.objects.bulk_create(rows)
    media_format.write(
        [
            (exercise, media)
            for exercise, _, _, keys, media in chunk
            if media is not None and set(keys) & set(MEDIA_KEYS)
        ]
    )
    return [exercise.pk for exercise in created], updated

"""Write a checked import plan (importer.py): taxa, then exercises a chunk at a time."""

from itertools import batched

from django.db.models import F

from ..caching import content_changed, one_change_for_all
from ..models import FAQ, Exercise, ExerciseAlias, ExerciseSecondaryMuscle, ExerciseSlug
from ..recording import record_exercises, revision
from . import media as media_format
from . import substitutes
from .format import TEXT_LISTS

# Exercises checked, and then written, together: the database is asked about one chunk at a
# time and the rows of one chunk are built at a time, so memory does not grow with the file
# beyond its parsed records.
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


def write(plan, progress):
    """Save the checked plan: taxa one by one (few), then the exercises a chunk at a time, each
    chunk's new exercises and changed lists in bulk."""
    # One new content version for the whole import, not one per saved or deleted row.
    with one_change_for_all():
        write_plan(plan, progress)
    # bulk_create sends no signals: tell the page cache itself.
    content_changed()


def write_plan(plan, progress):
    for taxon in plan.taxa:
        # Its own revision: reverting one taxon must not revert the others imported with it.
        with revision(IMPORT_CREATE if taxon.pk is None else IMPORT_UPDATE):
            taxon.save()
    writing = progress(plan.exercises, desc="Writing exercises", unit="exercise")
    created, updated = [], []
    for chunk in batched(writing, CHUNK):
        written = write_exercises(chunk)
        created += written[0]
        updated += written[1]
    # Substitutes once every exercise is saved: a record may name one a later record creates.
    substitutes.write(
        [
            (exercise, data[substitutes.KEY])
            for exercise, data, _, keys, _ in plan.exercises
            if substitutes.KEY in keys
        ]
    )
    # The rows went in with bulk writes, which django-reversion does not see; recorded last so
    # that each revision holds the exercise's substitutes too.
    record_exercises(created, IMPORT_CREATE)
    record_exercises(updated, IMPORT_UPDATE)
    # Old addresses last: a renamed exercise's save has just recorded its previous slug.
    addresses = [ExerciseSlug(slug=slug, exercise=exercise) for slug, exercise in plan.addresses]
    ExerciseSlug.objects.filter(slug__in=[address.slug for address in addresses]).delete()
    ExerciseSlug.objects.bulk_create(addresses, batch_size=CHUNK)


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

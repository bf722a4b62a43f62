"""Reverting an exercise to a recorded version: the exercise's fields and all its rows, in their
order, restored in one transaction and recorded as a new revision.

Refused, with the reason, rather than half done: when the exercise was saved since the page
offering the revert was opened, when the version refers to a taxonomy value or a file that no
longer exists, or when its name or address is taken by another exercise now. The exercise's
optimistic-locking version moves on (never back to the old number), so any form opened before
the revert can no longer be saved over it; the saves retire the cached public pages at once
(exercises/caching.py).
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateformat import format as format_date

from .history import UNLISTED, Names, foreign_model
from .models import EXERCISE_ROWS, Exercise
from .recording import revision

# Exercise fields a revert never writes: the database's and every save's own.
KEPT = UNLISTED


class RevertRefused(Exception):
    """The revert cannot be done; the message says why, for the trainer."""


def saved_at(version):
    return format_date(timezone.localtime(version.revision.date_created), "j M Y, H:i")


def revert(snapshot, *, loaded_version, user):
    """Restore the exercise to `snapshot` (history.Snapshot) if it is still at
    `loaded_version`; return the exercise. Raises RevertRefused."""
    exercise = Exercise.objects.filter(pk=snapshot.version.object_id).first()
    if exercise is None:
        raise RevertRefused("This exercise has been deleted; restore it from the deleted list.")
    if loaded_version != exercise.version:
        raise RevertRefused(
            "Someone saved this exercise after you opened this page, so what reverting would "
            "change is not what you saw. Nothing was changed: look at the changes again and "
            "revert from there."
        )
    names = Names([snapshot])
    check_references(snapshot, names)
    when = saved_at(snapshot.version)
    with transaction.atomic(), revision(f"Reverted to the version saved {when}.", user):
        # The version check again, now under the row's lock: of two reverts (or a revert and
        # a save) of the same version, the second finds nothing to move and changes nothing.
        moved = Exercise.objects.filter(pk=exercise.pk, version=loaded_version).update(
            version=F("version") + 1
        )
        if not moved:
            raise RevertRefused("Someone saved this exercise at the same moment; nothing changed.")
        for name, value in snapshot.fields.items():
            if name in KEPT or not has_field(Exercise, name):
                continue
            setattr(exercise, attname(name), value)
        exercise.version = loaded_version + 1
        try:
            exercise.validate_unique()
        except ValidationError as error:
            raise RevertRefused(
                "This version's "
                + " and ".join(
                    f"{Exercise._meta.get_field(name).verbose_name} is now used by another exercise"
                    for name in error.message_dict
                )
                + "; rename that exercise first, or edit this one by hand."
            ) from None
        restore_rows(exercise, snapshot)
        # Saved last, so that the revision (which follows the rows at this save) holds the
        # rows as restored.
        exercise.save()
    return exercise


def attname(name):
    """The attribute a stored field is set through: `body_part_id` for `body_part`."""
    return Exercise._meta.get_field(name).attname


def check_references(snapshot, names):
    """Refuse a version naming a taxonomy value deleted since, or media whose files are gone."""
    missing = []
    for name, value in snapshot.fields.items():
        related = foreign_model(Exercise, name)
        if related is not None and value is not None and names.is_deleted(related, value):
            missing.append(
                f"its {Exercise._meta.get_field(name).verbose_name}, {names.of(related, value)}"
            )
    for relation, rows in snapshot.rows.items():
        model = EXERCISE_ROWS[relation]
        for row in rows:
            for name, value in row.fields.items():
                related = foreign_model(model, name)
                if related is not None and value is not None and names.is_deleted(related, value):
                    missing.append(f"a {model._meta.verbose_name}, {names.of(related, value)}")
            for name in ("image", "video"):
                stored = row.fields.get(name) if relation == "media" else None
                if stored and not default_storage.exists(stored):
                    missing.append(f"the file of an image or video, {stored}")
    if missing:
        raise RevertRefused(
            "This version cannot be restored: it refers to "
            + "; ".join(missing)
            + ", which no longer exists. Nothing was changed; edit the exercise by hand instead."
        )


def restore_rows(exercise, snapshot):
    """Replace the exercise's rows with the snapshot's, keeping their identities and order.

    Every current row goes first (so no unique pair, such as a muscle listed once, can clash
    half-way); each row of the snapshot is then saved anew under its old primary key.
    """
    for relation, model in EXERCISE_ROWS.items():
        model._base_manager.filter(exercise=exercise).delete()
        for row in snapshot.rows.get(relation, []):
            values = {
                model._meta.get_field(name).attname: value
                for name, value in row.fields.items()
                if name != "exercise" and has_field(model, name)
            }
            model(pk=row.pk, exercise=exercise, **values).save(force_insert=True)


def has_field(model, name):
    """Whether the model still has a field stored in an older version."""
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True

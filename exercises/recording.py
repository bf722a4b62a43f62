"""Revisions for the writes that are not an admin form's save: imports, admin actions, bulk
edits and reverts. One revision per exercise, so that each one's history lists, and reverts,
that exercise alone.

django-reversion records what is saved inside `reversion.create_revision()` through post_save;
bulk_create() and update() send no signals, so the writers using them call record_exercises()
once the rows are written.
"""

from contextlib import contextmanager

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import router, transaction
from django.utils import timezone
from reversion.models import Revision, Version
from reversion.revisions import _get_options

from .models import EXERCISE_ROWS, Exercise

# The comment of the revision keeping an exercise (or taxon) as it was before its first change
# with history on: rows made before django-reversion was installed, or by a script.
BASELINE = "As it was before its history was kept"
# Exercises whose revisions are written together (two bulk INSERTs): an import of the starter
# library records its 873 revisions in about two seconds instead of a quarter of a minute;
# 200 at a time keeps the rows read for them to a few megabytes.
CHUNK = 200


@contextmanager
def revision(comment, user=None):
    """A revision by `user` (none: a command) with `comment`, holding what is saved inside."""
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        yield


def record_exercises(pks, comment, user=None, done=None):
    """A revision for each of these exercises holding it and its rows as the database has them
    now (read afresh: a writer's own instances may hold rows from before its bulk writes);
    `done(count)` is told of each chunk recorded (an import's progress).

    Written in bulk rather than through create_revision(), which saves each revision with
    about ten queries; the versions are the ones django-reversion itself would store."""
    pks = sorted(set(pks))
    user = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        for start in range(0, len(pks), CHUNK):
            exercises = Exercise.objects.filter(pk__in=pks[start : start + CHUNK]).order_by("pk")
            exercises = exercises.prefetch_related(
                *EXERCISE_ROWS,
                # A row's name is its muscle's or its substitute exercise's.
                "secondary_muscle_links__muscle",
                "substitute_choices__substitute",
            )
            snapshots = [list(versioned_rows(exercise)) for exercise in exercises]
            for exercise in exercises:
                forget_rows(exercise)
            now = timezone.now()
            revisions = Revision.objects.bulk_create(
                [Revision(date_created=now, user=user, comment=comment) for _ in snapshots]
            )
            Version.objects.bulk_create(
                version_of(row, revision)
                for revision, rows in zip(revisions, snapshots, strict=True)
                for row in rows
            )
            if done is not None:
                done(len(snapshots))


def forget_rows(exercise):
    """Drop the rows loaded with the exercise, which point back at it: without the cycle they
    are freed as soon as they are no longer used, not at the next full garbage collection (a
    large import's memory would grow with every chunk until then)."""
    exercise.__dict__.pop("_prefetched_objects_cache", None)
    exercise._state.fields_cache.clear()


def versioned_rows(exercise):
    """The exercise and the rows its version follows (EXERCISE_ROWS)."""
    yield exercise
    for name in EXERCISE_ROWS:
        related = getattr(exercise, name, None)  # None: no text credit
        if related is None:
            continue
        yield from related.all() if hasattr(related, "all") else [related]


def version_of(obj, revision):
    """The Version django-reversion's add_to_revision() would make of `obj`."""
    options = _get_options(type(obj))
    return Version(
        revision=revision,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        db=router.db_for_write(type(obj)),
        format=options.format,
        serialized_data=serializers.serialize(options.format, [obj], fields=options.fields),
        object_repr=str(obj),
    )


def ensure_baseline(model, pks):
    """Record the rows of `model` (an exercise or a taxon) that have no version yet, as they
    are now, before a change: without it the change could not be reverted."""
    pks = set(pks)
    recorded = Version.objects.get_for_model(model).filter(object_id__in=[str(pk) for pk in pks])
    missing = pks - {int(pk) for pk in recorded.values_list("object_id", flat=True)}
    if not missing:
        return
    if model is Exercise:
        record_exercises(missing, BASELINE)
        return
    rows = list(model._base_manager.filter(pk__in=missing).order_by("pk"))
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=now, comment=BASELINE) for _ in rows]
    )
    Version.objects.bulk_create(
        version_of(row, revision) for row, revision in zip(rows, revisions, strict=True)
    )

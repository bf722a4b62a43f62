"""The trainers' pinned and excluded substitutes of "Swap for" in the library format.

An exercise record carries them as ``"substitutes": {"pinned": [slug, ...], "excluded": [slug,
...]}``, pins in their order; the export writes the key only for exercises that have any
(docs/library-format.md). A record without the key says nothing about them: an update keeps
the database's, so a file written before the format carried them never clears a trainer's
choices. A record with the key states them all, and ``{}`` or empty lists clear them.
"""

from itertools import batched

from django.db.models import Prefetch

from ..models import Exercise, ExerciseSubstitute

# format.py reads record_value: the module, not its names, as format.py is still loading.
from . import format as library_format

KEY = "substitutes"
CHOICES = {"pinned": ExerciseSubstitute.Choice.PIN, "excluded": ExerciseSubstitute.Choice.EXCLUDE}
CHUNK = 500


def prefetch():
    """What exercise_record reads: the choices with their substitute's slug, in page order."""
    return Prefetch(
        "substitute_choices",
        queryset=ExerciseSubstitute.objects.select_related("substitute").only(
            "exercise_id", "choice", "position", "substitute__slug"
        ),
    )


def record_value(exercise):
    """The exercise's choices as the file writes them, or None when it has none."""
    choices = list(exercise.substitute_choices.all())
    if not choices:
        return None
    return {
        key: [c.substitute.slug for c in choices if c.choice == choice]
        for key, choice in CHOICES.items()
    }


def is_empty(value):
    return not value or not any(value.get(key) for key in CHOICES)


def check_shape(data, record, errors):
    """Check the record's `substitutes` object and fill in a missing list; False if unusable."""
    if data.get(KEY) is None:
        return True
    value = data[KEY] = dict(data[KEY])  # filled in below; the file's own object stays as read
    ok = True
    for key in sorted(set(value) - set(CHOICES)):
        errors.append(
            f"{record.label}: {KEY}: unknown key {library_format.quote(key)}, expected "
            '"pinned" or "excluded"'
        )
        ok = False
    seen = {}
    for key in CHOICES:
        slugs = value.setdefault(key, [])
        if not isinstance(slugs, list):
            errors.append(
                f"{record.label}: {KEY}.{key} must be a list, not {library_format.type_name(slugs)}"
            )
            ok = False
            continue
        for index, slug in enumerate(slugs):
            where = f"{record.label}: {KEY}.{key}[{index}]"
            if not isinstance(slug, str):
                errors.append(f"{where} must be a slug, not {library_format.type_name(slug)}")
                ok = False
            elif slug in seen:
                errors.append(
                    f"{where}: {library_format.quote(slug)} is already listed as {seen[slug]}"
                )
                ok = False
            elif slug == data["slug"]:
                errors.append(f"{where}: an exercise cannot be its own substitute")
                ok = False
            else:
                seen[slug] = f"{KEY}.{key}[{index}]"
    return ok


def check_references(references, live, errors):
    """Each named substitute must be an exercise's slug after the import (the file's or the
    database's): an unknown slug is an error naming the record, never dropped."""
    for label, value in references:
        for key in CHOICES:
            for index, slug in enumerate(value[key]):
                if slug not in live:
                    errors.append(
                        f"{label}: {KEY}.{key}[{index}] {library_format.quote(slug)} is not the "
                        "slug of an exercise in the file or the database"
                    )


def write(entries):
    """Replace the choices of each (exercise, value) written; runs once every exercise of the
    import is saved, since a record may name an exercise that a later record creates."""
    for chunk in batched(entries, CHUNK):
        ExerciseSubstitute.objects.filter(exercise__in=[e.pk for e, _ in chunk]).delete()
        slugs = {slug for _, value in chunk if value for key in CHOICES for slug in value[key]}
        pks = dict(Exercise.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        ExerciseSubstitute.objects.bulk_create(
            ExerciseSubstitute(
                exercise=exercise, substitute_id=pks[slug], choice=choice, position=position
            )
            for exercise, value in chunk
            if value
            for key, choice in CHOICES.items()
            for position, slug in enumerate(value[key], start=1)
        )

"""Seed aliases (fixtures/starter-aliases.json): names people search by, added to exercises
that have none yet, so that a trainer's own aliases are never changed or added to.

The file is {"format": "forge-exercise-aliases", "version": 1, "aliases": {slug: [alias, ...]}}
(docs/library-format.md). An exercise the library lacks is passed over: the starter library may
be imported in part.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from ..caching import content_changed
from ..models import Exercise, ExerciseAlias
from ..recording import record_exercises
from .format import LibraryError, check_header, printable, quote, type_name

FORMAT = "forge-exercise-aliases"


@dataclass
class AliasPlan:
    """What seeding did: aliases added, and the file's exercises passed over and why."""

    added: int = 0
    kept: list = field(default_factory=list)  # slugs of exercises that already have aliases
    missing: list = field(default_factory=list)  # slugs the library does not have


def alias_lists(data):
    """The file's {slug: [alias, ...]} after checking its header and shape."""
    check_header(data, kind=FORMAT, name="an alias file", keys=["aliases"])
    lists = data.get("aliases", {})
    if not isinstance(lists, dict):
        raise LibraryError(f'"aliases" must be an object, not {type_name(lists)}')
    for slug, names in lists.items():
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise LibraryError(f"aliases of {quote(slug)} must be a list of strings")
    return lists


def seed_aliases(data, *, dry_run=False):
    """Check every alias as the admin does, then add them in one transaction; return the plan.
    Any problem writes nothing and raises LibraryError naming the exercise and alias."""
    lists = alias_lists(data)
    plan, rows, errors = AliasPlan(), [], []
    exercises = Exercise.objects.in_bulk(list(lists), field_name="slug")
    with_aliases = set(
        ExerciseAlias.objects.filter(exercise__in=exercises.values()).values_list(
            "exercise__slug", flat=True
        )
    )
    for slug, names in lists.items():
        exercise = exercises.get(slug)
        if exercise is None:
            plan.missing.append(slug)
            continue
        if slug in with_aliases:
            plan.kept.append(slug)
            continue
        seen = set()
        for position, name in enumerate(names, start=1):
            alias = ExerciseAlias(exercise=exercise, name=name, position=position)
            try:
                alias.full_clean(exclude=["exercise"], validate_constraints=False)
            except ValidationError as error:
                errors.append(f"{slug}: {quote(name)}: {' '.join(error.messages)}")
                continue
            if alias.name.casefold() in seen:
                errors.append(f"{slug}: {quote(name)} is listed twice")
            seen.add(alias.name.casefold())
            rows.append(alias)
    if errors:
        raise LibraryError(
            printable(f"{len(errors)} problem(s), nothing was added: " + "; ".join(errors))
        )
    if not dry_run:
        with transaction.atomic():
            ExerciseAlias.objects.bulk_create(rows)
            content_changed()  # bulk_create sends no signals, to the page cache
            # nor to the history: each exercise's version now holds its aliases.
            record_exercises({row.exercise_id for row in rows}, "Aliases added (seed_aliases)")
    plan.added = len(rows)
    return plan

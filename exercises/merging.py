"""Merging taxonomy values: move every exercise from one or more values of a facet (a muscle,
an equipment, a category, a body part) to another, then delete the emptied values, their hub
addresses redirecting to the value they were merged into.

A merge is recorded as revisions (django-reversion): one holding everything as it was before
(the merged values and every exercise moved, with its rows), which the value's “Recover
deleted …” page in the admin reverts as a whole, and one per exercise moved, so that its
history says what happened.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from reversion.models import Revision, Version

from .models import (
    EXERCISE_ROWS,
    BodyPart,
    Category,
    Equipment,
    Exercise,
    ExerciseSecondaryMuscle,
    HubSlug,
    Muscle,
)
from .recording import record_exercises, version_of, versioned_rows

# The facets whose values may be merged. Difficulty is a ranked scale: folding "Intermediate"
# into "Advanced" would rewrite what every page says about who an exercise is for.
MERGEABLE = (BodyPart, Equipment, Muscle, Category)
# How many of the exercises moved the preview names (all are counted).
PREVIEW_NAMES = 50


class MergeError(ValueError):
    """A merge that cannot be done as asked; the message says why, for the trainer."""


@dataclass
class MergePlan:
    """What merging `sources` into `target` will change, counted before anything is written."""

    model: type
    sources: list
    target: object
    exercises: list  # the exercises whose value of the facet moves, by name
    by_source: dict  # source pk → how many of its exercises move
    secondary_moved: int = 0  # secondary-muscle rows re-pointed to the target
    secondary_dropped: int = 0  # ... and those dropped, as the exercise has the target already
    muscles_moved: int = 0  # muscles of a merged body part, moved to the target
    old_addresses: int = 0  # old hub addresses of the sources, now redirecting to the target

    @property
    def field(self):
        return self.model.exercise_field

    @property
    def description(self):
        """“the muscle “Erector Spinae” into “Lower Back””, for revisions and messages."""
        names = " and ".join(f"“{source}”" for source in self.sources)
        noun = self.model._meta.verbose_name
        if len(self.sources) > 1:
            noun = self.model._meta.verbose_name_plural
        return f"the {noun} {names} into “{self.target}”"


def plan_merge(model, sources, target):
    """Check a merge and count what it changes; refuse merging a value into itself, an empty
    selection or a facet that may not be merged."""
    if model not in MERGEABLE:
        raise MergeError(f"{model._meta.verbose_name_plural.capitalize()} cannot be merged.")
    sources = [source for source in sources if source.pk != getattr(target, "pk", None)]
    if target is None or not isinstance(target, model):
        raise MergeError(f"Choose the {model._meta.verbose_name} to merge into.")
    if not sources:
        raise MergeError(f"“{target}” cannot be merged into itself; select other values.")
    source_ids = [source.pk for source in sources]
    field = model.exercise_field
    exercises = list(
        Exercise.objects.filter(**{f"{field}__in": source_ids})
        .only("pk", "name", "slug", field)
        .order_by("name")
    )
    counts = dict(
        Exercise.objects.filter(**{f"{field}__in": source_ids})
        .order_by()
        .values_list(field)
        .annotate(n=Count("pk"))
    )
    plan = MergePlan(
        model=model,
        sources=sources,
        target=target,
        exercises=exercises,
        by_source={pk: counts.get(pk, 0) for pk in source_ids},
        old_addresses=HubSlug.objects.filter(
            facet=model.facet, **{f"{model.facet}__in": source_ids}
        ).count()
        + len(sources),
    )
    if model is Muscle:
        dropped = repeated_secondary_muscles(source_ids, target)
        kept = ExerciseSecondaryMuscle.objects.filter(muscle__in=source_ids).exclude(
            pk__in=dropped.values("pk")
        )
        # Two sources on one exercise become one row.
        plan.secondary_moved = kept.values("exercise").distinct().count()
        plan.secondary_dropped = dropped.count() + kept.count() - plan.secondary_moved
    if model is BodyPart:
        plan.muscles_moved = Muscle.objects.filter(body_part__in=source_ids).count()
    return plan


@transaction.atomic
def merge(plan, user=None):
    """Carry out a checked plan in one transaction, recording its revisions; returns the
    plan. Each exercise is saved (a new version for the admin's check, `updated`, signals), so
    a form opened before the merge cannot save the old value back."""
    model, target, field = plan.model, plan.target, plan.field
    source_ids = [source.pk for source in plan.sources]
    moved_ids = list(
        Exercise.objects.filter(**{f"{field}__in": source_ids}).values_list("pk", flat=True)
    )
    if model is Muscle:
        # Exercises whose secondary-muscle rows change without their target muscle moving.
        moved_ids += ExerciseSecondaryMuscle.objects.filter(
            Q(muscle__in=source_ids) | Q(muscle=target, exercise__target_muscle__in=source_ids)
        ).values_list("exercise", flat=True)
    record_before(plan, moved_ids, user)
    moved = Exercise.objects.filter(**{f"{field}__in": source_ids})
    if model is Muscle:
        merge_secondary_muscles(source_ids, target)
    for exercise in moved:
        setattr(exercise, field, target)
        exercise.version = F("version") + 1
        exercise.save(update_fields=[field, "updated", "version"])
    if model is BodyPart:
        for muscle in Muscle.objects.filter(body_part__in=source_ids):
            muscle.body_part = target
            muscle.save(update_fields=["body_part", "updated"])
    # The sources' addresses, old and current, redirect to the target's hub from now on.
    HubSlug.objects.filter(facet=model.facet, **{f"{model.facet}__in": source_ids}).update(
        **{model.facet: target}
    )
    slugs = [source.slug for source in plan.sources]
    for source in plan.sources:
        source.delete()
    HubSlug.objects.bulk_create(
        HubSlug(facet=model.facet, slug=slug, **{model.facet: target}) for slug in slugs
    )
    record_exercises(moved_ids, f"Merged {plan.description}.", user)
    return plan


def record_before(plan, exercise_ids, user):
    """One revision of everything the merge changes, as it is before: the merged values (and,
    for body parts, their muscles) and the exercises with their rows. Reverting it undoes the
    merge; the admin offers that on the merged value's “Recover deleted …” page."""
    exercises = Exercise.objects.filter(pk__in=set(exercise_ids)).prefetch_related(
        *EXERCISE_ROWS, "secondary_muscle_links__muscle"
    )
    rows = [*plan.sources]
    if plan.model is BodyPart:
        rows += Muscle.objects.filter(body_part__in=plan.sources)
    rows += [row for exercise in exercises for row in versioned_rows(exercise)]
    revision = Revision.objects.create(
        date_created=timezone.now(),
        user=user if user is not None and user.is_authenticated else None,
        comment=f"Before merging {plan.description} (recover it to undo the merge).",
    )
    Version.objects.bulk_create(version_of(row, revision) for row in rows)


def repeated_secondary_muscles(source_ids, target):
    """The secondary-muscle rows a merge into `target` makes repeat the exercise's muscles:
    a source's row where the exercise lists the target already or will have it as its target
    muscle, and a row of the target where a source is the exercise's target muscle."""
    sources = Q(muscle__in=source_ids) & (
        Q(exercise__secondary_muscle_links__muscle=target)
        | Q(exercise__target_muscle=target)
        | Q(exercise__target_muscle__in=source_ids)
    )
    of_target = Q(muscle=target, exercise__target_muscle__in=source_ids)
    matching = ExerciseSecondaryMuscle.objects.filter(sources | of_target)
    return ExerciseSecondaryMuscle.objects.filter(pk__in=matching.values("pk"))


def merge_secondary_muscles(source_ids, target):
    """Point the sources' secondary-muscle rows at the target, dropping those that would repeat
    a muscle of the exercise (repeated_secondary_muscles)."""
    for link in repeated_secondary_muscles(source_ids, target):
        link.delete()
    seen = set()
    for link in ExerciseSecondaryMuscle.objects.filter(muscle__in=source_ids).order_by(
        "exercise", "position", "id"
    ):
        if link.exercise_id in seen:  # two sources on one exercise: keep the first
            link.delete()
            continue
        seen.add(link.exercise_id)
        link.muscle = target
        link.save(update_fields=["muscle"])

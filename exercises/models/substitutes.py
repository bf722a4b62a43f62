"""What an exercise can be swapped for: trainers' pins and exclusions over the computed list.

The computed substitutes (ExerciseQuerySet.substitutes_for) are the published exercises of the
same movement with other equipment. "The same movement" is, in what the model records, the
same target muscle and the same category (the kind of training: strength, stretching,
plyometrics...); within it, those sharing more secondary muscles, the muscles that move with
it, come first. Trainers correct that list here: a pinned exercise is always offered (first in
its equipment's group, in their order), an excluded one never.
"""

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from .content import exercise_link


class ExerciseSubstitute(models.Model):
    class Choice(models.TextChoices):
        PIN = "pin", "Pin: always offer it"
        EXCLUDE = "exclude", "Exclude: never offer it"

    exercise = exercise_link("substitute_choices")
    substitute = models.ForeignKey(
        "exercises.Exercise",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="An exercise visitors could do instead of this one. It shows only while "
        "it is published.",
    )
    choice = models.CharField(
        max_length=10,
        choices=Choice,
        default=Choice.PIN,
        help_text="Pin: offered in “Swap for” even if it is not computed (first in its "
        "equipment's group). Exclude: never offered, even if the same target muscle and "
        "category would suggest it.",
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order of the pinned exercises within their equipment's group."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "substitute"
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "substitute"], name="substitute_once_per_exercise"
            ),
            models.CheckConstraint(
                condition=~Q(substitute=F("exercise")), name="substitute_not_itself"
            ),
            models.CheckConstraint(
                condition=Q(choice__in=["pin", "exclude"]), name="substitute_choice_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_choice_display()}: {self.substitute}"

    def clean(self):
        super().clean()
        if self.exercise_id and self.exercise_id == self.substitute_id:
            raise ValidationError({"substitute": "An exercise cannot be its own substitute."})


@dataclass(frozen=True)
class SubstituteGroup:
    """The substitutes that use one equipment, best first."""

    equipment: object
    exercises: list


def grouped(substitutes):
    """Substitutes ordered by equipment (as substitutes_for returns them) as SubstituteGroups."""
    return [
        SubstituteGroup(equipment, list(exercises))
        for equipment, exercises in groupby(substitutes, key=attrgetter("equipment"))
    ]


def instead_answer(exercise, groups, named=4):
    """The answer to “What can I do instead of …?”: the best substitute of the first `named`
    equipment groups, as the “Swap for” block lists them; "" without substitutes."""
    picks = [f"{group.exercises[0].subject.the} ({group.equipment.lower_name})" for group in groups]
    if not picks:
        return ""
    picks = picks[:named]
    listing = picks[0] if len(picks) == 1 else ", ".join(picks[:-1]) + " or " + picks[-1]
    return (
        f"Try an exercise that works the {exercise.target_muscle.lower_name} the same way with "
        f"the equipment you have: {listing}."
    )

"""The trainers' corrections of “Swap for”: pinned and excluded substitutes of an exercise."""

from django.contrib import admin

from .models import ExerciseSubstitute


class SubstituteInline(admin.TabularInline):
    """The rest of “Swap for” is computed: exercises with the same target muscle and category
    and other equipment, three per equipment (ExerciseQuerySet.substitutes_for). Each field's
    help text tells trainers what a pin and an exclusion do."""

    model = ExerciseSubstitute
    fk_name = "exercise"
    fields = ["substitute", "choice", "position"]
    autocomplete_fields = ["substitute"]
    extra = 0
    verbose_name = "substitute pinned or excluded"
    verbose_name_plural = "Swap for: pinned and excluded substitutes"

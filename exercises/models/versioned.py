"""Which rows django-reversion keeps versions of (the history and revert of exercises/history.py).

An exercise's version holds the exercise and every row the exercise form edits with it, so one
revision is the whole form as it was saved: reverting it restores the rows and their order. The
taxonomy's values are versioned on their own. The old addresses (`old_slugs`) are not followed:
the exercise keeps them itself when its slug changes, a revert of the slug included, so every
address that was ever public keeps working.
"""

import reversion

from .content import FAQ, CommonMistake, ExerciseAlias, ExerciseSecondaryMuscle, ProTip, Step
from .exercise import Exercise
from .media import ExerciseMedia, ExerciseTextCredit
from .substitutes import ExerciseSubstitute
from .taxonomy import FACETS

# The exercise's relations a version follows, in the order the history lists their changes.
EXERCISE_ROWS = {
    "aliases": ExerciseAlias,
    "secondary_muscle_links": ExerciseSecondaryMuscle,
    "steps": Step,
    "pro_tips": ProTip,
    "common_mistakes": CommonMistake,
    "faqs": FAQ,
    "media": ExerciseMedia,
    "text_credit": ExerciseTextCredit,
    # The trainers' pins and exclusions of “Swap for”, edited on the same form.
    "substitute_choices": ExerciseSubstitute,
}
# Kept by the database itself (search_document) or by every save (updated): no history of their
# own, and never restored by a revert.
EXERCISE_UNVERSIONED = ("search_document",)


def register():
    reversion.register(Exercise, follow=tuple(EXERCISE_ROWS), exclude=EXERCISE_UNVERSIONED)
    for model in EXERCISE_ROWS.values():
        reversion.register(model)
    for model in FACETS:
        reversion.register(model)


register()

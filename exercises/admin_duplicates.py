"""Near-duplicate names in the exercise admin: the same name apart from case, accents, spaces
or punctuation is refused; a close one is saved with a warning linking to the other exercise
(duplicates.py says what counts as close)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .duplicates import SAME, name_key, similar_exercises
from .text import normalize_name


def admin_link(similar):
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:exercises_exercise_change", args=[similar.pk]),
        similar.name,
    )


class DuplicateNameFormMixin:
    """For ExerciseForm: refuse a new or changed name that is another exercise's name apart
    from case, accents, spaces or punctuation (“Push Up” beside “Push-Up”). A name kept as it
    was is not checked again, so look-alikes from before this check can still be edited."""

    def clean_name(self):
        name = normalize_name(self.cleaned_data.get("name") or "")
        loaded = self.instance.name if self.instance.pk else None
        if loaded is not None and name_key(loaded) == name_key(name):
            return name
        self.similar_names = similar_exercises(name, exclude=self.instance.pk)
        # Another exercise's alias only warns: "Skull Crusher" may be worth its own page.
        same = [s for s in self.similar_names if s.how == SAME and not s.alias]
        if same:
            raise ValidationError(
                format_html(
                    "{} already has this name, written differently ({}). Edit that exercise, "
                    "or tell them apart by name, e.g. by the equipment.",
                    format_html_join(", ", "{}", ((admin_link(s),) for s in same)),
                    SAME,
                ),
                code="duplicate_name",
            )
        return name


class DuplicateNamesAdminMixin:
    """For ExerciseAdmin: after saving a new or renamed exercise, warn about close names."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        similar = getattr(form, "similar_names", [])
        if similar:
            self.message_user(
                request,
                format_html(
                    "“{}” is saved. Is it a duplicate? Similar names: {}.",
                    obj.name,
                    format_html_join(
                        "; ", "{} ({})", ((admin_link(s), s.how) for s in similar[:10])
                    ),
                ),
                messages.WARNING,
            )

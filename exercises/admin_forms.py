"""The exercise admin's forms: ordered rows renumbered on save, and the exercise form's check
against saving over someone else's newer save (optimistic locking)."""

import re
from math import inf

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from .admin_duplicates import DuplicateNameFormMixin
from .text import name_is_plural, normalize_name

POSITION_HELP = (
    "Lower numbers come first. Leave 0 on a new row to add it at the end; type a number to "
    "put the row at that place. Rows are renumbered 1, 2, 3… when you save."
)


class PositionedInlineFormSet(BaseInlineFormSet):
    """Save ordered rows in the order the trainer means, then number them 1, 2, 3…

    A row's number decides its place. A new row left at 0 goes to the end, rows entered together
    keep the order they were entered in, and a new or renumbered row goes before an unchanged row
    holding the same number (typing 2 means "make this the second one").
    """

    # What one row is called in the move buttons' names ("Move step 2 up"); set per inline
    # (admin_ordering.OrderedInlineMixin).
    order_noun = "row"

    def __init__(self, *args, default_order_direction="", default_order_field="position", **kwargs):
        # django-admin-sortable2 passes the ordering it drags by (SortableAdminBase); having it
        # marks the inline "sortable" for its script. The numbers are ours to keep (renumber).
        self.default_order_direction = default_order_direction
        self.default_order_field = default_order_field
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        """The position stays a number field the trainer can type into (without JavaScript
        too); the drag-and-drop and move-button scripts find it by its class and set it."""
        super().add_fields(form, index)
        if "position" in form.fields:
            place = "" if index is None else f" {index + 1}"
            form.fields["position"].widget = forms.NumberInput(
                attrs={
                    "class": "_reorder_ vSmallField",
                    "min": 0,
                    "data-order-noun": self.order_noun,
                    "aria-label": f"Position of {self.order_noun}{place}",
                }
            )

    def save(self, commit=True):
        saved = super().save(commit=commit)
        if commit:
            self.renumber()
        return saved

    def renumber(self):
        deleted = set(self.deleted_forms)
        rows = []
        for index, form in enumerate(self.forms):
            row = form.instance
            if row.pk is None or form in deleted:
                continue  # an empty extra row, or one deleted just now
            is_new = index >= self.initial_form_count()
            moved = is_new or "position" in form.changed_data
            number = inf if is_new and row.position == 0 else row.position
            rows.append(((number, not moved, index), row))
        rows.sort(key=lambda entry: entry[0])
        for place, (_, row) in enumerate(rows, start=1):
            if row.position != place:
                row.position = place
                row.save(update_fields=["position"])


class SecondaryMuscleFormSet(PositionedInlineFormSet):
    def clean(self):
        """Refuse the target muscle as a secondary muscle: the page would list it twice."""
        super().clean()
        target_id = self.instance.target_muscle_id
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            muscle = getattr(form, "cleaned_data", {}).get("muscle")
            if muscle is not None and muscle.pk == target_id:
                form.add_error(
                    "muscle",
                    f"{muscle} is this exercise's target muscle; list only other muscles "
                    "as secondary muscles.",
                )


class AliasFormSet(PositionedInlineFormSet):
    def clean(self):
        """Refuse an alias listed twice (“RDL” and “rdl” are one alias) before the database
        does: its unique constraint would otherwise end the save with an error page."""
        super().clean()
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            name = getattr(form, "cleaned_data", {}).get("name")
            if not name:
                continue
            key = normalize_name(name).casefold()
            if key in seen:
                form.add_error("name", f"“{normalize_name(name)}” is already listed above.")
            seen.add(key)


class StaleSave(Exception):
    """Someone else saved the exercise after this form was checked: undo this save."""


class ExerciseForm(DuplicateNameFormMixin, forms.ModelForm):
    """The exercise form; it carries the version of the exercise it was loaded with, so that a
    save over someone else's newer save is refused (see ExerciseAdmin.save_model). Its name is
    checked against near-duplicates (admin_duplicates.py)."""

    # Rendered by templates/admin/exercises/exercise/change_form.html. A text field read in
    # clean(): a tampered value becomes a message at the top of the form, where an error of a
    # hidden field would not be seen.
    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set by ExerciseAdmin when a save lost the race after this form was first checked.
    refused = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "grammatical_number" in self.fields:
            self.explain_grammatical_number(self.fields["grammatical_number"])
        if self.instance.pk is not None:
            # A string, as posted back: an int would count as a change in the history.
            self.initial["loaded_version"] = str(self.instance.version)

    def explain_grammatical_number(self, field):
        # A form that leaves the choice out (a script, an older page) keeps the stored one.
        field.required = False
        name = self.instance.name
        if name:
            # Say how "From the name" reads this exercise's name, so a wrong guess shows.
            reading = "plural" if name_is_plural(name) else "singular"
            field.choices = [
                (value, f"{label} (here: {reading})" if value == "auto" else label)
                for value, label in field.choices
            ]

    def clean_grammatical_number(self):
        return self.cleaned_data["grammatical_number"] or self.instance.grammatical_number

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:
            cleaned_data.pop("loaded_version", None)
            return cleaned_data
        current = self.instance.version  # loaded by this request: the latest saved version
        value = cleaned_data.get("loaded_version") or ""
        loaded = int(value) if re.fullmatch(r"[0-9]{1,10}", value) else 0
        if not 1 <= loaded <= current:
            raise ValidationError(
                self.problem(
                    "This form is missing the version of the exercise it was opened with, so "
                    "it cannot tell whether someone else changed the exercise since. Your "
                    "changes below are not saved; copy them, {reload}, and apply them again."
                ),
                code="bad_version",
            )
        if self.refused or loaded != current:
            saved = timezone.localtime(self.instance.updated)
            when = format_date(saved, "H:i T")
            if saved.date() != timezone.localdate():
                when = format_date(saved, "j M Y, H:i T")
            raise ValidationError(
                self.problem(
                    "Someone else saved this exercise at {when} while you were editing (its "
                    "{history} says who). Your changes below are not saved: copy them, "
                    "{reload}, and apply them again.",
                    when=when,
                ),
                code="stale",
            )
        cleaned_data["loaded_version"] = loaded
        return cleaned_data

    def problem(self, text, **values):
        """A message with links to reload the exercise and to its history."""
        args = [self.instance.pk]
        return format_html(
            text,
            reload=format_html(
                '<a href="{}">reload the exercise</a>',
                reverse("admin:exercises_exercise_change", args=args),
            ),
            history=format_html(
                '<a href="{}">history</a>', reverse("admin:exercises_exercise_history", args=args)
            ),
            **values,
        )

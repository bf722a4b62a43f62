"""Bulk edit: give the selected exercises another body part, equipment, category, difficulty or
status in one action, after a confirmation page that lists them with their current values.

Each exercise changed is saved on its own, with its own revision (so each one's history shows
the change and can revert it), a new optimistic-locking version and an entry in the admin log.
Publishing this way passes the publish gate like every other way of publishing.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import F
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from .models import BodyPart, Category, Difficulty, Equipment, Exercise
from .models.completeness import gate_gaps, gate_message
from .recording import ensure_baseline, revision

KEEP = "(keep as it is)"


def facet_choice(model, help_text):
    """A facet's new value for every selected exercise, or "keep" to change nothing."""
    return forms.ModelChoiceField(
        model.objects.all(), required=False, empty_label=KEEP, help_text=help_text
    )


class BulkEditForm(forms.Form):
    """The values to give every selected exercise; a field left at "keep" changes nothing."""

    body_part = facet_choice(BodyPart, "The hub page the exercises are listed on.")
    equipment = facet_choice(Equipment, "What the exercises need.")
    category = facet_choice(Category, "The kind of training they are.")
    difficulty = facet_choice(Difficulty, "How demanding they are.")
    status = forms.ChoiceField(
        choices=[("", KEEP), *Exercise.Status.choices],
        required=False,
        help_text="Published exercises must pass the publish gate; those that do not are "
        "named and left as they are.",
    )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.fields):
            raise forms.ValidationError(
                "Choose at least one new value: every field says “keep as it is”.",
                code="nothing_chosen",
            )
        return cleaned

    def changes(self):
        """{field name: new value} of the fields given a value."""
        return {name: value for name, value in self.cleaned_data.items() if value}


class BulkEditMixin:
    """For ExerciseAdmin: the "Bulk edit" action with its confirmation page."""

    @admin.action(description="Bulk edit selected exercises…", permissions=["change"])
    def bulk_edit(self, request, queryset):
        queryset = queryset.select_related(
            "body_part", "equipment", "category", "difficulty"
        ).order_by("name")
        form = BulkEditForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self.apply_bulk_edit(request, queryset, form.changes())
            return None  # back to the change list, with the messages
        context = {
            **self.admin_site.each_context(request),
            "title": "Bulk edit exercises",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "exercises": queryset,
            "count": queryset.count(),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action": "bulk_edit",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/exercises/exercise/bulk_edit.html", context)

    def apply_bulk_edit(self, request, queryset, changes):
        """Save each exercise that the changes change; one revision and log entry each."""
        labels = {name: BulkEditForm.base_fields[name].label or name for name in changes}
        status = changes.get("status")
        changed, refused = 0, []
        with transaction.atomic():
            ensure_baseline(Exercise, queryset.values_list("pk", flat=True))
            for exercise in queryset.prefetch_related("steps"):
                differing = {
                    name: value
                    for name, value in changes.items()
                    if getattr(exercise, name) != value
                }
                if not differing:
                    continue
                if status == Exercise.Status.PUBLISHED and not exercise.is_published:
                    gaps = gate_gaps(exercise.quick_answer, len(exercise.steps.all()))
                    if gaps:
                        refused.append(gate_message(exercise.name, gaps))
                        continue
                # A new version first: the revision records the row as saved.
                Exercise.objects.filter(pk=exercise.pk).update(version=F("version") + 1)
                exercise.refresh_from_db(fields=["version"])
                for name, value in differing.items():
                    setattr(exercise, name, value)
                said = ", ".join(
                    f"{labels[name].lower()} → {shown(value)}" for name, value in differing.items()
                )
                with revision(f"Bulk edit: {said}.", request.user):
                    exercise.save()
                self.log_change(
                    request,
                    exercise,
                    [{"changed": {"fields": [str(labels[name]) for name in differing]}}],
                )
                changed += 1
        if changed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d exercise changed; its history can revert it.",
                    "%(count)d exercises changed; each one's history can revert it.",
                    changed,
                )
                % {"count": changed},
                messages.SUCCESS,
            )
        elif not refused:
            self.message_user(
                request, "Nothing changed: the selection already had these values.", messages.INFO
            )
        for message in refused:
            self.message_user(request, f"Not published: {message}", messages.WARNING)


def shown(value):
    if isinstance(value, str):
        return Exercise.Status(value).label.lower()
    return str(value)

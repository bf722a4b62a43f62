"""The exercise admin's completeness: the checklist column, a filter per gap, the publish
gate (on the form and on the Publish action) and the admin index's dashboard of what the
library lacks. The checklist itself is defined once, in models/completeness.py."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from .admin_forms import PositionedInlineFormSet
from .models import Exercise
from .models.completeness import CHECKS, PUBLISH_MIN_STEPS, gate_gaps, gate_message

CHANGELIST = "admin:exercises_exercise_changelist"
# How many refused exercises the Publish action names; the rest are counted.
NAMED_REFUSALS = 10


class MissingFilter(admin.SimpleListFilter):
    """One choice per checklist item: the exercises that lack it."""

    title = "what is missing"
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [(check.key, capfirst(check.gap)) for check in CHECKS]

    def queryset(self, request, queryset):
        if self.value() in {check.key for check in CHECKS}:
            return queryset.missing(self.value())
        return queryset


class PublishGateFilter(admin.SimpleListFilter):
    title = "publish gate"
    parameter_name = "gate"

    def lookups(self, request, model_admin):
        return [
            ("passes", "Passes"),
            ("fails", "Fails"),
            ("flagged", "Published but fails it"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "passes":
            return queryset.passing_gate()
        if self.value() == "fails":
            return queryset.failing_gate()
        if self.value() == "flagged":
            return queryset.published().failing_gate()
        return queryset


class PublishGateFormSet(PositionedInlineFormSet):
    """The steps inline's formset, which sees both the exercise as the form set it and the
    steps as they will be saved: it refuses to publish an exercise that fails the gate.

    Every way of saving the change form (Save, Save and continue, a Publish button) runs it.
    An exercise already published before the gate (the starter library) may still be saved
    as it is, but not made thinner: removing its quick answer or a step below the minimum is
    refused too."""

    def clean(self):
        super().clean()
        exercise = self.instance
        if exercise.status != Exercise.Status.PUBLISHED:
            return
        steps = sum(
            1
            for form in self.forms
            if getattr(form, "cleaned_data", {}).get("text")
            and not (self.can_delete and self._should_delete_form(form))
        )
        gaps = gate_gaps(exercise.quick_answer, steps)
        if not gaps:
            return
        if getattr(exercise, "_loaded_status", None) == Exercise.Status.PUBLISHED:
            before = Exercise.objects.with_completeness().get(pk=exercise.pk)
            lost_answer = before.has_quick_answer and not exercise.quick_answer.strip()
            lost_steps = steps < min(before.step_total, PUBLISH_MIN_STEPS)
            if not (lost_answer or lost_steps):
                return  # flagged as it was; ExerciseAdmin says so after the save
        raise ValidationError(
            gate_message(exercise.name, gaps)
            + " Save it as a draft, or add what is missing first.",
            code="publish_gate",
        )


class CompletenessAdminMixin:
    """For ExerciseAdmin: the annotations behind the column, the gate's message at the top of
    the form, a warning after saving a flagged exercise, and the gate on Publish."""

    def get_queryset(self, request):
        return super().get_queryset(request).with_completeness()

    @admin.display(description="Complete", ordering="completeness_score")
    def completeness(self, obj):
        gaps = obj.completeness_gaps
        text = format_html(
            '<span class="completeness-score">{}/{}</span>', obj.completeness_score, len(CHECKS)
        )
        if obj.is_published and obj.publish_gaps():
            text += format_html(' <strong class="completeness-flag">{}</strong>', "fails gate")
        if gaps:
            text += format_html(
                ' <span class="completeness-gaps">no {}</span>',
                ", ".join(check.short for check in gaps),
            )
        return text

    @admin.display(description="Updated", ordering="updated")
    def last_updated(self, obj):
        # The day is enough in the list (the form has the time): it keeps the row on one line.
        return date_format(timezone.localtime(obj.updated), "j M Y")

    def render_change_form(self, request, context, *args, **kwargs):
        """Repeat the gate's refusal at the top of the form, where the trainer looks first."""
        form = context["adminform"].form
        for inline in context.get("inline_admin_formsets", []):
            for error in inline.formset.non_form_errors().as_data():
                if error.code == "publish_gate":
                    form.add_error(None, error)
        return super().render_change_form(request, context, *args, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        exercise = form.instance
        if exercise.is_published:
            gaps = exercise.publish_gaps(step_count=exercise.steps.count())
            if gaps:
                self.message_user(
                    request,
                    gate_message(exercise.name, gaps).replace(
                        "cannot be published yet", "stays published but is flagged"
                    ),
                    messages.WARNING,
                )

    def publishable(self, request, queryset):
        """(The selection without the drafts that fail the gate, how many those are); they are
        named in a message with what each lacks. Published ones stay as they are."""
        refused = list(
            queryset.exclude(status=Exercise.Status.PUBLISHED)
            .failing_gate()
            .with_completeness()
            .order_by("name")
        )
        if refused:
            named = format_html_join(
                " ",
                '<a href="{}">{}</a>',
                (
                    (
                        reverse("admin:exercises_exercise_change", args=[exercise.pk]),
                        gate_message(exercise.name, exercise.publish_gaps()),
                    )
                    for exercise in refused[:NAMED_REFUSALS]
                ),
            )
            more = len(refused) - NAMED_REFUSALS
            if more > 0:
                named += format_html(
                    ' … and {} more: <a href="{}?gate=fails&status__exact=draft">list them</a>.',
                    more,
                    reverse(CHANGELIST),
                )
            self.message_user(
                request,
                format_html("Not published ({} of the selection): {}", len(refused), named),
                messages.ERROR,
            )
        return queryset.exclude(pk__in=[exercise.pk for exercise in refused]), len(refused)


def library_gaps():
    """The admin index's dashboard: what the library lacks, each count with a link to the
    change list filtered to exactly those exercises."""
    counts = Exercise.objects.completeness_counts()
    url = reverse(CHANGELIST)
    rows = [
        {
            "label": capfirst(check.gap),
            "all": every,
            "all_url": f"{url}?missing={check.key}",
            "published": published,
            "published_url": f"{url}?missing={check.key}&status__exact=published",
        }
        for check in CHECKS
        for every, published in [counts["gaps"][check.key]]
    ]
    return {
        "total": counts["total"],
        "published": counts["published"],
        "flagged": counts["flagged"],
        "flagged_url": f"{url}?gate=flagged",
        "rows": rows,
        "min_steps": PUBLISH_MIN_STEPS,
    }

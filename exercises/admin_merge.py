"""The taxonomy admins' “Merge into another …” action: choose the value to keep, see what moves
(a preview, nothing written), then confirm. The work itself is in merging.py."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from .merging import PREVIEW_NAMES, MergeError, merge, plan_merge


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose…",
        help_text="Every exercise of the selected values moves to this one; the selected "
        "values are then deleted and their hub addresses redirect to its hub.",
    )

    def __init__(self, model, sources, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        field.queryset = model.objects.exclude(pk__in=[source.pk for source in sources])
        field.label = f"Merge into this {model._meta.verbose_name}"
        field.error_messages["invalid_choice"] = (
            f"Choose one of the listed {model._meta.verbose_name_plural}: the one chosen is "
            "selected for merging or no longer exists."
        )


class MergeActionMixin:
    """For a facet's admin: the merge action, for those who may delete the facet's values
    (merging deletes them) and change exercises."""

    actions = ["merge_into"]

    def has_merge_permission(self, request):
        return self.has_delete_permission(request) and request.user.has_perm(
            "exercises.change_exercise"
        )

    @admin.action(description="Merge into another %(verbose_name)s…", permissions=["merge"])
    def merge_into(self, request, queryset):
        model = self.model
        sources = list(queryset.order_by("name"))
        step = request.POST.get("merge_step")
        form = MergeForm(model, sources, request.POST if step else None)
        plan = None
        if step and form.is_valid():
            try:
                plan = plan_merge(model, sources, form.cleaned_data["target"])
            except MergeError as error:
                form.add_error(None, str(error))
        if plan is not None and step == "confirm":
            merge(plan, request.user)
            self.message_user(request, merged_message(plan), messages.SUCCESS)
            return None  # back to the list, without the merged values
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge {model._meta.verbose_name_plural}",
            "opts": model._meta,
            "sources": sources,
            "form": form,
            "plan": plan,
            "preview_names": PREVIEW_NAMES,
            "rows": preview_rows(plan) if plan else [],
            "more": max(0, len(plan.exercises) - PREVIEW_NAMES) if plan else 0,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/exercises/merge.html", context)


def preview_rows(plan):
    """The first exercises moved, each with its admin link and its value now."""
    names = {source.pk: source.name for source in plan.sources}
    field = plan.field
    return [
        {
            "name": exercise.name,
            "url": reverse("admin:exercises_exercise_change", args=[exercise.pk]),
            "now": names.get(getattr(exercise, f"{field}_id")),
        }
        for exercise in plan.exercises[:PREVIEW_NAMES]
    ]


def merged_message(plan):
    opts = plan.model._meta
    return format_html(
        "Merged {}: {} exercises moved, and the old hub addresses redirect to <a href='{}'>{}"
        "</a>. To undo it, recover the merged {} on <a href='{}'>Recover deleted {}</a>.",
        plan.description,
        len(plan.exercises),
        plan.target.get_absolute_url(),
        plan.target.get_absolute_url(),
        opts.verbose_name,
        reverse(f"admin:{opts.app_label}_{opts.model_name}_recoverlist"),
        opts.verbose_name_plural,
    )

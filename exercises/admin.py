"""The trainers' admin: exercises with their ordered content; the taxonomy's admins live in
admin_taxonomy.py, the old addresses' in admin_addresses.py, the exercise form's parts in
admin_forms.py and admin_media.py."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import models, transaction
from django.db.models import F
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin

from . import admin_addresses, admin_taxonomy  # noqa: F401  (register their admins with this site)
from .admin_bulk import BulkEditMixin
from .admin_completeness import (
    CompletenessAdminMixin,
    MissingFilter,
    PublishGateFilter,
    PublishGateFormSet,
)
from .admin_duplicates import DuplicateNamesAdminMixin
from .admin_forms import (
    POSITION_HELP,
    AliasFormSet,
    ExerciseForm,
    PositionedInlineFormSet,
    SecondaryMuscleFormSet,
    StaleSave,
)
from .admin_guard import TamperedSelectionMixin
from .admin_history import ExerciseHistoryMixin
from .admin_media import MediaInline, SortableMediaAdminBase, TextCreditInline
from .admin_ordering import OrderedInlineMixin
from .admin_publish import PublishButtonsMixin
from .admin_substitutes import SubstituteInline
from .models import (
    FAQ,
    CommonMistake,
    Exercise,
    ExerciseAlias,
    ExerciseSecondaryMuscle,
    ProTip,
    Step,
)
from .recording import ensure_baseline, revision


class PositionedInline(OrderedInlineMixin, admin.TabularInline):
    """An exercise's ordered rows, edited in a table with a position column: dragged, moved
    with buttons or numbered (admin_ordering.py)."""

    formset = PositionedInlineFormSet
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 2})}}

    class Media:
        css = {"all": ["exercises/admin.css"]}

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 1  # a blank row to start a new exercise; "Add another" after that

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "position":
            field.help_text = POSITION_HELP
        return field


class AliasInline(PositionedInline):
    model = ExerciseAlias
    order_noun = "alias"
    formset = AliasFormSet
    fields = ["position", "name"]
    verbose_name_plural = "Also known as (aliases)"


class SecondaryMuscleInline(PositionedInline):
    model = ExerciseSecondaryMuscle
    order_noun = "muscle"
    formset = SecondaryMuscleFormSet
    fields = ["position", "muscle"]
    autocomplete_fields = ["muscle"]


class StepInline(PositionedInline):
    model = Step
    formset = PublishGateFormSet  # the publish gate counts the steps as they will be saved
    order_noun = "step"
    fields = ["position", "text"]


class ProTipInline(PositionedInline):
    model = ProTip
    order_noun = "tip"
    fields = ["position", "text"]


class CommonMistakeInline(PositionedInline):
    model = CommonMistake
    order_noun = "mistake"
    fields = ["position", "text"]


class FAQInline(PositionedInline):
    model = FAQ
    order_noun = "question"
    fields = ["position", "question", "answer"]
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}}


def status_action(description, description_plural):
    """An action that moves exercises to another status: in the change list and on the change
    form, for those who may change exercises."""
    return admin.action(
        description=description,
        description_plural=description_plural,
        permissions=["change"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )


@admin.register(Exercise)
class ExerciseAdmin(
    BulkEditMixin,
    PublishButtonsMixin,
    ExerciseHistoryMixin,
    CompletenessAdminMixin,
    DuplicateNamesAdminMixin,
    TamperedSelectionMixin,
    SortableMediaAdminBase,
    VersionAdmin,
):
    form = ExerciseForm
    # Ours, on top of django-reversion's (which replaces the app's template by name): the list
    # without the app sidebar, so that its columns fit a 1280 px window.
    change_list_template = "admin/exercises/exercise/change_list.html"
    list_display = [
        "name",
        "body_part",
        "target_muscle",
        "equipment",
        "difficulty",
        "status",
        "featured",
        "completeness",
        "last_updated",
    ]
    list_filter = [
        "status",
        PublishGateFilter,
        MissingFilter,
        "body_part",
        "target_muscle",
        "equipment",
        "difficulty",
        "category",
    ]
    list_select_related = ["body_part", "target_muscle", "equipment", "difficulty"]
    # Every word must match one of them; a match in several steps still lists the exercise once.
    search_fields = ["name", "slug", "aliases__name", "quick_answer", "steps__text"]
    actions = ["publish", "unpublish", "bulk_edit"]
    save_on_top = True

    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["target_muscle", "equipment"]
    radio_fields = {
        "status": admin.HORIZONTAL,
        "grammatical_number": admin.VERTICAL,
        "difficulty": admin.HORIZONTAL,
    }
    readonly_fields = ["generated_summary", "old_addresses", "created", "updated"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "grammatical_number",
                    "slug",
                    "status",
                    "featured_rank",
                    "old_addresses",
                ]
            },
        ),
        ("Quick answer", {"fields": ["quick_answer", "generated_summary"]}),
        (
            "Classification",
            {
                "fields": ["body_part", "target_muscle", "equipment", "difficulty", "category"],
                "description": "Secondary muscles are listed below the classification.",
            },
        ),
        ("Timestamps", {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 4})}}
    inlines = [
        AliasInline,
        SecondaryMuscleInline,
        MediaInline,
        StepInline,
        ProTipInline,
        CommonMistakeInline,
        FAQInline,
        SubstituteInline,
        TextCreditInline,
    ]

    def view_on_site(self, obj):
        # The public page itself (drafts are shown to logged-in staff as a preview), rather than
        # the admin's content-type redirect.
        return obj.get_absolute_url()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleSave:
            # The save's transaction was rolled back, so nothing was written. Go through the
            # form once more, refused this time: the trainer gets their input back, with why.
            request.exercise_save_refused = True
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # Without VersionAdmin's one revision around the whole list: the actions record a
        # revision per exercise (set_status), so that each is listed and reverted on its own.
        return super(VersionAdmin, self).changelist_view(
            request,
            {"has_change_permission": self.has_change_permission(request)} | (extra_context or {}),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.refused = getattr(request, "exercise_save_refused", False)
        return form

    def save_model(self, request, obj, form, change):
        if change:
            ensure_baseline(Exercise, [obj.pk])  # read before this save writes anything
            # Optimistic locking: move the row from the version the form was loaded with to the
            # next one, in the save's transaction. The UPDATE keeps the row locked until the
            # save commits, so of two saves of the same version the second finds nothing to
            # move, whether it changed the exercise itself or only its rows below.
            loaded = form.cleaned_data["loaded_version"]
            moved = Exercise.objects.filter(pk=obj.pk, version=loaded).update(
                version=F("version") + 1
            )
            if not moved:
                raise StaleSave
            obj.version = loaded + 1
        super().save_model(request, obj, form, change)

    @admin.display(description="Featured", ordering=F("featured_rank").asc(nulls_last=True))
    def featured(self, obj):
        """The featured rank; sorting by the column lists the featured set in its order."""
        return obj.featured_rank

    @admin.display(description="Generated sentence")
    def generated_summary(self, obj):
        if obj.pk is None:
            return "Written from the classification and secondary muscles once you save."
        return obj.quick_answer_summary

    @admin.display(description="Old addresses")
    def old_addresses(self, obj):
        slugs = list(obj.old_slugs.values_list("slug", flat=True)) if obj.pk else []
        if not slugs:
            return "None. If you change the slug, the old address will redirect here."
        paths = ((reverse("exercises:detail", args=[slug]),) for slug in slugs)
        return format_html_join(", ", "<code>{}</code>", paths) + format_html(
            " {} here.", "redirects" if len(slugs) == 1 else "redirect"
        )

    @status_action("Publish", "Publish selected %(verbose_name_plural)s")
    def publish(self, request, queryset):
        # The publish gate: drafts without a quick answer or enough steps are named, not
        # published (CompletenessAdminMixin.publishable).
        allowed, refused = self.publishable(request, queryset)
        if refused and not allowed.exclude(status=Exercise.Status.PUBLISHED).exists():
            return  # the refusal is all there is to say
        self.set_status(request, allowed, Exercise.Status.PUBLISHED)

    @status_action(
        "Unpublish (back to draft)", "Unpublish selected %(verbose_name_plural)s (back to draft)"
    )
    def unpublish(self, request, queryset):
        self.set_status(request, queryset, Exercise.Status.DRAFT)

    def set_status(self, request, queryset, status):
        """Save each exercise that changes, so `updated`, signals and the history stay right."""
        changed = 0
        label = Exercise.Status(status).label.lower()
        with transaction.atomic():
            ensure_baseline(Exercise, queryset.exclude(status=status).values_list("pk", flat=True))
            for exercise in queryset.exclude(status=status):
                # A new version: a form opened before this change can no longer be saved over
                # it. Moved before the save, which the revision records as it is.
                Exercise.objects.filter(pk=exercise.pk).update(version=F("version") + 1)
                exercise.refresh_from_db(fields=["version"])
                exercise.status = status
                with revision(f"Status changed to {label} (action)", request.user):
                    exercise.save(update_fields=["status", "updated", "version"])
                self.log_change(request, exercise, [{"changed": {"fields": ["Status"]}}])
                changed += 1
        if changed:
            message = ngettext(
                "%(count)d exercise is now %(status)s.",
                "%(count)d exercises are now %(status)s.",
                changed,
            ) % {"count": changed, "status": label}
            self.message_user(request, message, messages.SUCCESS)
        else:
            self.message_user(
                request, f"Nothing changed: the selection was already {label}.", messages.INFO
            )


def login_lockout(request, response, credentials):
    """django-axes' answer to a login from a locked-out user name and address
    (AXES_LOCKOUT_CALLABLE): a page in the admin's look that says when to try again."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = admin.site.each_context(request) | {
        "title": "Too many failed logins",
        "minutes": round(cool_off.total_seconds() / 60),
        # Every failed attempt, this one included, starts the cool-off again.
        "retry_at": timezone.localtime() + cool_off,
    }
    return render(request, "admin/lockout.html", context, status=429)

"""The taxonomy's admins: every facet lists its name, slug and how many exercises use it;
a muscle also counts the exercises that work it as a secondary muscle."""

import reversion
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from reversion.admin import VersionAdmin

from .admin_guard import TamperedSelectionMixin
from .admin_merge import MergeActionMixin
from .bodymap import REGION_CHOICES
from .models import BodyPart, Category, Difficulty, Equipment, ExerciseSecondaryMuscle, Muscle
from .recording import ensure_baseline, revision


class TaxonAdmin(TamperedSelectionMixin, VersionAdmin):
    """Shared by every facet: name, slug and how many exercises use it; its history (and
    revert) is django-reversion's."""

    list_display = ["name", "slug", "exercise_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        relation = self.model.exercise_relation
        queryset = super().get_queryset(request)
        # A GROUP BY query drops Meta.ordering: restate it for the autocomplete's pages.
        return queryset.annotate(exercise_total=Count(relation, distinct=True)).order_by(
            *queryset.query.order_by or self.model._meta.ordering
        )

    @admin.display(description="Exercises", ordering="exercise_total")
    def exercise_count(self, obj):
        return obj.exercise_total

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    def changelist_view(self, request, extra_context=None):
        # Without VersionAdmin's one revision around the whole list: each row saved from the
        # list gets its own (save_model), so that reverting one value reverts it alone.
        return super(VersionAdmin, self).changelist_view(
            request,
            {"has_change_permission": self.has_change_permission(request)} | (extra_context or {}),
        )

    def save_model(self, request, obj, form, change):
        if change:
            ensure_baseline(self.model, [obj.pk])
        if reversion.is_active():  # the change form's revision (VersionAdmin.change_view)
            return super().save_model(request, obj, form, change)
        fields = ", ".join(str(form.fields[name].label) for name in form.changed_data)
        with revision(f"Changed {fields} in the list.", request.user):
            return super().save_model(request, obj, form, change)


class PositionedTaxonAdmin(TaxonAdmin):
    list_display = ["name", "slug", "position", "exercise_count"]
    list_editable = ["position"]
    fields = ["name", "slug", "position", "intro"]


@admin.register(BodyPart)
class BodyPartAdmin(MergeActionMixin, PositionedTaxonAdmin):
    pass


@admin.register(Difficulty)
class DifficultyAdmin(PositionedTaxonAdmin):
    pass


@admin.register(Muscle)
class MuscleAdmin(MergeActionMixin, TaxonAdmin):
    list_display = ["name", "slug", "body_part", "map_region", "exercise_count", "secondary_count"]
    list_filter = ["body_part", ("map_region", admin.EmptyFieldListFilter)]
    list_select_related = ["body_part"]
    fields = ["name", "slug", "body_part", "map_region", "intro"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(secondary_total=Count("secondary_in", distinct=True))
        )

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        """Each map region says which muscle has it, or that it is free: a region holds one
        muscle, and the trainer should not have to find out by trying."""
        if db_field.name == "map_region":
            holders = dict(Muscle.objects.exclude(map_region="").values_list("map_region", "name"))
            kwargs["choices"] = [("", "---------")] + [
                (region, f"{label} — {holders.get(region, 'free')}")
                for region, label in REGION_CHOICES
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_deleted_objects(self, objs, request):
        """Name the exercise behind each secondary-muscle row that blocks a delete: the admin
        would only repeat the muscle's name."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        label = f"{capfirst(ExerciseSecondaryMuscle._meta.verbose_name)}: "
        if any(str(entry).startswith(label) for entry in protected):
            links = ExerciseSecondaryMuscle.objects.filter(
                muscle__in=[muscle.pk for muscle in objs]
            ).select_related("exercise", "muscle")
            protected = [entry for entry in protected if not str(entry).startswith(label)] + [
                format_html(
                    '{}{} in <a href="{}">{}</a>',
                    label,
                    link.muscle,
                    reverse("admin:exercises_exercise_change", args=[link.exercise_id]),
                    link.exercise,
                )
                for link in links
            ]
        return deleted, counts, perms_needed, protected

    @admin.display(description="Exercises (target)", ordering="exercise_total")
    def exercise_count(self, obj):
        return obj.exercise_total

    @admin.display(description="Also works it", ordering="secondary_total")
    def secondary_count(self, obj):
        return obj.secondary_total


@admin.register(Equipment)
class EquipmentAdmin(MergeActionMixin, TaxonAdmin):
    fields = ["name", "slug", "intro"]


@admin.register(Category)
class CategoryAdmin(MergeActionMixin, TaxonAdmin):
    fields = ["name", "slug", "intro"]

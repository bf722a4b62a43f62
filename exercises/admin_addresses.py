"""The old addresses the site keeps by itself (exercise and hub slugs): listed for trainers to
read, with what each now answers; never hand-edited."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .admin_guard import TamperedSelectionMixin
from .models import FACETS, ExerciseSlug, HubSlug


def redirect_answer(obj):
    """What an old address answers with: a 301 to `obj`, linked to its admin page."""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html(
        "301 redirect to <a href='{}'>{}</a> (<code>{}</code>)",
        url,
        obj,
        obj.get_absolute_url(),
    )


class AnswerFilter(admin.SimpleListFilter):
    title = "answer"
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        return [("redirect", "Redirects to an exercise"), ("gone", "Gone (exercise deleted)")]

    def queryset(self, request, queryset):
        if self.value() == "redirect":
            return queryset.filter(exercise__isnull=False)
        if self.value() == "gone":
            return queryset.filter(exercise__isnull=True)
        return queryset


class HistoryAdmin(TamperedSelectionMixin, admin.ModelAdmin):
    """Rows the site keeps by itself (old addresses): listed for reading, never hand-edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExerciseSlug)
class ExerciseSlugAdmin(HistoryAdmin):
    """Old exercise addresses, kept by the exercises themselves: readable, never hand-edited."""

    list_display = ["old_address", "answer", "created"]
    list_filter = [AnswerFilter]
    list_select_related = ["exercise"]
    search_fields = ["slug", "exercise__name", "exercise__slug"]

    @admin.display(description="Old address", ordering="slug")
    def old_address(self, obj):
        return reverse("exercises:detail", args=[obj.slug])

    @admin.display(description="Answers with")
    def answer(self, obj):
        if obj.exercise is None:
            return "410 Gone: the exercise was deleted"
        return redirect_answer(obj.exercise)


@admin.register(HubSlug)
class HubSlugAdmin(HistoryAdmin):
    """Old hub addresses, kept when a trainer renames a slug: readable, never hand-edited."""

    list_display = ["old_address", "answer", "created"]
    list_filter = ["facet"]
    list_select_related = [model.facet for model in FACETS]
    search_fields = ["slug"]

    @admin.display(description="Old address", ordering="slug")
    def old_address(self, obj):
        return reverse(obj.taxon.hub_url_name, args=[obj.slug])

    @admin.display(description="Answers with")
    def answer(self, obj):
        return redirect_answer(obj.taxon)

from django.urls import path, register_converter
from django.views.generic import RedirectView

from . import views


class LowerSlugConverter:
    """Canonical slugs only: upper-case paths are redirected before they reach here."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LowerSlugConverter, "lslug")

app_name = "exercises"


def page(route, view, name):
    """A page and its Markdown copy at the same path plus “.md”."""
    return [
        path(route, view, name=name),
        path(route + ".md", view, {"markdown": True}, name=f"{name}_markdown"),
    ]


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="exercises:library", permanent=True), name="home"),
    *page("exercises", views.library, "library"),
    *page("exercises/equipment/<lslug:slug>", views.equipment_hub, "equipment"),
    *page("exercises/muscle/<lslug:slug>", views.muscle_hub, "muscle"),
    *page("exercises/category/<lslug:slug>", views.category_hub, "category"),
    # A body part or a difficulty: both live at /exercises/<slug> (their slugs never collide).
    *page("exercises/<lslug:slug>", views.body_part_or_difficulty_hub, "hub"),
    *page("exercises/<lslug:body_part>/<lslug:equipment>", views.combination_hub, "combination"),
    *page("exercise/<lslug:slug>", views.exercise_detail, "detail"),
]

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


def page(route, view, name, kwargs=None):
    """A page and its Markdown copy at the same path plus “.md”."""
    kwargs = kwargs or {}
    return [
        path(route, view, kwargs, name=name),
        path(route + ".md", view, kwargs | {"markdown": True}, name=f"{name}_markdown"),
    ]


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="exercises:library", permanent=True), name="home"),
    *page("exercises", views.library, "library"),
    *page("exercises/equipment/<lslug:slug>", views.facet_hub, "equipment", {"facet": "equipment"}),
    *page("exercises/muscle/<lslug:slug>", views.facet_hub, "muscle", {"facet": "muscle"}),
    *page("exercises/category/<lslug:slug>", views.facet_hub, "category", {"facet": "category"}),
    # A body part or a difficulty: both live at /exercises/<slug> (their slugs never collide).
    *page("exercises/<lslug:slug>", views.facet_hub, "hub", {"facet": "body_part"}),
    *page("exercises/<lslug:body_part>/<lslug:equipment>", views.combination_hub, "combination"),
    *page("exercise/<lslug:slug>", views.exercise_detail, "detail"),
]

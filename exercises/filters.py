"""The faceted browse: which query parameters filter the library, and how facets are counted."""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections
from django.db.models import Count, F

from .models import FACET_MODELS, SLUG_PATTERN, Exercise

SORTS = [("name", "Name"), ("difficulty", "Difficulty"), ("recent", "Recently updated")]
SORT_ORDERINGS = {
    "name": ["name"],
    "difficulty": ["difficulty__position", "name"],
    "recent": ["-updated", "name"],
}
MAX_VALUES_PER_FACET = 30


class SlugListField(forms.Field):
    """Several slugs from a repeated query parameter (?equipment=barbell&equipment=cable)."""

    widget = forms.SelectMultiple
    default_validators = [RegexValidator(SLUG_PATTERN, "Not a valid value.")]

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise ValidationError("Expected a list of values.")
        if len(value) > MAX_VALUES_PER_FACET:
            raise ValidationError("Too many values.")
        return list(dict.fromkeys(str(v) for v in value))  # unique, in the order given

    def validate(self, value):
        super().validate(value)
        for slug in value:
            for validator in self.default_validators:
                validator(slug)

    def run_validators(self, value):
        """Validators run per slug in validate(); the list as a whole has none."""


class SlugsFilter(django_filters.Filter):
    """Rows whose facet is any of the given slugs (OR within one facet)."""

    field_class = SlugListField


def facet_filters():
    """One filter per facet of the registry, in sidebar order: ?muscle=biceps matches the
    exercises whose target muscle has that slug."""
    return {
        model.facet: SlugsFilter(
            field_name=f"{model.exercise_field}__slug", lookup_expr="in", label=model.label
        )
        for model in FACET_MODELS.values()
    }


class ExerciseFilter(django_filters.FilterSet):
    """The library's query parameters: one per facet (see get_filters), a search and a sort."""

    q = django_filters.CharFilter(method="search", label="Search exercises", max_length=100)
    sort = django_filters.ChoiceFilter(method="order", choices=SORTS, label="Sort by")

    class Meta:
        model = Exercise
        fields = []

    @classmethod
    def get_filters(cls):
        """The facets' filters, generated from the registry, then the declared ones."""
        return facet_filters() | super().get_filters()

    def search(self, queryset, name, value):
        return queryset.search(value)

    def order(self, queryset, name, value):
        return queryset.order_by(*SORT_ORDERINGS[value])

    def filter_without(self, facet):
        """The published queryset under every active filter except one facet (and sort)."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in (facet, "sort"):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def selected(self):
        """{facet: [slugs]} of the facets with a value, in sidebar order."""
        data = self.form.cleaned_data
        return {facet: data[facet] for facet in FACET_MODELS if data.get(facet)}

    def facet_values(self, facet):
        """Every value of a facet with its count under the *other* active filters.

        The matching exercises are counted per value on their own table first, then joined
        to the values: joining first would carry every exercise through the aggregate.
        """
        model = FACET_MODELS[facet]
        counts = (
            self.filter_without(facet)
            .order_by()
            .values(taxon_id=F(model.exercise_field))
            .annotate(exercises=Count("pk"))
        )
        sql, params = counts.query.get_compiler(using=counts.db).as_sql()
        quote = connections[counts.db].ops.quote_name
        order = ", ".join(f"t.{quote(name)}" for name in model._meta.ordering)
        return model.objects.raw(
            f"SELECT t.*, COALESCE(c.exercises, 0) AS count FROM {quote(model._meta.db_table)} t"
            f" LEFT JOIN ({sql}) c ON c.taxon_id = t.id ORDER BY {order}",
            params,
        )


@dataclass
class BrowseState:
    """What a visitor asked for: selected facet values, a search, a sort and a page."""

    facets: dict = field(default_factory=dict)
    q: str = ""
    sort: str = ""

    def toggled(self, facet, slug):
        facets = {name: list(values) for name, values in self.facets.items()}
        values = facets.setdefault(facet, [])
        if slug in values:
            values.remove(slug)
        else:
            values.append(slug)
        return BrowseState({k: v for k, v in facets.items() if v}, self.q, self.sort)

    @property
    def is_filtered(self):
        return bool(self.facets or self.q)

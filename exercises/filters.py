"""The faceted browse: which query parameters filter the library, and how facets are counted."""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections
from django.db.models import Count, F

from .models import SLUG_PATTERN, BodyPart, Category, Difficulty, Equipment, Exercise, Muscle

# The facets in the order the sidebar shows them: query parameter → taxonomy model.
FACETS = {
    "body_part": BodyPart,
    "equipment": Equipment,
    "muscle": Muscle,
    "difficulty": Difficulty,
    "category": Category,
}
FACET_LABELS = {
    "body_part": "Body part",
    "equipment": "Equipment",
    "muscle": "Target muscle",
    "difficulty": "Difficulty",
    "category": "Category",
}
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

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)


class ExerciseFilter(django_filters.FilterSet):
    body_part = SlugsFilter(field_name="body_part__slug", label="Body part")
    equipment = SlugsFilter(field_name="equipment__slug", label="Equipment")
    muscle = SlugsFilter(field_name="target_muscle__slug", label="Target muscle")
    difficulty = SlugsFilter(field_name="difficulty__slug", label="Difficulty")
    category = SlugsFilter(field_name="category__slug", label="Category")
    q = django_filters.CharFilter(method="search", label="Search exercises", max_length=100)
    sort = django_filters.ChoiceFilter(method="order", choices=SORTS, label="Sort by")

    class Meta:
        model = Exercise
        fields = []

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
        return {facet: data[facet] for facet in FACETS if data.get(facet)}

    def facet_values(self, facet):
        """Every value of a facet with its count under the *other* active filters.

        The matching exercises are counted per value on their own table first, then joined
        to the values: joining first would carry every exercise through the aggregate.
        """
        model = FACETS[facet]
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

    def without(self, facet):
        return BrowseState({k: v for k, v in self.facets.items() if k != facet}, self.q, self.sort)

    @property
    def is_filtered(self):
        return bool(self.facets or self.q)

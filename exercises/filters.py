"""The faceted browse: which query parameters filter the library, and how facets are counted."""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q

from .models import FACET_MODELS, SLUG_PATTERN, Exercise

# The order a browse page lists exercises in when the visitor picks no sort and searches for
# nothing: the trainers' featured exercises by rank, then the rest A–Z (docs/trainers.md). A
# search lists its best matches first instead (search.py), and the sort menu offers A–Z.
FEATURED_ORDER = [F("featured_rank").asc(nulls_last=True), "name"]
SORTS = [("name", "Name (A–Z)"), ("difficulty", "Difficulty"), ("recent", "Recently updated")]
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


class AlsoSecondaryFilter(SlugsFilter):
    """Rows whose facet is any of the slugs, or that list one of them among their secondary
    rows (?works=lower-back: the target muscle or a secondary muscle is the lower back). An
    EXISTS, not a join: an exercise is listed once however many of its rows match."""

    def __init__(self, *args, secondary_relation, secondary_field, **kwargs):
        super().__init__(*args, **kwargs)
        self.secondary_relation = secondary_relation
        self.secondary_field = secondary_field

    def filter(self, queryset, value):
        if not value:
            return queryset
        rows = Exercise._meta.get_field(self.secondary_relation).related_model.objects.filter(
            exercise=OuterRef("pk"), **{f"{self.secondary_field}__slug__in": value}
        )
        return queryset.filter(Q(**{f"{self.field_name}__in": value}) | Exists(rows))


def facet_filter(model):
    """The filter of one facet of the registry: ?muscle=biceps matches the exercises whose
    target muscle has that slug, ?works=biceps also those with it as a secondary muscle."""
    options = {"field_name": f"{model.exercise_field}__slug", "lookup_expr": "in"}
    if model.secondary_relation:
        return AlsoSecondaryFilter(
            **options,
            label=model.label,
            secondary_relation=model.secondary_relation,
            secondary_field=model.secondary_field,
        )
    return SlugsFilter(**options, label=model.label)


def facet_filters():
    """One filter per facet of the registry, in sidebar order."""
    return {model.facet: facet_filter(model) for model in FACET_MODELS.values()}


class ExerciseFilter(django_filters.FilterSet):
    """The library's query parameters: one per facet (see get_filters), a search and a sort."""

    q = django_filters.CharFilter(method="search", label="Search exercises", max_length=100)
    sort = django_filters.ChoiceFilter(method="order", choices=SORTS, label="Sort by")

    class Meta:
        model = Exercise
        fields = []

    def __init__(self, *args, vocabulary=None, **kwargs):
        """``vocabulary``: a callable giving the library's search vocabulary (search_terms)."""
        super().__init__(*args, **kwargs)
        self.vocabulary = vocabulary

    @classmethod
    def get_filters(cls):
        """The facets' filters, generated from the registry, then the declared ones."""
        return facet_filters() | super().get_filters()

    def filter_queryset(self, queryset):
        """The filtered exercises; featured first when neither a sort nor a search orders them."""
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data["sort"] and not self.form.cleaned_data["q"]:
            queryset = queryset.order_by(*FEATURED_ORDER)
        return queryset

    def search(self, queryset, name, value):
        return queryset.search(value, self.vocabulary)

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
        matching = self.filter_without(facet).order_by()
        counts = [matching.values(taxon_id=F(model.exercise_field)).annotate(exercises=Count("pk"))]
        if model.secondary_relation:
            # Plus the exercises listing the value among their secondary rows, but not as
            # their own value too: each exercise counts once per value, so counts stay exact.
            rows = Exercise._meta.get_field(model.secondary_relation).related_model.objects
            counts.append(
                rows.filter(exercise__in=matching.values("pk"))
                .exclude(**{model.secondary_field: F(f"exercise__{model.exercise_field}")})
                .order_by()
                .values(taxon_id=F(model.secondary_field))
                .annotate(exercises=Count("exercise", distinct=True))
            )
        quote = connections[matching.db].ops.quote_name
        joins, total, params = [], [], []
        for index, count in enumerate(counts):
            sql, count_params = count.query.get_compiler(using=count.db).as_sql()
            joins.append(f" LEFT JOIN ({sql}) c{index} ON c{index}.taxon_id = t.id")
            total.append(f"COALESCE(c{index}.exercises, 0)")
            params.extend(count_params)
        order = ", ".join(f"t.{quote(name)}" for name in model._meta.ordering)
        return model.objects.raw(
            f"SELECT t.*, {' + '.join(total)} AS count FROM {quote(model._meta.db_table)} t"
            f"{''.join(joins)} ORDER BY {order}",
            params,
        )

    def facet_counts(self, facets):
        """{facet: {value id: count}} for facets none of whose values is selected, in one
        query: each is counted without its own filter, so all of them under the state's
        filters. The matching exercises are read once (a WITH query), then counted per facet
        on them (and, for a facet an exercise can also have through its secondary rows, on
        those rows joined to them, each exercise once per value and never for its own value
        again), as facet_values() counts them one facet at a time."""
        matching = self.filter_without(None).order_by()
        fields = list(dict.fromkeys(FACET_MODELS[facet].exercise_field for facet in facets))
        connection = connections[matching.db]
        quote = connection.ops.quote_name
        sql, params = (
            matching.values("pk", *fields).query.get_compiler(connection=connection).as_sql()
        )
        names = ["id", *fields]
        branches, facets_of, by_column = [], [], {}
        for facet in facets:
            model = FACET_MODELS[facet]
            column = quote(model.exercise_field)
            if column not in by_column:  # the target muscle and the muscles worked share one
                by_column[column] = len(branches)
                branches.append(
                    f"SELECT {len(branches)}, {column}, COUNT(*) FROM matching GROUP BY 2"
                )
                facets_of.append([])
            facets_of[by_column[column]].append(facet)
            if model.secondary_relation:
                rows = Exercise._meta.get_field(model.secondary_relation).related_model._meta
                value = quote(rows.get_field(model.secondary_field).column)
                exercise = quote(rows.get_field("exercise").column)
                branches.append(
                    f"SELECT {len(branches)}, s.{value}, COUNT(DISTINCT s.{exercise}) "
                    f"FROM {quote(rows.db_table)} s INNER JOIN matching m ON m.id = s.{exercise} "
                    f"WHERE s.{value} <> m.{column} GROUP BY 2"
                )
                facets_of.append([facet])
        columns = ", ".join(quote(name) for name in names)
        counts = {facet: {} for facet in facets}
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH matching ({columns}) AS ({sql}) {' UNION ALL '.join(branches)}", params
            )
            for branch, value, count in cursor.fetchall():
                for facet in facets_of[branch]:
                    found = counts[facet]
                    found[value] = found.get(value, 0) + count
        return counts


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

"""The exercise's query shapes: one method per kind of page."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, models
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.lookups import GreaterThanOrEqual

from ..search import search
from .completeness import CompletenessQuerySet
from .content import (
    FAQ,
    CommonMistake,
    ExerciseSecondaryMuscle,
    ProTip,
    Step,
    prefetch_items,
)
from .media import ExerciseMedia, prefetch_media
from .substitutes import ExerciseSubstitute
from .taxonomy import FACETS

# The ordered content an exercise may have or lack, by the key coverage() counts it under.
COVERED = {"steps": Step, "pro_tips": ProTip, "common_mistakes": CommonMistake, "faqs": FAQ}

# The taxonomy values a result card names (exercise_card.html, the Markdown list's lines).
CARD_TAXONOMY = ("target_muscle", "equipment", "difficulty")

# "Swap for": computed substitutes per equipment, besides the pinned ones, and in all.
SUBSTITUTES_PER_EQUIPMENT = 3
MAX_SUBSTITUTES = 40


def shared_secondary_count(secondary_ids):
    """An expression: how many of these muscles an exercise has as secondary muscles (a
    subquery per row, not a join: no GROUP BY over the joined taxonomy)."""
    if not secondary_ids:
        return Value(0)
    links = ExerciseSecondaryMuscle.objects.filter(
        exercise=OuterRef("pk"), muscle_id__in=secondary_ids
    )
    return Coalesce(Subquery(links.values("exercise").annotate(n=Count("pk")).values("n")), 0)


def equals_any(expression, array):
    """A condition: the expression equals an element of the array (PostgreSQL's = ANY)."""
    return Func(
        expression,
        array,
        template="%(expressions)s)",
        arg_joiner=" = ANY(",
        output_field=models.BooleanField(),
    )


def flag(condition):
    """An expression: 1 where the condition holds, else 0."""
    return models.Case(
        models.When(condition, then=Value(1)), default=Value(0), output_field=models.IntegerField()
    )


class ExerciseQuerySet(CompletenessQuerySet, models.QuerySet):
    def delete(self):
        """Delete the exercises with their rows, replacing the content version once for all
        of them rather than once per row (exercises.caching)."""
        from ..caching import one_change_for_all  # caching imports the models

        with one_change_for_all():
            return super().delete()

    def published(self):
        return self.filter(status=self.model.Status.PUBLISHED)

    def for_listing(self):
        """Everything a result card shows, in one query: the exercise and its value of each
        facet, and the first media's hash, which names its thumbnail (a subquery, not a query
        per card)."""
        first_media = ExerciseMedia.objects.filter(exercise=OuterRef("pk")).order_by(
            "position", "id"
        )
        return self.select_related(*(model.exercise_field for model in FACETS)).annotate(
            thumbnail_hash=Subquery(first_media.values("content_hash")[:1])
        )

    def for_cards(self):
        """What a listing page shows of each exercise, in one query: the exercise with the
        three taxonomy values its card (and its Markdown line) names, and its thumbnail's
        hash; for_listing() without the body part and category no card shows."""
        return self.for_listing().select_related(None).select_related(*CARD_TAXONOMY)

    def for_detail(self):
        """Everything the exercise page and its Markdown copy show, in four queries: the
        exercise, its secondary muscles, its steps, tips, mistakes and FAQs together, and its
        media."""
        clone = (
            self.for_listing()
            .select_related("text_credit")
            .prefetch_related(
                Prefetch(
                    "secondary_muscle_links",
                    queryset=ExerciseSecondaryMuscle.objects.select_related("muscle"),
                )
            )
        )
        clone._with_items = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._with_items = getattr(self, "_with_items", False)
        return clone

    def _prefetch_related_objects(self):
        super()._prefetch_related_objects()
        if getattr(self, "_with_items", False):
            exercises = [e for e in self._result_cache if isinstance(e, self.model)]
            prefetch_items(exercises)
            prefetch_media(exercises)

    def coverage(self):
        """{"total": n, "steps": n, "pro_tips": n, "common_mistakes": n, "faqs": n}: how many
        of these exercises there are and how many have each kind of content of their own, in
        one query. What a page listing them may promise (exercises/wording.py)."""
        having = {
            key: Count("pk", filter=Q(Exists(model.objects.filter(exercise=OuterRef("pk")))))
            for key, model in COVERED.items()
        }
        return self.order_by().aggregate(total=Count("pk"), **having)

    def coverage_by_page(self):
        """coverage() of every listing page at once, in one query: {None: the exercises',
        (facet, value id): those of each hub, ("combination", body part id, equipment id):
        those of each pair}. Each exercise's content is looked up once (a WITH query), then
        counted per page on those rows."""
        flags = {
            f"has_{key}": models.Case(
                models.When(Exists(model.objects.filter(exercise=OuterRef("pk"))), then=1),
                default=0,
            )
            for key, model in COVERED.items()
        }
        fields = [model.exercise_field for model in FACETS]
        rows = self.order_by().annotate(**flags).values(*fields, *flags)
        connection = connections[self.db]
        quote = connection.ops.quote_name
        sql, params = rows.query.get_compiler(connection=connection).as_sql()
        sums = ", ".join(f"SUM({quote(key)})" for key in flags)
        # The pairs first: PostgreSQL types each column by the first SELECT with a value there.
        groups = [("combination", ["body_part", "equipment"])]
        groups += [(field, [field]) for field in fields] + [(None, [])]
        branches = []
        for index, (_, columns) in enumerate(groups):
            picked = [quote(column) for column in columns] + ["NULL"] * (2 - len(columns))
            group_by = f" GROUP BY {', '.join(quote(c) for c in columns)}" if columns else ""
            branches.append(
                f"SELECT {index}, {', '.join(picked)}, COUNT(*), {sums} FROM flagged{group_by}"
            )
        names = ", ".join(quote(name) for name in [*fields, *flags])
        facet_of = {model.exercise_field: model.facet for model in FACETS}
        found = {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH flagged ({names}) AS ({sql}) {' UNION ALL '.join(branches)}", params
            )
            for index, first, second, total, *counts in cursor.fetchall():
                group = groups[index][0]
                if group is None:
                    key = None
                elif group == "combination":
                    key = (group, first, second)
                else:
                    key = (facet_of[group], first)
                found[key] = {"total": total} | {
                    name: count or 0 for name, count in zip(COVERED, counts, strict=True)
                }
        return found

    def combinations(self, min_size):
        """{(body part slug, equipment slug): count} for pairs with at least min_size exercises."""
        rows = (
            self.order_by()
            .values_list("body_part__slug", "equipment__slug")
            .annotate(count=Count("pk"))
            .filter(count__gte=min_size)
        )
        return {(body_part, equipment): count for body_part, equipment, count in rows}

    def search(self, text, vocabulary=None):
        """Exercises matching the words, ranked by relevance (see search.py); ``vocabulary``
        (a callable) lets SQLite correct typos."""
        return search(self, text, vocabulary)

    def related_to(self, exercise, limit=6):
        """The `limit` exercises most like this one, best first: the same target muscle counts
        16, the same body part 8, equipment 4, difficulty 2 and each shared secondary muscle 1
        (ties by name).

        Only exercises with the same target muscle are ranked, an indexed few, unless the
        others could still make the list: they score at most 8 + 4 + 2 + the number of
        secondary muscles, which the sixth of the same target muscle usually beats.
        """
        secondary_ids = [m.pk for m in exercise.ordered_secondary_muscles]

        def score(condition, weight):
            return flag(condition) * Value(weight)

        shared_secondary = shared_secondary_count(secondary_ids)

        # Built once and cloned below: building the expressions costs more than running them.
        ranked = (
            self.exclude(pk=exercise.pk)
            .annotate(shared_secondary=shared_secondary)
            .annotate(
                similarity=score(Q(target_muscle_id=exercise.target_muscle_id), 16)
                + score(Q(body_part_id=exercise.body_part_id), 8)
                + score(Q(equipment_id=exercise.equipment_id), 4)
                + score(Q(difficulty_id=exercise.difficulty_id), 2)
                + F("shared_secondary")
            )
            .order_by("-similarity", "name")
        )
        same_target = Q(target_muscle_id=exercise.target_muscle_id)
        narrow = ranked.select_related(None)
        best_of_same = narrow.filter(same_target)
        sixth_of_same = Subquery(best_of_same.values("similarity")[limit - 1 : limit])
        # No columns in it: PostgreSQL decides once whether the other exercises are ranked.
        room_for_others = GreaterThanOrEqual(
            Value(8 + 4 + 2 + len(secondary_ids)), Coalesce(sixth_of_same, Value(-1))
        )
        if not connections[self.db].features.supports_slicing_ordering_in_compound:
            return ranked.filter(same_target | Q(room_for_others))[:limit]
        # Where the database can, rank both groups apart (the first from its index) and
        # fetch the few winners with their taxonomy by primary key.
        best_of_others = narrow.exclude(same_target).filter(room_for_others)
        winners = best_of_same.values("pk")[:limit].union(
            best_of_others.values("pk")[:limit], all=True
        )
        if connections[self.db].vendor == "postgresql":
            # = ANY(ARRAY(...)): the winners are fetched by primary key; with IN, PostgreSQL
            # planned a scan of the whole table (it cannot tell the union returns a dozen).
            return ranked.filter(equals_any(F("pk"), ArraySubquery(winners.order_by())))[:limit]
        return ranked.filter(pk__in=winners)[:limit]

    def substitutes_for(self, exercise, per_equipment=SUBSTITUTES_PER_EQUIPMENT):
        """What visitors can do instead of this exercise, in one query: of the same movement
        (exercises/models/substitutes.py: the same target muscle and category) with other
        equipment, the `per_equipment` best of each equipment, sharing the most secondary
        muscles first, then the same difficulty, then by name; plus every exercise a trainer
        pinned, first in its equipment's group; never one a trainer excluded. Ordered by
        equipment name, then rank; at most MAX_SUBSTITUTES.

        The candidates come from an index (target muscle, category) and the exercise's own
        choices, so the ranking reads a few hundred rows even in a large library.
        """
        choices = ExerciseSubstitute.objects.filter(exercise_id=exercise.pk)
        pins = choices.filter(choice=ExerciseSubstitute.Choice.PIN)
        same_movement = (
            type(self)(self.model, using=self.db)
            .filter(target_muscle_id=exercise.target_muscle_id, category_id=exercise.category_id)
            .exclude(equipment_id=exercise.equipment_id)
            .order_by()
            .values("pk")
        )
        candidates = same_movement.union(pins.order_by().values("substitute_id"), all=True)
        excluded = choices.filter(
            choice=ExerciseSubstitute.Choice.EXCLUDE, substitute_id=OuterRef("pk")
        )
        group = [F("equipment_id")]
        ranked = (
            self.filter(pk__in=candidates)
            .exclude(pk=exercise.pk)
            .exclude(Exists(excluded))
            .annotate(
                pin_position=Subquery(
                    pins.filter(substitute_id=OuterRef("pk")).values("position")[:1]
                ),
                shared_secondary=shared_secondary_count(
                    [m.pk for m in exercise.ordered_secondary_muscles]
                ),
                same_difficulty=flag(Q(difficulty_id=exercise.difficulty_id)),
            )
            .annotate(pinned=flag(Q(pin_position__isnull=False)))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=group,
                    order_by=[
                        F("pinned").desc(),
                        F("pin_position").asc(),
                        F("shared_secondary").desc(),
                        F("same_difficulty").desc(),
                        F("name").asc(),
                    ],
                ),
                pins_in_group=Window(Sum("pinned"), partition_by=group),
            )
            .filter(rank__lte=F("pins_in_group") + per_equipment)
        )
        return ranked.order_by("equipment__name", "rank")[:MAX_SUBSTITUTES]

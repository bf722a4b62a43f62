"""How complete an exercise is: one checklist, used by the admin's column and filters, the
admin index's dashboard and the publish gate, so that they always agree.

Each check is a database condition (so lists and counts are annotations, never a query per
exercise) and, for the publish gate, the same rule in Python for rows not saved yet.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

# The publish gate: an exercise is published only with a quick answer of its own and at least
# this many steps (docs/trainers.md). The starter library's rows that fail it stay published
# and are listed by the admin's "Publish gate" filter.
PUBLISH_MIN_STEPS = 3


@dataclass(frozen=True)
class Check:
    """One item of the checklist: met when the exercise has at least `minimum` rows of its
    `relation` (or, without a relation, a non-empty own quick answer)."""

    key: str  # the admin filter's value, e.g. "tips"
    label: str  # the item as the checklist names it, e.g. "pro tips"
    short: str  # the change list's word for it, e.g. "tips"
    relation: str = ""  # the Exercise's reverse relation counted, e.g. "pro_tips"
    minimum: int = 1

    @property
    def gap(self):
        """What an exercise that fails the check lacks, as a filter and the dashboard say it."""
        if not self.relation:
            return "no quick answer of its own"
        if self.minimum > 1:
            return f"fewer than {self.minimum} {self.label}"
        return f"no {self.label}"

    def condition(self):
        """A boolean database expression: true for an exercise that meets the check."""
        if not self.relation:
            return ~Q(quick_answer="")
        if self.minimum == 1:
            return Q(Exists(related_rows(self.relation)))
        return Q(GreaterThanOrEqual(related_count(self.relation), self.minimum))

    def met_by(self, quick_answer="", count=0):
        """The same rule for values in hand (a form not saved yet)."""
        if not self.relation:
            return bool(quick_answer.strip())
        return count >= self.minimum


def related_rows(relation):
    """The rows of an exercise's reverse relation, for a subquery of the exercise's query."""
    from .exercise import Exercise

    model = Exercise._meta.get_field(relation).related_model
    return model.objects.filter(exercise=OuterRef("pk"))


def related_count(relation):
    """How many rows of the relation an exercise has: a subquery, not a join, so that
    several counts do not multiply each other."""
    rows = related_rows(relation).order_by().values("exercise")
    return Coalesce(Subquery(rows.annotate(total=Count("pk")).values("total")), 0)


CHECKS = (
    Check("quick_answer", "quick answer of its own", "quick answer"),
    Check("steps", "steps", f"{PUBLISH_MIN_STEPS} steps", "steps", minimum=PUBLISH_MIN_STEPS),
    Check("tips", "pro tips", "tips", "pro_tips"),
    Check("mistakes", "common mistakes", "mistakes", "common_mistakes"),
    Check("faqs", "FAQs of its own", "FAQs", "faqs"),
    Check("media", "images or videos", "media", "media"),
    Check("aliases", "aliases", "aliases", "aliases"),
    Check("secondary_muscles", "secondary muscles", "secondary", "secondary_muscle_links"),
)
CHECKS_BY_KEY = {check.key: check for check in CHECKS}
# The checks an exercise must meet to be published.
PUBLISH_GATE = (CHECKS_BY_KEY["quick_answer"], CHECKS_BY_KEY["steps"])


def met_field(check):
    """The annotation holding whether an exercise meets the check."""
    return f"has_{check.key}"


def publish_gate_condition():
    """True for an exercise that passes the publish gate."""
    condition = Q()
    for check in PUBLISH_GATE:
        condition &= check.condition()
    return condition


def gate_gaps(quick_answer, step_count):
    """What keeps an exercise with this quick answer and this many steps from being published,
    worded for the trainer; empty when it may be published."""
    gaps = []
    if not PUBLISH_GATE[0].met_by(quick_answer=quick_answer):
        gaps.append("a quick answer of its own")
    if not PUBLISH_GATE[1].met_by(count=step_count):
        missing = PUBLISH_MIN_STEPS - step_count
        gaps.append(f"at least {PUBLISH_MIN_STEPS} steps (it has {step_count}; add {missing} more)")
    return gaps


def gate_message(name, gaps):
    """The sentence refusing to publish an exercise, naming all it lacks."""
    return f"“{name}” cannot be published yet: it needs {' and '.join(gaps)}."


class CompletenessQuerySet(models.QuerySet):
    """Completeness as annotations and filters; mixed into the exercise's QuerySet."""

    def with_completeness(self):
        """Annotate `has_<check>` for every check, `completeness_score` (how many are met) and
        `step_total` (for the publish gate's message)."""
        met = {
            met_field(check): models.ExpressionWrapper(
                check.condition(), output_field=models.BooleanField()
            )
            for check in CHECKS
        }
        score = sum(
            (
                models.Case(
                    models.When(check.condition(), then=Value(1)),
                    default=Value(0),
                    output_field=models.IntegerField(),
                )
                for check in CHECKS
            ),
            start=Value(0),
        )
        return self.annotate(**met, step_total=related_count("steps"), completeness_score=score)

    def missing(self, key):
        """The exercises that fail the check named `key`."""
        return self.exclude(CHECKS_BY_KEY[key].condition())

    def passing_gate(self):
        return self.filter(publish_gate_condition())

    def failing_gate(self):
        return self.exclude(publish_gate_condition())

    def completeness_counts(self):
        """What the library lacks, in one query: {"total", "published", "flagged" (published
        but failing the publish gate), "gaps": {check key: (exercises failing it, published
        ones among them)}}."""
        from .exercise import Exercise

        published = Q(status=Exercise.Status.PUBLISHED)
        counts = {
            "total": Count("pk"),
            "published": Count("pk", filter=published),
            "flagged": Count("pk", filter=published & ~publish_gate_condition()),
        }
        for check in CHECKS:
            counts[f"all_{check.key}"] = Count("pk", filter=~check.condition())
            counts[f"published_{check.key}"] = Count("pk", filter=published & ~check.condition())
        row = self.order_by().aggregate(**counts)
        return {
            "total": row["total"],
            "published": row["published"],
            "flagged": row["flagged"],
            "gaps": {
                check.key: (row[f"all_{check.key}"], row[f"published_{check.key}"])
                for check in CHECKS
            },
        }


class CompletenessMixin:
    """An exercise's checklist, read from the annotations of with_completeness()."""

    @property
    def checklist(self):
        """[(check, met)] in checklist order."""
        return [(check, bool(getattr(self, met_field(check)))) for check in CHECKS]

    @property
    def completeness_gaps(self):
        return [check for check, met in self.checklist if not met]

    def publish_gaps(self, quick_answer=None, step_count=None):
        """What keeps this exercise from being published (see gate_gaps): its stored quick
        answer and steps unless others are given."""
        if quick_answer is None:
            quick_answer = self.quick_answer
        if step_count is None:
            step_count = getattr(self, "step_total", None)
            if step_count is None:
                step_count = self.steps.count() if self.pk else 0
        return gate_gaps(quick_answer, step_count)

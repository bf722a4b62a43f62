"""An exercise's ordered content: aliases, secondary muscles, steps, tips, mistakes and FAQs."""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Length, Lower
from django.db.models.lookups import LessThanOrEqual

from ..text import normalize_name, validate_has_word, validate_plain_text
from .naming import NormalizedNameMixin

# Longest step, tip or mistake and FAQ answer, in characters: a few full sentences, well above
# the longest the starter library has (744), far below a runaway paste. Listed with the other
# limits in docs/library-format.md.
ITEM_TEXT_LIMIT = 1000
FAQ_ANSWER_LIMIT = 2000
# Longest alias: a name people search by ("RDL", "Skull Crusher"), like the search box's limit.
ALIAS_LIMIT = 100


def length_constraint(field, limit, name):
    """A database check that a text column holds at most ``limit`` characters."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


def exercise_link(related_name):
    """The link from one of an exercise's rows to the exercise: its rows go with it."""
    return models.ForeignKey(
        "exercises.Exercise", on_delete=models.CASCADE, related_name=related_name
    )


def sentence_field(help_text):
    """The text of a step, tip or mistake: plain text of at most ITEM_TEXT_LIMIT characters."""
    return models.TextField(
        max_length=ITEM_TEXT_LIMIT,
        validators=[MaxLengthValidator(ITEM_TEXT_LIMIT), validate_plain_text],
        help_text=help_text,
    )


def sentence_constraints(prefix):
    """The database's checks of a step's, tip's or mistake's text: not empty, not too long."""
    return [
        models.CheckConstraint(condition=~Q(text=""), name=f"{prefix}_text_not_empty"),
        length_constraint("text", ITEM_TEXT_LIMIT, f"{prefix}_text_length"),
    ]


class ExerciseSecondaryMuscle(models.Model):
    exercise = exercise_link("secondary_muscle_links")
    muscle = models.ForeignKey(
        "exercises.Muscle",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A muscle the exercise also works, other than its target muscle.",
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Listing order; lower numbers come first."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "secondary muscle"
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "muscle"], name="secondary_muscle_once_per_exercise"
            )
        ]

    def __str__(self):
        return self.muscle.name


class ExerciseItem(models.Model):
    """One entry of an exercise's ordered list (steps, tips, mistakes, FAQs)."""

    position = models.PositiveSmallIntegerField(
        default=0, help_text="Listing order; lower numbers come first."
    )

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Sentence(ExerciseItem):
    """One sentence of an exercise's steps, tips or mistakes. Each list gives its link to the
    exercise (`exercise_link` with the list's name) and words its `sentence_field` for
    trainers."""

    class Meta(ExerciseItem.Meta):
        abstract = True
        constraints = sentence_constraints("%(class)s")

    def __str__(self):
        return self.text


class Step(Sentence):
    exercise = exercise_link("steps")
    text = sentence_field("One instruction, written as a full sentence.")

    class Meta(Sentence.Meta):
        verbose_name = "how-to step"


class ProTip(Sentence):
    exercise = exercise_link("pro_tips")
    text = sentence_field("One tip, written as a full sentence.")

    class Meta(Sentence.Meta):
        verbose_name = "pro tip"


class CommonMistake(Sentence):
    exercise = exercise_link("common_mistakes")
    text = sentence_field("One mistake to avoid, written as a full sentence.")

    class Meta(Sentence.Meta):
        verbose_name = "common mistake"
        # Named before the base existed; renaming them would alter the database.
        constraints = sentence_constraints("mistake")


class FAQ(ExerciseItem):
    exercise = exercise_link("faqs")
    question = models.CharField(
        max_length=300,
        validators=[validate_plain_text],
        help_text="The question, as a visitor asks it.",
    )
    answer = models.TextField(
        max_length=FAQ_ANSWER_LIMIT,
        validators=[MaxLengthValidator(FAQ_ANSWER_LIMIT), validate_plain_text],
        help_text="A complete answer; shown in full, never collapsed.",
    )

    class Meta(ExerciseItem.Meta):
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [
            models.CheckConstraint(condition=~Q(question=""), name="faq_question_not_empty"),
            models.CheckConstraint(condition=~Q(answer=""), name="faq_answer_not_empty"),
            length_constraint("answer", FAQ_ANSWER_LIMIT, "faq_answer_length"),
        ]

    def __str__(self):
        return self.question


class ExerciseAlias(NormalizedNameMixin, ExerciseItem):
    """Another name visitors know the exercise by: searched like its name on both databases and
    shown on its page as “Also known as”."""

    exercise = exercise_link("aliases")
    name = models.CharField(
        max_length=ALIAS_LIMIT,
        validators=[validate_plain_text, validate_has_word],
        help_text="Another name people search for, e.g. “RDL” or “Skull Crusher”; spellings "
        "such as “Chinup” for “Chin-Up” count too. Shown on the page as “Also known as”.",
    )

    class Meta(ExerciseItem.Meta):
        verbose_name = "alias"
        verbose_name_plural = "aliases (also known as)"
        constraints = [
            # Compared in lower case: “rdl” and “RDL” are the same alias.
            models.UniqueConstraint(
                F("exercise"),
                Lower("name"),
                name="alias_once_per_exercise",
                violation_error_message="This exercise already has this alias.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="alias_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            exercise = self.exercise
        except ObjectDoesNotExist:  # not linked yet: the form's own checks come first
            return
        if same_name(self.name, exercise.name):
            raise ValidationError(
                {"name": "This is the exercise's own name; an alias is another name for it."},
                code="alias_is_the_name",
            )


def same_name(first, second):
    """Whether two names are the same once normalised and compared without case."""
    return normalize_name(first).casefold() == normalize_name(second).casefold()


# The ordered lists of an exercise page: related name → model.
ITEM_LISTS = {
    "aliases": ExerciseAlias,
    "steps": Step,
    "pro_tips": ProTip,
    "common_mistakes": CommonMistake,
    "faqs": FAQ,
}


def prefetch_items(exercises):
    """Fill each list of ITEM_LISTS (`aliases`, `steps`, ... `faqs`) of the exercises with one
    UNION ALL query instead of one query per list; `exercise.steps.all()` then needs no query."""
    if not exercises:
        return
    by_pk = {exercise.pk: exercise for exercise in exercises}
    columns = ("id", "exercise_id", "position", "text", "answer")
    # The column each list's text is in (a FAQ also has its answer, the others none).
    text_column = {FAQ: "question", ExerciseAlias: "name"}
    parts = []
    for kind, model in ITEM_LISTS.items():
        text = F(text_column.get(model, "text"))
        answer = F("answer") if model is FAQ else Value("")
        parts.append(
            model.objects.filter(exercise_id__in=by_pk)
            .order_by()
            .annotate(kind=Value(kind), item_text=text, item_answer=answer)
            .values_list("kind", *columns[:3], "item_text", "item_answer")
        )
    lists = {pk: {kind: [] for kind in ITEM_LISTS} for pk in by_pk}
    db = exercises[0]._state.db
    for kind, *values in parts[0].union(*parts[1:], all=True):
        model = ITEM_LISTS[kind]
        row = dict(zip(columns, values, strict=True))
        if model in text_column:
            row[text_column[model]] = row.pop("text")
        if model is not FAQ:
            del row["answer"]
        item = model.from_db(db, list(row), [row[f.attname] for f in model._meta.concrete_fields])
        lists[row["exercise_id"]][kind].append(item)
    for pk, exercise in by_pk.items():
        cache = exercise.__dict__.setdefault("_prefetched_objects_cache", {})
        for kind, items in lists[pk].items():
            items.sort(key=lambda item: (item.position, item.pk))
            for item in items:
                item._meta.get_field("exercise").set_cached_value(item, exercise)
            queryset = getattr(exercise, kind).all()
            queryset._result_cache, queryset._prefetch_done = items, True
            cache[kind] = queryset

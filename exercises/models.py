"""The exercise library: taxonomy (hubs), exercises and their ordered content."""

import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections, models
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.db.models.lookups import GreaterThanOrEqual
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import Truncator

from .search import search

# Hub URLs share one namespace: /exercises/<body part or difficulty>, /exercises/equipment/<slug>...
RESERVED_HUB_SLUGS = ("equipment", "muscle", "category")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
validate_slug_format = RegexValidator(
    SLUG_PATTERN,
    "Use lower-case letters, digits and single hyphens, e.g. “lower-back”.",
    code="invalid_slug",
)
# Search results show titles of about 60 characters and descriptions of about 160.
TITLE_LIMIT = 60
DESCRIPTION_LIMIT = 160


def fit_title(*candidates):
    """The first title that fits TITLE_LIMIT, else the last (shortest) one."""
    return next((title for title in candidates if len(title) <= TITLE_LIMIT), candidates[-1])


def shorten(text, limit=DESCRIPTION_LIMIT):
    """Whole sentences within the limit; a longer first sentence is cut with an ellipsis."""
    text = " ".join(text.split())
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        longer = f"{kept} {sentence}".strip()
        if len(longer) > limit:
            break
        kept = longer
    return kept or Truncator(text).chars(limit)


def lower_name(name):
    """Lower-case a name for use inside a sentence, keeping acronyms: “EZ Bar” → “EZ bar”."""
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in name.split(" "))


def slug_constraints(prefix):
    """Database checks every slug column carries: non-empty, lower-case, no stray characters."""
    return [
        models.CheckConstraint(condition=~Q(slug=""), name=f"{prefix}_slug_not_empty"),
        models.CheckConstraint(condition=Q(slug=Lower("slug")), name=f"{prefix}_slug_lowercase"),
        models.CheckConstraint(condition=~Q(name=""), name=f"{prefix}_name_not_empty"),
    ]


class Taxon(models.Model):
    """A value of one facet (body part, muscle, ...): it has a hub page listing its exercises."""

    name = models.CharField(
        max_length=60, unique=True, help_text="As visitors see it, e.g. “Lower Back”."
    )
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_slug_format],
        help_text="The hub page's address. Changing it keeps the old address working "
        "(it redirects).",
    )
    intro = models.TextField(
        blank=True, help_text="A short introduction shown at the top of this hub page."
    )
    updated = models.DateTimeField(auto_now=True)

    # The query parameter this facet filters on, the Exercise field behind it, the reverse
    # relation from the taxonomy to its exercises and the URL name of its hub page.
    facet = ""
    exercise_field = ""
    exercise_relation = "exercises"
    hub_url_name = ""

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        old_slug = getattr(self, "_loaded_slug", None)
        super().save(*args, **kwargs)
        if old_slug and old_slug != self.slug:
            HubSlug.objects.update_or_create(
                facet=self.facet, slug=old_slug, defaults={self.facet: self}
            )
        # A live slug always wins over history (e.g. after renaming back).
        HubSlug.objects.filter(facet=self.facet, slug=self.slug).delete()
        self._loaded_slug = self.slug

    def get_absolute_url(self):
        return reverse(self.hub_url_name, args=[self.slug])

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        """Remember the slug as loaded, so that save() can record a rename."""
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def get_markdown_url(self):
        return reverse(self.hub_url_name + "_markdown", args=[self.slug])

    @property
    def lower_name(self):
        return lower_name(self.name)


class BodyPart(Taxon):
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Where this body part appears in lists; lower numbers come first."
    )

    facet = exercise_field = "body_part"
    hub_url_name = "exercises:hub"

    class Meta(Taxon.Meta):
        ordering = ["position", "name"]
        constraints = [
            *slug_constraints("bodypart"),
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_HUB_SLUGS), name="bodypart_slug_not_reserved"
            ),
        ]

    def clean(self):
        super().clean()
        check_shared_hub_slug(self, Difficulty)


class Difficulty(Taxon):
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Rank from easiest to hardest; sorting by difficulty follows it."
    )

    facet = exercise_field = "difficulty"
    hub_url_name = "exercises:hub"

    class Meta(Taxon.Meta):
        verbose_name_plural = "difficulties"
        ordering = ["position", "name"]
        constraints = [
            *slug_constraints("difficulty"),
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_HUB_SLUGS), name="difficulty_slug_not_reserved"
            ),
        ]

    def clean(self):
        super().clean()
        check_shared_hub_slug(self, BodyPart)


def check_shared_hub_slug(instance, other_model):
    """Body parts and difficulties share /exercises/<slug>: refuse a slug the other one uses."""
    if instance.slug in RESERVED_HUB_SLUGS:
        raise ValidationError(
            {"slug": f"“{instance.slug}” is reserved for the {instance.slug} hubs' addresses."}
        )
    clash = other_model.objects.filter(slug=instance.slug).first()
    if clash:
        raise ValidationError(
            {
                "slug": f"“{instance.slug}” is already the address of the "
                f"{other_model._meta.verbose_name} “{clash}”; pick another slug."
            }
        )


class Muscle(Taxon):
    body_part = models.ForeignKey(
        BodyPart,
        on_delete=models.PROTECT,
        related_name="muscles",
        help_text="The body part this muscle belongs to.",
    )

    facet = "muscle"
    exercise_field = "target_muscle"
    exercise_relation = "targeted_by"
    hub_url_name = "exercises:muscle"

    class Meta(Taxon.Meta):
        constraints = slug_constraints("muscle")


class Equipment(Taxon):
    facet = exercise_field = "equipment"
    hub_url_name = "exercises:equipment"

    class Meta(Taxon.Meta):
        verbose_name_plural = "equipment"
        constraints = slug_constraints("equipment")


class Category(Taxon):
    facet = exercise_field = "category"
    hub_url_name = "exercises:category"

    class Meta(Taxon.Meta):
        verbose_name_plural = "categories"
        constraints = slug_constraints("category")


class ExerciseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Exercise.Status.PUBLISHED)

    def for_listing(self):
        """Everything a result card shows, in one query."""
        return self.select_related(
            "body_part", "equipment", "target_muscle", "difficulty", "category"
        )

    def for_detail(self):
        """Everything the exercise page and its Markdown copy show, in three queries: the
        exercise, its secondary muscles, and its steps, tips, mistakes and FAQs together."""
        clone = self.for_listing().prefetch_related(
            Prefetch(
                "secondary_muscle_links",
                queryset=ExerciseSecondaryMuscle.objects.select_related("muscle"),
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
            prefetch_items(self._result_cache)

    def combinations(self, min_size):
        """{(body part slug, equipment slug): count} for pairs with at least min_size exercises."""
        rows = (
            self.order_by()
            .values_list("body_part__slug", "equipment__slug")
            .annotate(count=Count("pk"))
            .filter(count__gte=min_size)
        )
        return {(body_part, equipment): count for body_part, equipment, count in rows}

    def search(self, text):
        """Exercises matching the words; ranked by relevance on PostgreSQL (see search.py)."""
        return search(self, text)

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
            return models.Case(
                models.When(condition, then=Value(weight)),
                default=Value(0),
                output_field=models.IntegerField(),
            )

        if secondary_ids:
            # A subquery per ranked row, not a join: no GROUP BY over the joined taxonomy.
            links = ExerciseSecondaryMuscle.objects.filter(
                exercise=OuterRef("pk"), muscle_id__in=secondary_ids
            )
            shared_secondary = Coalesce(
                Subquery(links.values("exercise").annotate(n=Count("pk")).values("n")), 0
            )
        else:
            shared_secondary = Value(0)

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
        return ranked.filter(pk__in=winners)[:limit]


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str


class Exercise(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    name = models.CharField(
        max_length=200, unique=True, help_text="The exercise's name as visitors see it."
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        validators=[validate_slug_format],
        help_text="The page's address: /exercise/your-slug. Changing it keeps the old address "
        "working (it redirects).",
    )
    quick_answer = models.TextField(
        blank=True,
        help_text="The opening sentences of the quick answer, in your words. A generated "
        "sentence about difficulty, equipment and muscles follows it.",
    )
    body_part = models.ForeignKey(
        BodyPart, on_delete=models.PROTECT, related_name="exercises", help_text="Its hub page."
    )
    equipment = models.ForeignKey(
        Equipment,
        on_delete=models.PROTECT,
        related_name="exercises",
        help_text="What the exercise needs; pick “Body Weight” when it needs nothing.",
    )
    target_muscle = models.ForeignKey(
        Muscle,
        on_delete=models.PROTECT,
        related_name="targeted_by",
        help_text="The muscle the exercise works most.",
    )
    secondary_muscles = models.ManyToManyField(
        Muscle,
        through="ExerciseSecondaryMuscle",
        related_name="secondary_in",
        blank=True,
        help_text="Other muscles it works, in the order they should be listed.",
    )
    difficulty = models.ForeignKey(Difficulty, on_delete=models.PROTECT, related_name="exercises")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="exercises")
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        db_index=True,
        help_text="Only published exercises are shown to visitors; staff can preview drafts.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)
    # The name and quick answer as PostgreSQL searches them, kept up to date by a trigger
    # (migration 0005); unused and empty on other databases.
    search_document = SearchVectorField(null=True, editable=False)
    # Counts saves, so that the admin can refuse a form loaded before someone else's save
    # (optimistic locking, see ExerciseAdmin.save_model). Every writer must increase it.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            *slug_constraints("exercise"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="exercise_status_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        old_slug = getattr(self, "_loaded_slug", None)
        super().save(*args, **kwargs)
        if old_slug and old_slug != self.slug:
            ExerciseSlug.objects.update_or_create(slug=old_slug, defaults={"exercise": self})
        # A live slug always wins over history (e.g. after renaming back).
        ExerciseSlug.objects.filter(slug=self.slug).delete()
        self._loaded_slug = self.slug

    def get_absolute_url(self):
        return reverse("exercises:detail", args=[self.slug])

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        """Remember the slug as loaded, so that save() can record a rename."""
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def get_markdown_url(self):
        return reverse("exercises:detail_markdown", args=[self.slug])

    @property
    def page_title(self):
        """The page's <title> before the site name: as much as fits in TITLE_LIMIT."""
        return fit_title(
            f"{self.name}: How to Do It, Muscles Worked and Tips",
            f"{self.name}: How to Do It and Muscles Worked",
            f"{self.name}: How to Do It",
            self.name,
        )

    @property
    def meta_description(self):
        """The quick answer, led by the name unless it says it: the generated sentences of
        similar exercises are alike."""
        description = shorten(self.full_quick_answer)
        if self.name.lower() not in description.lower():
            description = shorten(f"{self.name}: {self.full_quick_answer}")
        return description

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def ordered_secondary_muscles(self):
        return [link.muscle for link in self.secondary_muscle_links.all()]

    @property
    def quick_answer_summary(self):
        """The generated sentence that follows the authored quick answer."""
        sentence = (
            f"{self.difficulty.name} {self.body_part.lower_name} exercise using "
            f"{self.equipment.lower_name}. Targets {self.target_muscle.lower_name}"
        )
        secondaries = self.ordered_secondary_muscles
        if secondaries:
            sentence += ", also works " + ", ".join(m.lower_name for m in secondaries)
        return sentence + "."

    @property
    def full_quick_answer(self):
        parts = (self.quick_answer.strip(), self.quick_answer_summary)
        return " ".join(part for part in parts if part)

    def generated_faqs(self):
        """The FAQ entries every exercise page answers from its attributes."""
        target = self.target_muscle.lower_name
        muscles = f"The {self.name} primarily targets the {target}"
        secondaries = self.ordered_secondary_muscles
        if secondaries:
            muscles += ", with secondary activation in the " + ", ".join(
                m.lower_name for m in secondaries
            )
        muscles += (
            f". It's classified as a {self.category.lower_name} exercise for the "
            f"{self.body_part.lower_name}."
        )
        beginner_answers = {
            "beginner": f"Yes, the {self.name} is rated as a beginner-level exercise. "
            f"It's a great starting point for building {target} strength.",
            "intermediate": f"The {self.name} is rated as intermediate. Beginners should build "
            f"a base of {target} strength with easier variations first.",
            "advanced": f"The {self.name} is an advanced exercise. Beginners should master "
            f"fundamental {self.body_part.lower_name} movements first.",
        }
        faqs = [Faq(f"What muscles does the {self.name} work?", muscles)]
        beginner = beginner_answers.get(self.difficulty.slug)
        if beginner:
            faqs.append(Faq(f"Is the {self.name} good for beginners?", beginner))
        return faqs

    def hub_links(self):
        """(label, url) of the hubs this exercise belongs to, as “Related exercises” lists them."""
        return [
            (f"More {taxon.name} Exercises", taxon.get_absolute_url())
            for taxon in (self.body_part, self.equipment, self.target_muscle)
        ]

    def all_faqs(self):
        """Authored entries first, then the generated ones, as the page shows them."""
        return [Faq(f.question, f.answer) for f in self.faqs.all()] + self.generated_faqs()


class ExerciseSlug(models.Model):
    """An address an exercise used to have: it redirects to the exercise, or is gone (410)."""

    slug = models.SlugField(max_length=200, unique=True)
    exercise = models.ForeignKey(
        Exercise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="old_slugs",
        help_text="Empty once the exercise is deleted: the address then answers “410 Gone”.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = "old exercise address"
        verbose_name_plural = "old exercise addresses"

    def __str__(self):
        return self.slug


HUB_FACETS = ("body_part", "equipment", "muscle", "difficulty", "category")


def _only_taxon(facet):
    return Q(facet=facet, **{f"{name}__isnull": name != facet for name in HUB_FACETS})


class HubSlug(models.Model):
    """An address a hub used to have: it redirects to the hub's current address."""

    facet = models.CharField(max_length=20, choices=[(facet, facet) for facet in HUB_FACETS])
    slug = models.SlugField(max_length=60)
    # Exactly one of these is set: the taxonomy row of `facet`. Deleting it forgets its history.
    body_part = models.ForeignKey(
        BodyPart, on_delete=models.CASCADE, null=True, blank=True, related_name="old_slugs"
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.CASCADE, null=True, blank=True, related_name="old_slugs"
    )
    muscle = models.ForeignKey(
        Muscle, on_delete=models.CASCADE, null=True, blank=True, related_name="old_slugs"
    )
    difficulty = models.ForeignKey(
        Difficulty, on_delete=models.CASCADE, null=True, blank=True, related_name="old_slugs"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="old_slugs"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["facet", "slug"]
        verbose_name = "old hub address"
        constraints = [
            models.UniqueConstraint(fields=["facet", "slug"], name="hubslug_once_per_facet"),
            models.CheckConstraint(
                condition=reduce(operator.or_, map(_only_taxon, HUB_FACETS)),
                name="hubslug_one_taxon_of_its_facet",
            ),
        ]

    def __str__(self):
        return self.slug

    @property
    def taxon(self):
        return getattr(self, self.facet)


class ExerciseSecondaryMuscle(models.Model):
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="secondary_muscle_links"
    )
    muscle = models.ForeignKey(Muscle, on_delete=models.PROTECT, related_name="+")
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


class Step(ExerciseItem):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="steps")
    text = models.TextField(help_text="One instruction, written as a full sentence.")

    class Meta(ExerciseItem.Meta):
        verbose_name = "how-to step"
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="step_text_not_empty")]

    def __str__(self):
        return self.text


class ProTip(ExerciseItem):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="pro_tips")
    text = models.TextField(help_text="One tip, written as a full sentence.")

    class Meta(ExerciseItem.Meta):
        verbose_name = "pro tip"
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="protip_text_not_empty")]

    def __str__(self):
        return self.text


class CommonMistake(ExerciseItem):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="common_mistakes")
    text = models.TextField(help_text="One mistake to avoid, written as a full sentence.")

    class Meta(ExerciseItem.Meta):
        verbose_name = "common mistake"
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="mistake_text_not_empty")]

    def __str__(self):
        return self.text


class FAQ(ExerciseItem):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=300, help_text="The question, as a visitor asks it.")
    answer = models.TextField(help_text="A complete answer; shown in full, never collapsed.")

    class Meta(ExerciseItem.Meta):
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [
            models.CheckConstraint(condition=~Q(question=""), name="faq_question_not_empty"),
            models.CheckConstraint(condition=~Q(answer=""), name="faq_answer_not_empty"),
        ]

    def __str__(self):
        return self.question


# The ordered lists of an exercise page: related name → model.
ITEM_LISTS = {"steps": Step, "pro_tips": ProTip, "common_mistakes": CommonMistake, "faqs": FAQ}


def prefetch_items(exercises):
    """Fill `steps`, `pro_tips`, `common_mistakes` and `faqs` of the exercises with one UNION ALL
    query instead of one query per list; `exercise.steps.all()` then needs no query."""
    exercises = [e for e in exercises if isinstance(e, Exercise)]
    if not exercises:
        return
    by_pk = {exercise.pk: exercise for exercise in exercises}
    columns = ("id", "exercise_id", "position", "text", "answer")
    parts = []
    for kind, model in ITEM_LISTS.items():
        text, answer = (F("question"), F("answer")) if model is FAQ else (F("text"), Value(""))
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
        if model is FAQ:
            row["question"] = row.pop("text")
        else:
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


@receiver(post_delete, sender=Exercise)
def remember_deleted_exercise(sender, instance, **kwargs):
    """A deleted exercise's address answers “410 Gone” instead of a plain 404."""
    ExerciseSlug.objects.update_or_create(slug=instance.slug, defaults={"exercise": None})

"""The exercise: its facts, its generated sentences and FAQs."""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.urls import reverse

from ..text import (
    Subject,
    fit_title,
    lower_name,
    name_is_plural,
    question_key,
    shorten,
    validate_plain_text,
)
from .addresses import ExerciseSlug
from .completeness import CompletenessMixin
from .content import length_constraint
from .media import thumbnail_url
from .naming import NormalizedNameMixin, SlugHistoryMixin
from .queries import ExerciseQuerySet
from .substitutes import instead_answer
from .taxonomy import (
    FACETS,
    BodyPart,
    Category,
    Difficulty,
    Equipment,
    Muscle,
    name_field,
    slug_constraints,
    slug_field,
)

# The trainer's opening sentences of the quick answer, in characters.
QUICK_ANSWER_LIMIT = 1000
# Featured ranks run from 1 to this (a few dozen featured exercises is already many).
FEATURED_RANK_LIMIT = 999


def facet_link(model, help_text):
    """An exercise's value of one facet: required, and a value in use cannot be deleted."""
    return models.ForeignKey(
        model, on_delete=models.PROTECT, related_name=model.exercise_relation, help_text=help_text
    )


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str


class Exercise(CompletenessMixin, SlugHistoryMixin, NormalizedNameMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class GrammaticalNumber(models.TextChoices):
        AUTO = "auto", "From the name"
        SINGULAR = "singular", "Singular: “What muscles does the Spine Stretch work?”"
        PLURAL = "plural", "Plural: “What muscles do Elbow Dips work?”"

    name = name_field(200, "The exercise's name as visitors see it.")
    slug = slug_field(
        200,
        "The page's address: /exercise/your-slug. Changing it keeps the old address working "
        "(it redirects).",
    )
    grammatical_number = models.CharField(
        max_length=8,
        choices=GrammaticalNumber,
        default=GrammaticalNumber.AUTO,
        help_text="How generated sentences speak of the exercise. “From the name” reads a name "
        "whose main word ends in s as plural (Elbow Dips, Push-Ups, but not Bench Press or "
        "Biceps); pick singular or plural when it reads the name wrong.",
    )
    quick_answer = models.TextField(
        blank=True,
        max_length=QUICK_ANSWER_LIMIT,
        validators=[MaxLengthValidator(QUICK_ANSWER_LIMIT), validate_plain_text],
        help_text="The opening sentences of the quick answer, in your words. A generated "
        "sentence about difficulty, equipment and muscles follows it.",
    )
    body_part = facet_link(BodyPart, "Its hub page.")
    equipment = facet_link(
        Equipment, "What the exercise needs; pick “Body Weight” when it needs nothing."
    )
    target_muscle = facet_link(Muscle, "The muscle the exercise works most.")
    secondary_muscles = models.ManyToManyField(
        Muscle,
        through="ExerciseSecondaryMuscle",
        related_name="secondary_in",
        blank=True,
        help_text="Other muscles it works, in the order they should be listed.",
    )
    difficulty = facet_link(
        Difficulty,
        "How demanding the exercise is; the page's answer to “Is it good for beginners?” and "
        "the sort by difficulty follow it.",
    )
    category = facet_link(
        Category, "The kind of training it is, e.g. Strength or Mobility; each has a hub page."
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        db_index=True,
        help_text="Only published exercises are shown to visitors; staff can preview drafts.",
    )
    featured_rank = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(FEATURED_RANK_LIMIT)],
        help_text="Features the exercise: featured exercises lead the library and every hub, "
        "unless a visitor picks another sort. 1 comes first, then 2 and so on (equal numbers go "
        "A–Z). Leave it empty for the others, which follow A–Z. Feature the exercises most "
        "visitors come for, such as the classic lifts.",
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
        indexes = [
            # The candidates of “Swap for” (ExerciseQuerySet.substitutes_for).
            models.Index(fields=["target_muscle", "category"], name="exercise_same_movement"),
        ]
        constraints = [
            *slug_constraints("exercise"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="exercise_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(grammatical_number__in=["auto", "singular", "plural"]),
                name="exercise_grammatical_number_valid",
            ),
            models.CheckConstraint(
                condition=Q(featured_rank__isnull=True)
                | Q(featured_rank__gte=1, featured_rank__lte=FEATURED_RANK_LIMIT),
                name="exercise_featured_rank_range",
            ),
            length_constraint("quick_answer", QUICK_ANSWER_LIMIT, "exercise_quick_answer_length"),
        ]
        # The browse's default order (filters.FEATURED_ORDER): PostgreSQL reads it in index
        # order, since an ascending index keeps NULLs (the unfeatured) last.
        indexes = [models.Index(fields=["featured_rank", "name"], name="exercise_featured_order")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def get_absolute_url(self):
        return reverse("exercises:detail", args=[self.slug])

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        """Remember the status as loaded, so that the page cache knows whether a save changed
        a public page (exercises.caching); SlugHistoryMixin remembers the slug."""
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        if "status" in instance.__dict__:
            instance._loaded_status = instance.status
        return instance

    def get_markdown_url(self):
        return reverse("exercises:detail_markdown", args=[self.slug])

    @property
    def is_plural(self):
        """Whether generated sentences treat the name as plural (grammatical_number)."""
        if self.grammatical_number == self.GrammaticalNumber.AUTO:
            return name_is_plural(self.name)
        return self.grammatical_number == self.GrammaticalNumber.PLURAL

    @property
    def subject(self):
        """The exercise as generated sentences name it."""
        return Subject(self.name, self.is_plural)

    @property
    def page_title(self):
        """The page's <title> before the site name: what the page has (“How to Do It” with
        steps, “Tips” with pro tips; every page lists the muscles worked), as much as fits
        in TITLE_LIMIT."""
        how = f"How to Do {self.subject.it.capitalize()}" if self.steps.all() else ""
        tips = "Tips" if self.pro_tips.all() else ""
        covers = [part for part in (how, "Muscles Worked", tips) if part]
        candidates = [", ".join(covers[:-1]) + " and " + covers[-1]] if len(covers) > 1 else []
        if how:
            candidates += [f"{how} and Muscles Worked", how]
        else:
            candidates.append("Muscles Worked")
        return fit_title(*(f"{self.name}: {words}" for words in candidates), self.name)

    @property
    def meta_description(self):
        """The quick answer, led by the name unless it says it: the generated sentences of
        similar exercises are alike."""
        description = shorten(self.full_quick_answer)
        if self.name.lower() not in description.lower():
            description = shorten(f"{self.name}: {self.full_quick_answer}")
        return description

    @property
    def thumbnail_url(self):
        """Its first image's card thumbnail ("" without media), when the queryset annotated
        `thumbnail_hash` (for_listing does)."""
        return thumbnail_url(getattr(self, "thumbnail_hash", None))

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def ordered_secondary_muscles(self):
        return [link.muscle for link in self.secondary_muscle_links.all()]

    def facts(self):
        """(label, values) of the classification as the page lists it: each facet's value in
        registry order, and the secondary muscles, if any, after the target muscle."""
        facts = []
        for model in FACETS:
            facts.append((model.label, [getattr(self, model.exercise_field)]))
            if model is Muscle and self.ordered_secondary_muscles:
                facts.append(("Secondary muscles", self.ordered_secondary_muscles))
        return facts

    @property
    def quick_answer_summary(self):
        """The generated sentence that follows the authored quick answer."""
        sentence = (
            f"{self.difficulty.name} {lower_name(self.body_part.modifier)} exercise using "
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

    def generated_faqs(self, substitutes=()):
        """The FAQ entries every exercise page answers from its attributes, and from its
        substitutes (SubstituteGroups, as “Swap for” shows them) when it has any."""
        it = self.subject
        target = self.target_muscle.lower_name
        muscles = f"{it.The} primarily {it.verb('targets', 'target')} the {target}"
        secondaries = self.ordered_secondary_muscles
        if secondaries:
            muscles += ", with secondary activation in the " + ", ".join(
                m.lower_name for m in secondaries
            )
        muscles += (
            f". {it.it_is} classified as a {self.category.lower_name} exercise for the "
            f"{self.body_part.lower_name}."
        )
        beginner_answers = {
            "beginner": f"Yes, {it.the} {it.is_} rated as a beginner-level exercise. "
            f"{it.it_is} a great starting point for building {target} strength.",
            "intermediate": f"{it.The} {it.is_} rated as intermediate. Beginners should build "
            f"a base of {target} strength with easier variations first.",
            "advanced": f"{it.The} {it.is_} an advanced exercise. Beginners should master "
            f"fundamental {lower_name(self.body_part.modifier)} movements first.",
        }
        faqs = [Faq(f"What muscles {it.does} {it.the} work?", muscles)]
        beginner = beginner_answers.get(self.difficulty.slug)
        if beginner:
            faqs.append(Faq(f"{it.is_.capitalize()} {it.the} good for beginners?", beginner))
        instead = instead_answer(self, substitutes)
        if instead:
            faqs.append(Faq(f"What can I do instead of {it.the}?", instead))
        return faqs

    def hub_links(self):
        """(label, url) of the hubs this exercise belongs to, as “Related exercises” lists them."""
        return [
            (f"More {taxon.heading}", taxon.get_absolute_url())
            for taxon in (self.body_part, self.equipment, self.target_muscle)
        ]

    def all_faqs(self, substitutes=()):
        """Authored entries first, then the generated ones that no authored entry already
        asks, as the page (and its FAQPage JSON-LD) shows them."""
        authored = [Faq(f.question, f.answer) for f in self.faqs.all()]
        asked = {question_key(faq.question) for faq in authored}
        generated = [
            f for f in self.generated_faqs(substitutes) if question_key(f.question) not in asked
        ]
        return authored + generated


@receiver(pre_delete, sender=Exercise)
def forget_deleted_draft(sender, instance, **kwargs):
    """A deleted draft leaves no trace: its old addresses answer 404 like never-used ones."""
    if not instance.is_published:
        ExerciseSlug.objects.filter(exercise=instance).delete()


@receiver(post_delete, sender=Exercise)
def remember_deleted_exercise(sender, instance, **kwargs):
    """A deleted exercise's address answers “410 Gone” instead of a plain 404 (a draft's,
    which visitors never saw, stays a plain 404)."""
    if instance.is_published:
        ExerciseSlug.objects.update_or_create(slug=instance.slug, defaults={"exercise": None})

"""The taxonomy: the values of each facet (body part, muscle, ...), each with a hub page."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from ..text import lower_name, validate_plain_text
from .addresses import HubSlug
from .content import length_constraint

# Hub URLs share one namespace: /exercises/<body part or difficulty>, /exercises/equipment/<slug>...
RESERVED_HUB_SLUGS = ("equipment", "muscle", "category")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
validate_slug_format = RegexValidator(
    SLUG_PATTERN,
    "Use lower-case letters, digits and single hyphens, e.g. “lower-back”.",
    code="invalid_slug",
)
# A hub page's introduction, in characters.
INTRO_LIMIT = 1000


def slug_constraints(prefix, intro=False):
    """Database checks every slug column carries: non-empty, lower-case, no stray characters;
    and a non-empty name beside it. Taxa also bound their intro (``intro=True``)."""
    constraints = [
        models.CheckConstraint(condition=~Q(slug=""), name=f"{prefix}_slug_not_empty"),
        models.CheckConstraint(condition=Q(slug=Lower("slug")), name=f"{prefix}_slug_lowercase"),
        models.CheckConstraint(condition=~Q(name=""), name=f"{prefix}_name_not_empty"),
    ]
    if intro:
        constraints.append(length_constraint("intro", INTRO_LIMIT, f"{prefix}_intro_length"))
    return constraints


class Taxon(models.Model):
    """A value of one facet (body part, muscle, ...): it has a hub page listing its exercises."""

    name = models.CharField(
        max_length=60,
        unique=True,
        validators=[validate_plain_text],
        help_text="As visitors see it, e.g. “Lower Back”.",
    )
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_slug_format],
        help_text="The hub page's address. Changing it keeps the old address working "
        "(it redirects).",
    )
    intro = models.TextField(
        blank=True,
        max_length=INTRO_LIMIT,
        validators=[MaxLengthValidator(INTRO_LIMIT), validate_plain_text],
        help_text="A short introduction shown at the top of this hub page.",
    )
    updated = models.DateTimeField(auto_now=True)

    # The query parameter this facet filters on, the Exercise field behind it, the reverse
    # relation from the taxonomy to its exercises and the URL name of its hub page.
    facet = ""
    label = ""  # the facet's name in the sidebar, e.g. “Target muscle”
    plural = ""  # a heading over all its values, e.g. “Target muscles”
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
    label, plural = "Body part", "Body parts"
    hub_url_name = "exercises:hub"

    class Meta(Taxon.Meta):
        ordering = ["position", "name"]
        constraints = [
            *slug_constraints("bodypart", intro=True),
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
    label, plural = "Difficulty", "Difficulty levels"
    hub_url_name = "exercises:hub"

    class Meta(Taxon.Meta):
        verbose_name_plural = "difficulties"
        ordering = ["position", "name"]
        constraints = [
            *slug_constraints("difficulty", intro=True),
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
    label, plural = "Target muscle", "Target muscles"
    exercise_field = "target_muscle"
    exercise_relation = "targeted_by"
    hub_url_name = "exercises:muscle"

    class Meta(Taxon.Meta):
        constraints = slug_constraints("muscle", intro=True)


class Equipment(Taxon):
    facet = exercise_field = "equipment"
    label, plural = "Equipment", "Equipment"
    hub_url_name = "exercises:equipment"

    class Meta(Taxon.Meta):
        verbose_name_plural = "equipment"
        constraints = slug_constraints("equipment", intro=True)


class Category(Taxon):
    facet = exercise_field = "category"
    label, plural = "Category", "Categories"
    hub_url_name = "exercises:category"

    class Meta(Taxon.Meta):
        verbose_name_plural = "categories"
        constraints = slug_constraints("category", intro=True)


# The facets, in the order the library's sidebar shows them. Filters, browse state, hub
# addresses, crawler lists, validators, the library format and cache invalidation all iterate
# this registry: a new facet is one Taxon subclass here (and its migration).
FACETS = (BodyPart, Equipment, Muscle, Difficulty, Category)
FACET_MODELS = {model.facet: model for model in FACETS}

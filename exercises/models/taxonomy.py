"""The taxonomy: the values of each facet (body part, muscle, ...), each with a hub page."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from ..bodymap import REGION_CHOICES
from ..text import attributive, lower_name, validate_plain_text
from .content import length_constraint
from .naming import NormalizedNameMixin, SlugHistoryMixin

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


def name_field(max_length, help_text):
    """A page's name: unique, plain text (stored normalised, see NormalizedNameMixin)."""
    return models.CharField(
        max_length=max_length,
        unique=True,
        validators=[validate_plain_text],
        help_text=help_text,
    )


def slug_field(max_length, help_text):
    """A page's address: unique, lower-case letters, digits and single hyphens."""
    return models.SlugField(
        max_length=max_length,
        unique=True,
        validators=[validate_slug_format],
        help_text=help_text,
    )


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


class Taxon(SlugHistoryMixin, NormalizedNameMixin, models.Model):
    """A value of one facet (body part, muscle, ...): it has a hub page listing its exercises."""

    name = name_field(60, "As visitors see it, e.g. “Lower Back”.")
    slug = slug_field(
        60, "The hub page's address. Changing it keeps the old address working (it redirects)."
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
    # A facet an exercise can also have through a list of its rows (the muscles it works):
    # the Exercise relation to those rows, each naming a value in its `muscle`-like field.
    secondary_relation = ""
    secondary_field = ""

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = slug_constraints("%(class)s", intro=True)

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(self.hub_url_name, args=[self.slug])

    def get_markdown_url(self):
        return reverse(self.hub_url_name + "_markdown", args=[self.slug])

    def slug_history_scope(self):
        # Every facet keeps its old slugs in HubSlug, one column per facet.
        return {"facet": self.facet}

    @property
    def display_name(self):
        """How lists and breadcrumbs name the value on its own."""
        return self.name

    @property
    def lower_name(self):
        """The value inside a sentence: “… exercise using body weight”."""
        return lower_name(self.display_name)

    @property
    def heading(self):
        """Its hub's heading, also the hub's name in links: “Leg Exercises”."""
        return f"{attributive(self.name)} Exercises"

    @property
    def modifier(self):
        """The value before another noun (“Barbell” in “Barbell Back Exercises”), or None
        when it reads only after one."""
        return attributive(self.name)


class RankedTaxon(Taxon):
    """A facet whose values trainers rank (each subclass words its `position` field) and whose
    hubs live at /exercises/<slug>, an address space shared with the other such facets."""

    hub_url_name = "exercises:hub"

    class Meta(Taxon.Meta):
        abstract = True
        ordering = ["position", "name"]
        constraints = [
            *Taxon.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_HUB_SLUGS), name="%(class)s_slug_not_reserved"
            ),
        ]

    def clean(self):
        """Refuse a slug reserved for other hubs' addresses or used by a value of a facet
        sharing this address space."""
        super().clean()
        if self.slug in RESERVED_HUB_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is reserved for the {self.slug} hubs' addresses."}
            )
        for other in FACETS:
            if other is type(self) or other.hub_url_name != self.hub_url_name:
                continue
            clash = other.objects.filter(slug=self.slug).first()
            if clash:
                raise ValidationError(
                    {
                        "slug": f"“{self.slug}” is already the address of the "
                        f"{other._meta.verbose_name} “{clash}”; pick another slug."
                    }
                )


class BodyPart(RankedTaxon):
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Where this body part appears in lists; lower numbers come first."
    )

    facet = exercise_field = "body_part"
    label, plural = "Body part", "Body parts"


class Difficulty(RankedTaxon):
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Rank from easiest to hardest; sorting by difficulty follows it."
    )

    facet = exercise_field = "difficulty"
    label, plural = "Difficulty", "Difficulty levels"

    class Meta(RankedTaxon.Meta):
        verbose_name_plural = "difficulties"


class Muscle(Taxon):
    body_part = models.ForeignKey(
        BodyPart,
        on_delete=models.PROTECT,
        related_name="muscles",
        help_text="The body part this muscle belongs to.",
    )
    map_region = models.CharField(
        max_length=20,
        blank=True,
        choices=REGION_CHOICES,
        help_text="Where the muscle map (on the library, the muscle hubs and exercise pages) "
        "draws this muscle. Each region shows one muscle. Leave it empty when no region fits: "
        "the map then names the muscle in a line below the drawing.",
    )

    facet = "muscle"
    label, plural = "Target muscle", "Target muscles"
    exercise_field = "target_muscle"
    exercise_relation = "targeted_by"
    hub_url_name = "exercises:muscle"

    class Meta(Taxon.Meta):
        constraints = [
            *Taxon.Meta.constraints,
            models.UniqueConstraint(
                fields=["map_region"],
                condition=~Q(map_region=""),
                name="muscle_map_region_unique",
                violation_error_message="Another muscle is already drawn in this region.",
            ),
        ]

    def region_holder(self):
        """The other muscle drawn in this muscle's map region, or None."""
        if not self.map_region:
            return None
        return Muscle.objects.filter(map_region=self.map_region).exclude(pk=self.pk).first()

    def validate_constraints(self, exclude=None):
        """Name the muscle that already holds the region (forms; the importer checks its own)."""
        holder = None if "map_region" in (exclude or ()) else self.region_holder()
        if holder:
            raise ValidationError(
                {
                    "map_region": f"“{holder}” is already drawn in this region; pick another "
                    f"region, or first give “{holder}” another one."
                }
            )
        super().validate_constraints(exclude)


class Equipment(Taxon):
    facet = exercise_field = "equipment"
    label, plural = "Equipment", "Equipment"
    hub_url_name = "exercises:equipment"
    # The catch-all value: “Other” alone reads wrong in a heading or sentence (“Other
    # Exercises”, “… exercise using other”), so it is worded “other equipment” there, and its
    # combination hubs, a mix of unrelated tools, are not indexed.
    CATCH_ALL_SLUG = "other"

    class Meta(Taxon.Meta):
        verbose_name_plural = "equipment"

    @property
    def is_catch_all(self):
        return self.slug == self.CATCH_ALL_SLUG

    @property
    def display_name(self):
        return f"{self.name} Equipment" if self.is_catch_all else self.name

    @property
    def heading(self):
        return f"Exercises with {self.display_name}" if self.is_catch_all else super().heading

    @property
    def modifier(self):
        return None if self.is_catch_all else super().modifier


class Category(Taxon):
    facet = exercise_field = "category"
    label, plural = "Category", "Categories"
    hub_url_name = "exercises:category"

    class Meta(Taxon.Meta):
        verbose_name_plural = "categories"


class WorkedMuscle(Muscle):
    """The muscles as a second facet: the exercises that work a muscle, as their target or as
    one of their secondary muscles (?works=lower-back). It has no hub of its own: a muscle's
    hub lists the exercises targeting it, and links to this wider state."""

    facet = "works"
    label, plural = "Works muscle", "Muscles worked"
    hub_url_name = ""
    secondary_relation = "secondary_muscle_links"
    secondary_field = "muscle"

    class Meta:
        proxy = True
        verbose_name = "worked muscle"

    def get_absolute_url(self):
        return reverse(Muscle.hub_url_name, args=[self.slug])


# The facets of an exercise's taxonomy, in the order the library's sidebar shows them. Hub
# addresses, crawler lists, validators, the library format and cache invalidation iterate
# this registry: a new facet is one Taxon subclass here (and its migration).
FACETS = (BodyPart, Equipment, Muscle, Difficulty, Category)
# The browse's facets, in sidebar order: the taxonomy's, and beside the target muscle the
# muscles an exercise works. Filters, browse state and facet counts iterate this one.
BROWSE_FACETS = (BodyPart, Equipment, Muscle, WorkedMuscle, Difficulty, Category)
FACET_MODELS = {model.facet: model for model in BROWSE_FACETS}

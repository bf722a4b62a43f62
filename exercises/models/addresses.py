"""The address history: old exercise and hub slugs that redirect (or answer 410 Gone)."""

import operator
from functools import reduce

from django.db import models
from django.db.models import Q


class ExerciseSlug(models.Model):
    """An address an exercise used to have: it redirects to the exercise, or is gone (410)."""

    slug = models.SlugField(max_length=200, unique=True)
    exercise = models.ForeignKey(
        "exercises.Exercise",
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
        "exercises.BodyPart",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="old_slugs",
    )
    equipment = models.ForeignKey(
        "exercises.Equipment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="old_slugs",
    )
    muscle = models.ForeignKey(
        "exercises.Muscle",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="old_slugs",
    )
    difficulty = models.ForeignKey(
        "exercises.Difficulty",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="old_slugs",
    )
    category = models.ForeignKey(
        "exercises.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="old_slugs",
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

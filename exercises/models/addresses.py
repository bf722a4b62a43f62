"""The address history: old exercise and hub slugs that redirect (or answer 410 Gone)."""

import operator
from functools import reduce

from django.db import models
from django.db.models import Q

from .taxonomy import FACETS


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


def _only_taxon(facet):
    """The condition that a HubSlug of this facet links to a value of its facet only."""
    return Q(facet=facet, **{f"{model.facet}__isnull": model.facet != facet for model in FACETS})


class HubSlug(models.Model):
    """An address a hub used to have: it redirects to the hub's current address.

    Besides these fields it has a link to each facet's taxonomy, named after the facet (added
    below from the registry). Exactly one is set: the row of `facet`. Deleting that row forgets
    its history.
    """

    facet = models.CharField(
        max_length=20, choices=[(model.facet, model.facet) for model in FACETS]
    )
    slug = models.SlugField(max_length=60)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["facet", "slug"]
        verbose_name = "old hub address"
        verbose_name_plural = "old hub addresses"
        constraints = [
            models.UniqueConstraint(fields=["facet", "slug"], name="hubslug_once_per_facet"),
            models.CheckConstraint(
                condition=reduce(operator.or_, (_only_taxon(model.facet) for model in FACETS)),
                name="hubslug_one_taxon_of_its_facet",
            ),
        ]

    def __str__(self):
        return self.slug

    @property
    def taxon(self):
        return getattr(self, self.facet)


for _model in FACETS:
    HubSlug.add_to_class(
        _model.facet,
        models.ForeignKey(
            _model, on_delete=models.CASCADE, null=True, blank=True, related_name="old_slugs"
        ),
    )
del _model

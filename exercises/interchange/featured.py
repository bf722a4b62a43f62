"""Seed the featured exercises (fixtures/starter-featured.json) of a library nobody has
featured yet: the file ranks them 1, 2, 3 ... in its order. Once any exercise is featured the
featured set is the trainers' own, and seeding changes nothing.

The file is {"format": "forge-featured-exercises", "version": 1, "featured": [slug, ...]}
(docs/library-format.md). A slug the library lacks, or a draft, is passed over: the starter
library may be imported in part.
"""

from dataclasses import dataclass, field

from django.db import transaction

from ..caching import content_changed
from ..models import Exercise
from .format import LibraryError, check_header, quote, type_name

FORMAT = "forge-featured-exercises"


@dataclass
class FeaturedPlan:
    """What seeding did: the slugs ranked, those passed over, or that the library was featured."""

    ranked: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # not in the library, or not published
    already_featured: bool = False


def featured_slugs(data):
    """The file's slugs in rank order, after checking its header and shape."""
    check_header(data, kind=FORMAT, name="a featured list", keys=["featured"])
    slugs = data.get("featured", [])
    if not isinstance(slugs, list):
        raise LibraryError(f'"featured" must be a list, not {type_name(slugs)}')
    for index, slug in enumerate(slugs):
        if not isinstance(slug, str):
            raise LibraryError(f"featured[{index}] must be a slug, not {type_name(slug)}")
        if slug in slugs[:index]:
            raise LibraryError(f"featured[{index}]: {quote(slug)} is listed twice")
    return slugs


def seed_featured(data, *, dry_run=False):
    """Rank the file's published exercises 1, 2, 3 ... unless some exercise is featured."""
    slugs = featured_slugs(data)
    plan = FeaturedPlan()
    if Exercise.objects.filter(featured_rank__isnull=False).exists():
        plan.already_featured = True
        return plan
    found = Exercise.objects.published().in_bulk(slugs, field_name="slug")
    ranked = []
    for slug in slugs:
        if slug in found:
            exercise = found[slug]
            exercise.featured_rank = len(ranked) + 1
            ranked.append(exercise)
        else:
            plan.missing.append(slug)
    plan.ranked = [exercise.slug for exercise in ranked]
    if not dry_run and ranked:
        with transaction.atomic():
            Exercise.objects.bulk_update(ranked, ["featured_rank"])
            content_changed()  # bulk_update sends no signals
    return plan

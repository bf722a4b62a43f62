"""The exercise library's models, one module per concern:

- taxonomy: the facets' values (body part, muscle, equipment, category, difficulty), each a hub;
- exercise: the exercise, its generated sentences and FAQs; queries: its query shapes;
- content: its ordered rows (aliases, secondary muscles, steps, tips, mistakes, FAQs);
- media: its ordered images and videos with their credits and licences;
- substitutes: trainers' pins and exclusions of what an exercise can be swapped for;
- addresses: old exercise and hub slugs that redirect or answer 410 Gone;
- revision: the content version that retires cached pages and ETags;
- versioned: which of these rows django-reversion keeps versions of;
- search_index: SQLite's full-text index of the exercises (PostgreSQL searches a column).
"""

from .addresses import ExerciseSlug, HubSlug
from .content import (
    FAQ,
    ITEM_LISTS,
    CommonMistake,
    ExerciseAlias,
    ExerciseItem,
    ExerciseSecondaryMuscle,
    ProTip,
    Step,
    prefetch_items,
)
from .exercise import Exercise, Faq
from .media import (
    LICENCES,
    ExerciseMedia,
    ExerciseTextCredit,
    MediaLicence,
    prefetch_media,
    thumbnail_url,
)
from .queries import ExerciseQuerySet
from .revision import ContentRevision
from .search_index import ExerciseSearchRow
from .substitutes import ExerciseSubstitute
from .taxonomy import (
    BROWSE_FACETS,
    FACET_MODELS,
    FACETS,
    RESERVED_HUB_SLUGS,
    SLUG_PATTERN,
    BodyPart,
    Category,
    Difficulty,
    Equipment,
    Muscle,
    Taxon,
    WorkedMuscle,
    slug_constraints,
    validate_slug_format,
)
from .versioned import EXERCISE_ROWS

__all__ = [
    "BROWSE_FACETS",
    "FACETS",
    "FACET_MODELS",
    "FAQ",
    "LICENCES",
    "ITEM_LISTS",
    "RESERVED_HUB_SLUGS",
    "SLUG_PATTERN",
    "BodyPart",
    "Category",
    "CommonMistake",
    "ContentRevision",
    "EXERCISE_ROWS",
    "Difficulty",
    "Equipment",
    "Exercise",
    "ExerciseAlias",
    "ExerciseItem",
    "ExerciseMedia",
    "ExerciseTextCredit",
    "ExerciseQuerySet",
    "ExerciseSearchRow",
    "ExerciseSecondaryMuscle",
    "ExerciseSlug",
    "ExerciseSubstitute",
    "Faq",
    "HubSlug",
    "MediaLicence",
    "Muscle",
    "ProTip",
    "Step",
    "Taxon",
    "WorkedMuscle",
    "prefetch_items",
    "prefetch_media",
    "slug_constraints",
    "thumbnail_url",
    "validate_slug_format",
]

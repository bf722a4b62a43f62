"""manage.py seed_library --exercises N: add a synthetic library, for benchmarks and trials."""

from django.core.management.base import BaseCommand, CommandError

from exercises.models import Exercise, Muscle
from exercises.synthetic import build_library


class Command(BaseCommand):
    help = (
        "Add N synthetic exercises built from the taxonomy in the database: realistic names, "
        "steps, tips, mistakes and FAQs, about 5% of them drafts. The same --seed builds the "
        "same library; names already in the database are never reused. For benchmarks and for "
        "trying the site at scale, never for production content."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--exercises",
            type=int,
            default=1000,
            help="How many exercises to add (default 1000).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="The random seed (default 1): same seed, same library.",
        )

    def handle(self, *, exercises, seed, **options):
        if exercises < 1:
            raise CommandError("--exercises must be 1 or more.")
        if not Muscle.objects.exists():
            raise CommandError(
                "the database has no taxonomy to build exercises from: "
                "import fixtures/taxonomy.json first (manage.py import_exercises "
                "fixtures/taxonomy.json)."
            )
        added = build_library(exercises, seed=seed)
        drafts = sum(exercise.status == Exercise.Status.DRAFT for exercise in added)
        if options["verbosity"]:
            self.stdout.write(
                f"Added {len(added):,} synthetic exercises ({drafts:,} of them drafts)."
            )
        if len(added) < exercises:
            self.stderr.write(
                f"Only {len(added):,} of the {exercises:,} asked for: the taxonomy has no more "
                "new names to make."
            )

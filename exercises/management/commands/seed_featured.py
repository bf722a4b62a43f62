"""manage.py seed_featured PATH: feature the starter exercises while nothing is featured."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.interchange.featured import seed_featured
from exercises.interchange.format import LibraryError, parse


class Command(BaseCommand):
    help = (
        "Feature the exercises of a forge-featured-exercises file (e.g. "
        "fixtures/starter-featured.json), ranked in the file's order, when no exercise is "
        "featured yet; once one is, the featured set is the trainers' and nothing changes. "
        "See docs/library-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file to read.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, path, dry_run, **options):
        try:
            plan = seed_featured(parse(Path(path).read_bytes()), dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except LibraryError as error:
            raise CommandError(f"{path}: {error}") from None
        if plan.already_featured:
            self.stdout.write("featured: the library has featured exercises already; kept")
            return
        verb = "would be featured" if dry_run else "featured"
        self.stdout.write(
            f"featured: {len(plan.ranked)} {verb}; {len(plan.missing)} are not published in "
            "the library"
        )

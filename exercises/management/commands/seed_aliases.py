"""manage.py seed_aliases PATH: add the starter aliases to exercises that have none yet."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.interchange.aliases import seed_aliases
from exercises.interchange.format import LibraryError, parse


class Command(BaseCommand):
    help = (
        "Add the aliases of a forge-exercise-aliases file (e.g. fixtures/starter-aliases.json) "
        "to the exercises that have no aliases yet; exercises with aliases keep theirs. "
        "See docs/library-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file to read.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, path, dry_run, **options):
        try:
            plan = seed_aliases(parse(Path(path).read_bytes()), dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except LibraryError as error:
            raise CommandError(f"{path}: {error}") from None
        verb = "would be added" if dry_run else "added"
        self.stdout.write(
            f"aliases: {plan.added} {verb}; {len(plan.kept)} exercises kept their own aliases, "
            f"{len(plan.missing)} are not in the library"
        )

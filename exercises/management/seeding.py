"""What the starter-data commands (seed_aliases, seed_featured) share: read one library file,
hand it to a seeding function, and turn unreadable or invalid files into one-line errors."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.interchange.format import LibraryError, parse


class SeedCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file to read.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def seed(self, seeding, path, dry_run):
        """The plan `seeding(library, dry_run=…)` returns for the file at `path`."""
        try:
            return seeding(parse(Path(path).read_bytes()), dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except LibraryError as error:
            raise CommandError(f"{path}: {error}") from None

"""manage.py export_exercises [PATH]: write the whole library in the Forge format."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.interchange.format import dumps, export_library


class Command(BaseCommand):
    help = (
        "Export all taxonomy and exercises (drafts included) as a Forge library. The output "
        "is stable: the same library always gives the same bytes. See docs/library-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", default="-", help="The file to write, or - for standard output."
        )

    def handle(self, path, **options):
        text = dumps(export_library())
        if path == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error}") from None
        if options["verbosity"]:
            self.stderr.write(f"Exported the library to {path}.")

"""manage.py export_exercises [PATH]: write the whole library in the Forge format."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.interchange.format import dumps, export_library
from exercises.interchange.media import export_files


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
            if '"media": [' in text:
                raise CommandError(
                    "the library has images and videos: export to a file, so that they can be "
                    "written beside it (in a media/ folder)"
                )
            self.stdout.write(text, ending="")
            return
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error}") from None
        files = export_files(Path(path).resolve().parent)
        if options["verbosity"]:
            where = f" and {files} media files to its media/ folder" if files else ""
            self.stderr.write(f"Exported the library to {path}{where}.")

"""manage.py import_exercises PATH: load a Forge library or a free-exercise-db dump."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from exercises.interchange.format import LibraryError, parse
from exercises.interchange.importer import FORMATS, import_library
from exercises.models import Exercise

KINDS = {
    "body_parts": "body parts",
    "difficulties": "difficulties",
    "muscles": "muscles",
    "equipment": "equipment",
    "categories": "categories",
    "exercises": "exercises",
    "old_addresses": "old addresses",
}


class ProgressStream:
    """Pass tqdm's in-place redraws to stderr without the newline and colour that Django's
    OutputWrapper adds to every write."""

    def __init__(self, wrapper):
        self.wrapper = wrapper
        self.encoding = getattr(wrapper, "encoding", None)

    def write(self, text):
        self.wrapper.write(text, style_func=str, ending="")

    def flush(self):
        self.wrapper.flush()

    def isatty(self):
        return self.wrapper.isatty()


class Command(BaseCommand):
    help = (
        "Import taxonomy and exercises from a JSON file (the Forge format, or a "
        "free-exercise-db dump). Existing rows are kept unless --update is given; on any "
        "problem nothing is written. See docs/library-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file to read, or - for standard input.")
        parser.add_argument(
            "--format", choices=FORMATS, help="The file's format (default: detected)."
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite existing taxonomy and exercises that differ from the file.",
        )
        parser.add_argument(
            "--status",
            choices=Exercise.Status.values,
            help="Give every imported exercise this status (default: the file's, else published).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, write nothing."
        )

    def handle(self, path, **options):
        source = "standard input" if path == "-" else path
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {source}: {error}") from None
        quiet = options["verbosity"] == 0

        def progress(iterable, **kwargs):
            stream = ProgressStream(self.stderr)
            return tqdm(iterable, file=stream, disable=True if quiet else None, **kwargs)

        try:
            counts = import_library(
                parse(text),
                format=options["format"],
                update=options["update"],
                status=options["status"],
                dry_run=options["dry_run"],
                progress=progress,
                media_dir=Path.cwd() if path == "-" else Path(path).resolve().parent,
            )
        except LibraryError as error:
            raise CommandError(f"{source}: {error}") from None
        if quiet:
            return
        prefix = "Would import (dry run)" if options["dry_run"] else "Imported"
        self.stdout.write(f"{prefix} {source}:")
        for key, noun in KINDS.items():
            if key in counts:
                done = counts[key]
                self.stdout.write(
                    f"  {noun}: {done['created']} created, {done['updated']} updated, "
                    f"{done['unchanged']} unchanged, {done['skipped']} skipped"
                )
        skipped = sum(done["skipped"] for done in counts.values())
        if skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"{skipped} existing row(s) differ from the file and were kept; "
                    "use --update to overwrite them."
                )
            )

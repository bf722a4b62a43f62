"""manage.py import_exercises PATH: load a Forge library or a free-exercise-db dump."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from exercises.interchange.format import SECTIONS, LibraryError
from exercises.interchange.importer import FORMATS, import_library
from exercises.interchange.reading import Library
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


# How many changed rows of each kind the summary names (all of them with -v 2).
LISTED = 50
# How the summary names a changed row's kind.
CHANGE_NOUNS = {
    **{key: section.noun for key, section in SECTIONS.items()},
    "exercises": "exercise",
    "old_addresses": "old address",
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


class LogProgress:
    """Progress where standard error is not a terminal (a log): for a long phase, a plain line
    at each tenth done; a short one (the starter library) prints nothing."""

    # The smallest phase logged, by unit.
    LOGGED_FROM = {"exercise": 5000, "B": 10 * 2**20}

    def __init__(self, write, iterable=None, *, total=None, desc="", unit="exercise", **kwargs):
        self.write, self.iterable, self.desc, self.unit = write, iterable, desc, unit
        self.total = len(iterable) if total is None else total
        self.done = 0
        self.logged = self.total >= self.LOGGED_FROM.get(unit, 0)
        self.tenths = 0

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.update()

    def update(self, count=1):
        self.done += count
        tenths = min(10, self.done * 10 // self.total) if self.total else 10
        if self.logged and tenths > self.tenths:
            self.tenths = tenths
            if self.unit == "B":
                amount = f"{self.done / 2**20:,.0f}/{self.total / 2**20:,.0f} MB"
            else:
                amount = f"{self.done:,}/{self.total:,} {self.unit}s"
            self.write(f"{self.desc}: {amount} ({tenths * 10}%)")

    def close(self):
        pass


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
        quiet = options["verbosity"] == 0

        def progress(iterable, **kwargs):
            if not quiet and not self.stderr.isatty():
                return LogProgress(self.stderr.write, iterable, **kwargs)
            stream = ProgressStream(self.stderr)
            return tqdm(iterable, file=stream, disable=True if quiet else None, **kwargs)

        library = None
        try:
            # A Forge library's exercises are read one at a time, once to check them and once
            # more to write them, so memory does not grow with the file (reading.py).
            library = Library(path, progress)
            plan = import_library(
                library.data,
                format=options["format"],
                update=options["update"],
                status=options["status"],
                dry_run=options["dry_run"],
                progress=progress,
                media_dir=Path.cwd() if path == "-" else Path(path).resolve().parent,
            )
        except LibraryError as error:
            raise CommandError(f"{source}: {error}") from None
        finally:
            if library is not None:
                library.close()
        if not quiet:
            self.report(source, plan, options)

    def report(self, source, plan, options):
        """Counts per kind, then every row that differs from the file, with what differs."""
        dry_run, update = options["dry_run"], options["update"]
        prefix = "Would import (dry run)" if dry_run else "Imported"
        self.stdout.write(f"{prefix} {source}:")
        for key, noun in KINDS.items():
            if key in plan.counts:
                done = plan.counts[key]
                self.stdout.write(
                    f"  {noun}: {done['created']} created, {done['updated']} updated, "
                    f"{done['unchanged']} unchanged, {done['skipped']} skipped"
                )
        every = options["verbosity"] >= 2
        for action, heading in (
            ("updated", "Would update" if dry_run else "Updated"),
            ("skipped", "Kept as they are, though they differ from the file"),
        ):
            changes = [change for change in plan.changes if change.action == action]
            if changes:
                style = self.style.WARNING if action == "skipped" else str
                self.list_rows(
                    style(f"{heading}:"),
                    [
                        f"{CHANGE_NOUNS[change.kind]} {change.name}"
                        + (f": {', '.join(change.fields)}" if change.fields else "")
                        for change in changes
                    ],
                    every,
                )
        if plan.flagged:
            self.list_rows(
                self.style.WARNING(
                    f"Published though they fail the publish gate (flagged in the admin's "
                    f"“Published but fails it” filter): {len(plan.flagged)}"
                ),
                [f"exercise {name}: needs {' and '.join(gaps)}" for name, gaps in plan.flagged],
                every,
            )
        if plan.similar:
            self.list_rows(
                self.style.WARNING(
                    f"Names like other exercises' (imported; check for duplicates): "
                    f"{len(plan.similar)}"
                ),
                [
                    "exercise {}: like {}".format(
                        name, "; ".join(f"“{other.name}” ({other.how})" for other in similar[:5])
                    )
                    for name, similar in plan.similar
                ],
                every,
            )
        skipped = sum(done["skipped"] for done in plan.counts.values())
        if skipped and not update:
            self.stdout.write(
                self.style.WARNING(
                    f"{skipped} existing row(s) differ from the file and were kept; "
                    "use --update to overwrite them."
                )
            )

    def list_rows(self, heading, lines, every):
        """A heading, then the first LISTED lines (all of them at -v 2) and how many are left."""
        self.stdout.write(heading)
        shown = lines if every else lines[:LISTED]
        for line in shown:
            self.stdout.write(f"  {line}")
        if len(lines) > len(shown):
            self.stdout.write(f"  ... and {len(lines) - len(shown)} more (-v 2 lists all)")

"""manage.py import_everkinetic: the Everkinetic drawings and exercises (CC BY-SA 4.0)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from exercises.interchange.everkinetic import import_everkinetic

from .import_exercises import ProgressStream


class Command(BaseCommand):
    help = (
        "Attach the Everkinetic line drawings (fixtures/everkinetic/) to the starter exercises "
        "they show, following the reviewed table fixtures/everkinetic-matches.csv, and import "
        'the Everkinetic exercises it marks "import" with their steps and tips (text and '
        "drawings credited CC BY-SA 4.0). Running it again adds nothing twice. Import the "
        "taxonomy and the starter library first."
    )

    def handle(self, *args, **options):
        quiet = options["verbosity"] == 0

        def progress(iterable, **kwargs):
            stream = ProgressStream(self.stderr)
            return tqdm(iterable, file=stream, disable=True if quiet else None, **kwargs)

        counts = import_everkinetic(progress=progress)
        if not quiet:
            self.stdout.write(
                f"Everkinetic: drawings added to {counts['attached']} starter exercises and "
                f"{counts['imported']} imported exercises ({counts['drawings']} drawings); "
                f"{counts['duplicates']} already there, {counts['missing']} matched exercises "
                "missing."
            )

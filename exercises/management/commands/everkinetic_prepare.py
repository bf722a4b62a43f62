"""manage.py everkinetic_prepare SOURCE: bring the Everkinetic data set into fixtures/."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from exercises.interchange import everkinetic
from exercises.interchange.free_exercise_db import to_forge
from exercises.interchange.taxonomy import taxonomy_slugs


class Command(BaseCommand):
    help = (
        "Copy the Everkinetic data set (github.com/everkinetic/data: exercises.json, svg/, "
        "LICENSE.md) into fixtures/everkinetic/, dropping each drawing's redundant white layer. "
        "With --propose, also write fixtures/everkinetic-matches.csv afresh from the starter "
        "library (review it by hand afterwards: it overwrites the reviewed table). Needs the "
        "taxonomy in the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The data set's folder.")
        parser.add_argument(
            "--propose", action="store_true", help="Write a new matching proposal too."
        )

    def handle(self, source, propose, **options):
        starters = None
        if propose:
            path = settings.BASE_DIR / "fixtures" / "free-exercise-db.json"
            records = to_forge(json.loads(path.read_text(encoding="utf-8")), taxonomy_slugs())
            starters = [
                (
                    r.data["name"],
                    r.data["slug"],
                    r.data["equipment"],
                    r.data["target_muscle"],
                    r.data["secondary_muscles"],
                )
                for r in records
            ]
        written = everkinetic.prepare(source, starters)
        self.stdout.write(f"Wrote {len(written)} files under fixtures/.")

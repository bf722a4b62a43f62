"""manage.py prune_media: delete media files that no image or video uses any more."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from exercises import renditions
from exercises.models import ExerciseMedia


def stored_files(storage, directory):
    """Every file name under `directory` of the storage, recursively."""
    folders, files = storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}"
    for folder in folders:
        yield from stored_files(storage, f"{directory}/{folder}")


class Command(BaseCommand):
    help = (
        "Delete files under exercise-media/ that no image or video uses any more (after a "
        "delete or a replacement), once they are older than --days (default 2): a page cached "
        "by a browser or CDN may still show them for a while. --dry-run lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days, dry_run, **options):
        used = {name for item in ExerciseMedia.objects.all() for name in item.stored_names()}
        before = timezone.now() - timedelta(days=days)
        if not default_storage.exists(renditions.PREFIX):
            return
        unused = [
            name
            for name in stored_files(default_storage, renditions.PREFIX)
            if name not in used and default_storage.get_modified_time(name) < before
        ]
        for name in unused:
            if not dry_run:
                default_storage.delete(name)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {len(unused)} unused media files.")

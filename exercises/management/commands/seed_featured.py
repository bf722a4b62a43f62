"""manage.py seed_featured PATH: feature the starter exercises while nothing is featured."""

from exercises.interchange.featured import seed_featured
from exercises.management.seeding import SeedCommand


class Command(SeedCommand):
    help = (
        "Feature the exercises of a forge-featured-exercises file (e.g. "
        "fixtures/starter-featured.json), ranked in the file's order, when no exercise is "
        "featured yet; once one is, the featured set is the trainers' and nothing changes. "
        "See docs/library-format.md."
    )

    def handle(self, path, dry_run, **options):
        plan = self.seed(seed_featured, path, dry_run)
        if plan.already_featured:
            self.stdout.write("featured: the library has featured exercises already; kept")
            return
        verb = "would be featured" if dry_run else "featured"
        self.stdout.write(
            f"featured: {len(plan.ranked)} {verb}; {len(plan.missing)} are not published in "
            "the library"
        )

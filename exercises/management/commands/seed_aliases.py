"""manage.py seed_aliases PATH: add the starter aliases to exercises that have none yet."""

from exercises.interchange.aliases import seed_aliases
from exercises.management.seeding import SeedCommand


class Command(SeedCommand):
    help = (
        "Add the aliases of a forge-exercise-aliases file (e.g. fixtures/starter-aliases.json) "
        "to the exercises that have no aliases yet; exercises with aliases keep theirs. "
        "See docs/library-format.md."
    )

    def handle(self, path, dry_run, **options):
        plan = self.seed(seed_aliases, path, dry_run)
        verb = "would be added" if dry_run else "added"
        self.stdout.write(
            f"aliases: {plan.added} {verb}; {len(plan.kept)} exercises kept their own aliases, "
            f"{len(plan.missing)} are not in the library"
        )

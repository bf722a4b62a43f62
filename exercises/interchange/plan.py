"""What an import will do: the checks (importer.py, taxonomy.py) fill a Plan, writer.py carries
it out."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """A row that exists and differs from the file: updated, or skipped without --update."""

    kind: str  # the file's list: "exercises", "muscles", "old_addresses"...
    name: str
    fields: tuple  # the file's keys whose values differ
    action: str


@dataclass
class Plan:
    """What an import will do: rows to write, counts per kind and what differs per row."""

    taxa: list = field(default_factory=list)  # taxa to save, in writing order
    # The exercise records, read again to write them: the file's stream, or a list.
    records: object = ()
    # (id or None when new, name) of the exercises to create or update, for plan_duplicates;
    # the records themselves are not kept between checking and writing.
    written: list = field(default_factory=list)
    # (old slug, slug of the exercise after the import, or None when gone)
    addresses: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    changes: list = field(default_factory=list)
    # (name, what it lacks) of the published exercises written that fail the publish gate:
    # imported as they are and flagged (docs/library-format.md), never refused or unpublished.
    flagged: list = field(default_factory=list)
    # (name, [duplicates.Similar]) of new or renamed exercises whose names are like another
    # exercise's or another record's: imported, and named in the summary.
    similar: list = field(default_factory=list)
    # (record label, substitutes) of the records that carry them, checked once all are known.
    substitutes: list = field(default_factory=list)

    def count(self, kind, action):
        self.counts.setdefault(kind, Counter())[action] += 1

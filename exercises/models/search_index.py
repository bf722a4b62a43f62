"""SQLite's full-text index of the exercises (an FTS5 table, migration 0021), as a model that
exists only to join it: `Exercise.objects.filter(search_row__document__match=...)`.

Triggers keep it current on every write, bulk ones included; nothing writes it through this
model. PostgreSQL has no such table: its search reads `Exercise.search_document`.
"""

from django.db import models
from django.db.models import Lookup

# The columns of the index and how much a match in each counts (FTS5's bm25 weights): a name
# or an alias most, the target muscle ("lats") less, the quick answer's prose least.
COLUMNS = {"name": 10.0, "aliases": 10.0, "muscle": 4.0, "quick_answer": 1.0}
TABLE = "exercise_search"


class DocumentField(models.TextField):
    """FTS5's hidden column named like its table: `MATCH` on it searches every column."""


@DocumentField.register_lookup
class Match(Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class ExerciseSearchRow(models.Model):
    exercise = models.OneToOneField(
        "exercises.Exercise",
        primary_key=True,
        # A copy of the rowid in a column FTS5 does not index: joined on the rowid, SQLite
        # would look each exercise up in the index (a MATCH per row, ~0.5 ms each) instead of
        # reading the matches once and the exercises by primary key.
        db_column="exercise_id",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search_row",
    )
    document = DocumentField(db_column=TABLE)
    # FTS5's relevance of the row to the MATCH of the same query, lower first (bm25 with
    # COLUMNS' weights, set by the migration).
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = TABLE

    def __str__(self):
        return f"Search row of exercise {self.pk}"

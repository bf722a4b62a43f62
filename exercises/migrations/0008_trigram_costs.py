"""Tell PostgreSQL's planner what pg_trgm's similarity operators really cost.

pg_trgm declares its C functions with the default cost of one comparison, but each `%>` or `%>>`
test builds and compares trigram sets, a few microseconds per row. With that cost a search's
plan may read all 10,000 exercises and test each one (~75 ms) instead of using the trigram
index (~2 ms). COST 100 makes it count them right. Nothing happens on other databases; where
the database user does not own pg_trgm's functions (a trusted extension created by a
non-superuser), the migration says so and carries on, and an administrator can run the same
ALTER FUNCTION statements.
"""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)

FUNCTIONS = [
    "word_similarity_commutator_op(text, text)",  # name %> text
    "strict_word_similarity_commutator_op(text, text)",  # name %>> text
    "word_similarity(text, text)",
    "strict_word_similarity(text, text)",
]


def set_costs(cost):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT bool_and(pg_has_role(current_user, proowner, 'USAGE'))"
                " FROM pg_proc WHERE oid = ANY(%s::regprocedure[])",
                [FUNCTIONS],
            )
            (allowed,) = cursor.fetchone()
        if not allowed:
            logger.warning(
                "pg_trgm's functions belong to another role: run ALTER FUNCTION ... COST %s "
                "on %s as their owner for faster searches.",
                cost,
                ", ".join(FUNCTIONS),
            )
            return
        for function in FUNCTIONS:
            schema_editor.execute(f"ALTER FUNCTION {function} COST {cost}")

    return run


class Migration(migrations.Migration):
    dependencies = [("exercises", "0007_trainers_view_old_hub_addresses")]

    operations = [migrations.RunPython(set_costs(100), set_costs(1), elidable=False)]

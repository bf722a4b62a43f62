"""PostgreSQL search indexes (pg_trgm and full text); nothing happens on other databases.

The full-text index is on the very expression exercises.search.search_vector() builds, frozen
here: PostgreSQL uses an expression index only for a query with the same expression.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def search_indexes():
    return [
        GinIndex(
            SearchVector("name", weight="A", config="english")
            + SearchVector("quick_answer", weight="B", config="english"),
            name="exercise_search_document",
        ),
        GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="exercise_name_trigram"),
    ]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Exercise = apps.get_model("exercises", "Exercise")
    for index in search_indexes():
        schema_editor.add_index(Exercise, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Exercise = apps.get_model("exercises", "Exercise")
    for index in search_indexes():
        schema_editor.remove_index(Exercise, index)


class Migration(migrations.Migration):
    dependencies = [("exercises", "0002_trainers_group")]

    operations = [
        # A no-op on databases other than PostgreSQL, like the indexes below.
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes, elidable=False),
    ]

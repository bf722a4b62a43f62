"""A stored search document for PostgreSQL, filled by a trigger; nothing happens elsewhere.

Searching an expression index makes PostgreSQL recompute to_tsvector() for every candidate row
(the recheck) and again for ranking; a stored column is read instead. The trigger keeps it
current for every write, bulk_create and update() included. Its expression is the one
migration 0003 indexed, whose index this replaces.
"""

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(NEW.name, '')), 'A')"
    " || setweight(to_tsvector('english', coalesce(NEW.quick_answer, '')), 'B')"
)
CREATE_TRIGGER = f"""
CREATE FUNCTION exercises_exercise_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document := {DOCUMENT};
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER exercises_exercise_search_document
    BEFORE INSERT OR UPDATE ON exercises_exercise
    FOR EACH ROW EXECUTE FUNCTION exercises_exercise_search_document();
"""
DROP_TRIGGER = """
DROP TRIGGER exercises_exercise_search_document ON exercises_exercise;
DROP FUNCTION exercises_exercise_search_document();
"""


def old_index():
    from django.contrib.postgres.search import SearchVector

    return GinIndex(
        SearchVector("name", weight="A", config="english")
        + SearchVector("quick_answer", weight="B", config="english"),
        name="exercise_search_document",
    )


def new_index():
    return GinIndex(fields=["search_document"], name="exercise_search_document")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Exercise = apps.get_model("exercises", "Exercise")
    schema_editor.execute(CREATE_TRIGGER)
    schema_editor.execute("UPDATE exercises_exercise SET search_document = NULL")  # fills it
    schema_editor.remove_index(Exercise, old_index())
    schema_editor.add_index(Exercise, new_index())


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Exercise = apps.get_model("exercises", "Exercise")
    schema_editor.remove_index(Exercise, new_index())
    schema_editor.add_index(Exercise, old_index())
    schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("exercises", "0004_hub_slugs")]

    operations = [
        migrations.AddField(
            model_name="exercise",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]

"""Search aliases and the target muscle like the name, on both databases.

PostgreSQL: the stored search document (migration 0005) gains the exercise's aliases (weight A,
like the name) and its target muscle's name (C, below the quick answer's B); triggers on the
alias and muscle tables refresh the documents they are part of.

SQLite: an FTS5 table with the trigram tokenizer (substring and near-miss matching, ranked by
bm25), one row per exercise with its name, aliases, target muscle and quick answer, kept
current by triggers for every write, bulk ones and update() included. It is searched by
joining it (exercises.models.search_index), never written through Django.
"""

from django.db import migrations, models

from exercises.models.search_index import COLUMNS, TABLE

import django.db.models.deletion
import exercises.models.search_index

# --- PostgreSQL ----------------------------------------------------------------------------

ALIASES_OF_NEW = (
    "(SELECT string_agg(a.name, ' / ') FROM exercises_exercisealias a"
    " WHERE a.exercise_id = NEW.id)"
)
MUSCLE_OF_NEW = "(SELECT m.name FROM exercises_muscle m WHERE m.id = NEW.target_muscle_id)"
OLD_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(NEW.name, '')), 'A')"
    " || setweight(to_tsvector('english', coalesce(NEW.quick_answer, '')), 'B')"
)
NEW_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(NEW.name, '')), 'A')"
    f" || setweight(to_tsvector('english', coalesce({ALIASES_OF_NEW}, '')), 'A')"
    " || setweight(to_tsvector('english', coalesce(NEW.quick_answer, '')), 'B')"
    f" || setweight(to_tsvector('english', coalesce({MUSCLE_OF_NEW}, '')), 'C')"
)


def document_function(document):
    return f"""
CREATE OR REPLACE FUNCTION exercises_exercise_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document := {document};
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


# Setting the document to NULL makes the exercise's own trigger compute it afresh.
POSTGRESQL_TRIGGERS = """
CREATE FUNCTION exercises_alias_search_document() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE exercises_exercise SET search_document = NULL WHERE id = OLD.exercise_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE exercises_exercise SET search_document = NULL WHERE id = NEW.exercise_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER exercises_alias_search_document
    AFTER INSERT OR UPDATE OR DELETE ON exercises_exercisealias
    FOR EACH ROW EXECUTE FUNCTION exercises_alias_search_document();
CREATE FUNCTION exercises_muscle_search_document() RETURNS trigger AS $$
BEGIN
    IF NEW.name IS DISTINCT FROM OLD.name THEN
        UPDATE exercises_exercise SET search_document = NULL WHERE target_muscle_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER exercises_muscle_search_document
    AFTER UPDATE ON exercises_muscle
    FOR EACH ROW EXECUTE FUNCTION exercises_muscle_search_document();
"""
DROP_POSTGRESQL_TRIGGERS = """
DROP TRIGGER exercises_alias_search_document ON exercises_exercisealias;
DROP FUNCTION exercises_alias_search_document();
DROP TRIGGER exercises_muscle_search_document ON exercises_muscle;
DROP FUNCTION exercises_muscle_search_document();
"""
REFRESH_DOCUMENTS = "UPDATE exercises_exercise SET search_document = NULL"

# --- SQLite --------------------------------------------------------------------------------


def aliases_of(exercise_id):
    # Separated so that a phrase never runs from one alias into the next.
    return (
        "(SELECT group_concat(name, ' / ') FROM exercises_exercisealias"
        f" WHERE exercise_id = {exercise_id})"
    )


def muscle_of(muscle_id):
    return f"(SELECT name FROM exercises_muscle WHERE id = {muscle_id})"


SQLITE_TABLE = [
    # exercise_id repeats the rowid, for joins (see ExerciseSearchRow.exercise).
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    f"exercise_id UNINDEXED, {', '.join(COLUMNS)}, tokenize='trigram')",
    # FTS5 keeps this setting: `rank` is bm25 with these column weights (none for the id).
    f"INSERT INTO {TABLE}({TABLE}, rank) VALUES"
    f" ('rank', 'bm25(0.0, {', '.join(str(weight) for weight in COLUMNS.values())})')",
    f"""CREATE TRIGGER {TABLE}_exercise_insert AFTER INSERT ON exercises_exercise BEGIN
        INSERT INTO {TABLE}(rowid, exercise_id, name, aliases, muscle, quick_answer) VALUES (
            NEW.id, NEW.id, NEW.name, {aliases_of("NEW.id")}, {muscle_of("NEW.target_muscle_id")},
            NEW.quick_answer);
    END""",
    f"""CREATE TRIGGER {TABLE}_exercise_update
    AFTER UPDATE OF name, quick_answer, target_muscle_id ON exercises_exercise BEGIN
        UPDATE {TABLE} SET name = NEW.name, muscle = {muscle_of("NEW.target_muscle_id")},
            quick_answer = NEW.quick_answer WHERE rowid = NEW.id;
    END""",
    f"""CREATE TRIGGER {TABLE}_exercise_delete AFTER DELETE ON exercises_exercise BEGIN
        DELETE FROM {TABLE} WHERE rowid = OLD.id;
    END""",
    f"""CREATE TRIGGER {TABLE}_alias_insert AFTER INSERT ON exercises_exercisealias BEGIN
        UPDATE {TABLE} SET aliases = {aliases_of("NEW.exercise_id")}
            WHERE rowid = NEW.exercise_id;
    END""",
    f"""CREATE TRIGGER {TABLE}_alias_update AFTER UPDATE ON exercises_exercisealias BEGIN
        UPDATE {TABLE} SET aliases = {aliases_of("OLD.exercise_id")}
            WHERE rowid = OLD.exercise_id;
        UPDATE {TABLE} SET aliases = {aliases_of("NEW.exercise_id")}
            WHERE rowid = NEW.exercise_id;
    END""",
    f"""CREATE TRIGGER {TABLE}_alias_delete AFTER DELETE ON exercises_exercisealias BEGIN
        UPDATE {TABLE} SET aliases = {aliases_of("OLD.exercise_id")}
            WHERE rowid = OLD.exercise_id;
    END""",
    f"""CREATE TRIGGER {TABLE}_muscle_rename AFTER UPDATE OF name ON exercises_muscle BEGIN
        UPDATE {TABLE} SET muscle = NEW.name
            WHERE rowid IN (SELECT id FROM exercises_exercise WHERE target_muscle_id = NEW.id);
    END""",
    f"""INSERT INTO {TABLE}(rowid, exercise_id, name, aliases, muscle, quick_answer)
        SELECT e.id, e.id, e.name, {aliases_of("e.id")}, {muscle_of("e.target_muscle_id")},
            e.quick_answer FROM exercises_exercise e""",
]
SQLITE_DROP = [
    *(
        f"DROP TRIGGER {TABLE}_{name}"
        for name in (
            "exercise_insert",
            "exercise_update",
            "exercise_delete",
            "alias_insert",
            "alias_update",
            "alias_delete",
            "muscle_rename",
        )
    ),
    f"DROP TABLE {TABLE}",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(document_function(NEW_DOCUMENT))
        schema_editor.execute(POSTGRESQL_TRIGGERS)
        schema_editor.execute(REFRESH_DOCUMENTS)
    elif vendor == "sqlite":
        for statement in SQLITE_TABLE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(DROP_POSTGRESQL_TRIGGERS)
        schema_editor.execute(document_function(OLD_DOCUMENT))
        schema_editor.execute(REFRESH_DOCUMENTS)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0020_exercise_featured_rank'),
    ]

    operations = [
        migrations.CreateModel(
            name='ExerciseSearchRow',
            fields=[
                ('exercise', models.OneToOneField(db_column='exercise_id', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_row', serialize=False, to='exercises.exercise')),
                ('document', exercises.models.search_index.DocumentField(db_column='exercise_search')),
                ('rank', models.FloatField()),
            ],
            options={
                'db_table': 'exercise_search',
                'managed': False,
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]

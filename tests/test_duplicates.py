"""Near-duplicate names: the same name written differently is refused in the admin; a close
one is saved with a warning linking to the other; an import names both in its summary."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from factories import make_exercise
from test_admin import EXERCISES, change_url, exercise_post, messages_of
from test_completeness import facet_ids

from exercises.duplicates import CLOSE, REORDERED, SAME, NameIndex, name_key
from exercises.models import Exercise, ExerciseAlias


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Push-Up", "push up"),
        ("Push-Up", "Pushup"),
        ("Push Up", "PUSH–UP"),  # an en dash
        ("Café Stretch", "Cafe stretch"),
        ("Cafe\u0301 Stretch", "Café Stretch"),  # decomposed é
        ("90/90 Hamstring", "90 90 hamstring"),
        ("Farmer's Walk", "Farmers Walk"),
    ],
)
def test_names_written_differently_have_one_key(first, second):
    assert name_key(first) == name_key(second)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("push up", [("Push-Up", SAME)]),
        ("Push-Ups", [("Push-Up", CLOSE)]),
        ("Romanian Deadlfit", [("Romanian Deadlift", CLOSE)]),
        ("Romanain Deadlift", [("Romanian Deadlift", CLOSE)]),  # a transposition is one typo
        ("Squat Barbell", [("Barbell Squat", REORDERED)]),
        ("Log Lift", [("Leg Lift", CLOSE)]),
        ("Sqaut", [("Squat", CLOSE)]),
        ("Lunge", []),
        ("Front Squat", []),
        ("Dumbbell Row", []),
    ],
)
def test_index_finds_same_close_and_reordered_names(name, expected):
    index = NameIndex(
        enumerate(
            ["Push-Up", "Romanian Deadlift", "Barbell Squat", "Leg Lift", "Squat", "Barbell Row"]
        )
    )
    assert [(similar.name, similar.how) for similar in index.similar(name)] == expected


def test_index_leaves_the_exercise_itself_out():
    index = NameIndex([(1, "Push-Up"), (2, "Push Ups")])
    assert [s.name for s in index.similar("Push-Up", exclude=1)] == ["Push Ups"]


# The admin


def add_post(name):
    data = exercise_post(facet_ids(), name=name, slug=name.lower().replace(" ", "-"))
    data.pop("loaded_version")
    return data


def test_admin_refuses_the_same_name_written_differently(admin_client, taxonomy):
    existing = make_exercise("Push-Up", slug="push-up")
    response = admin_client.post(f"{EXERCISES}add/", add_post("push up"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["name"]
    assert errors == [
        f'<a href="{change_url(existing)}">Push-Up</a> already has this name, written '
        f"differently ({SAME}). Edit that exercise, or tell them apart by name, e.g. by the "
        "equipment."
    ]
    assert f'<a href="{change_url(existing)}">Push-Up</a>' in response.content.decode()
    assert Exercise.objects.count() == 1


def test_admin_saves_a_close_name_with_a_warning_linking_to_the_other(admin_client, taxonomy):
    existing = make_exercise("Romanian Deadlift")
    response = admin_client.post(f"{EXERCISES}add/", add_post("Romanian Deadlifts"), follow=True)
    assert response.status_code == 200
    assert Exercise.objects.filter(name="Romanian Deadlifts").exists()
    [warning] = [m for m in messages_of(response) if "duplicate" in m]
    assert warning == (
        "“Romanian Deadlifts” is saved. Is it a duplicate? Similar names: "
        f'<a href="{change_url(existing)}">Romanian Deadlift</a> ({CLOSE}).'
    )


def test_admin_does_not_warn_when_the_name_is_kept(admin_client, taxonomy):
    # Look-alikes from before the check (the starter library has one pair) stay editable.
    make_exercise("Crossover with Bands", slug="crossover-with-bands")
    older = make_exercise("Cross Over - With Bands", slug="cross-over-with-bands")
    data = exercise_post(
        facet_ids(),
        name="Cross Over - With Bands",
        slug="cross-over-with-bands",
        quick_answer="Now with an answer.",
    )
    response = admin_client.post(change_url(older), data, follow=True)
    assert response.status_code == 200
    assert not [m for m in messages_of(response) if "duplicate" in m]
    older.refresh_from_db()
    assert older.quick_answer == "Now with an answer."


def test_admin_refuses_renaming_onto_another_exercise(admin_client, taxonomy):
    make_exercise("Push-Up", slug="push-up")
    other = make_exercise("Wall Press", slug="wall-press")
    data = exercise_post(facet_ids(), name="PUSH UP", slug="wall-press")
    response = admin_client.post(change_url(other), data)
    assert response.status_code == 200
    assert "already has this name" in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Wall Press"


# Imports


def record(name, slug):
    return {
        "name": name,
        "slug": slug,
        "body_part": "back",
        "equipment": "bodyweight",
        "target_muscle": "lower-back",
        "difficulty": "beginner",
        "category": "strength",
    }


def test_import_names_near_duplicates_and_imports_them(taxonomy, tmp_path):
    make_exercise("Push-Up", slug="push-up")
    library = {
        "format": "forge-exercise-library",
        "version": 1,
        "exercises": [
            record("Push Up", "push-up-2"),
            record("Romanian Deadlift", "romanian-deadlift"),
            record("Romanian Deadlifts", "romanian-deadlifts"),
            record("Lunge", "lunge"),
        ],
    }
    path = tmp_path / "library.json"
    path.write_text(json.dumps(library), encoding="utf-8")
    out = StringIO()
    call_command("import_exercises", path, stdout=out, stderr=StringIO())
    report = out.getvalue()
    assert "Names like other exercises' (imported; check for duplicates): 2" in report
    assert f"  exercise Push Up: like “Push-Up” ({SAME})" in report
    assert f"  exercise Romanian Deadlifts: like “Romanian Deadlift” ({CLOSE})" in report
    assert "exercise Lunge: like" not in report
    assert Exercise.objects.count() == 5  # nothing dropped


def test_import_of_the_starter_library_names_its_look_alikes(taxonomy):
    out = StringIO()
    call_command(
        "import_exercises",
        "fixtures/free-exercise-db.json",
        "--dry-run",
        stdout=out,
        stderr=StringIO(),
    )
    report = out.getvalue()
    assert f"  exercise Squats - With Bands: like “Squat with Bands” ({CLOSE})" in report
    assert f"  exercise Thigh Adductor: like “Thigh Abductor” ({CLOSE})" in report


def test_admin_warns_about_another_exercises_alias_without_refusing(admin_client, taxonomy):
    existing = make_exercise("Romanian Deadlift")
    ExerciseAlias.objects.create(exercise=existing, name="RDL", position=1)
    response = admin_client.post(f"{EXERCISES}add/", add_post("rdl"), follow=True)
    assert Exercise.objects.filter(name="rdl").exists()
    [warning] = [m for m in messages_of(response) if "duplicate" in m]
    assert (
        f'<a href="{change_url(existing)}">RDL (alias of Romanian Deadlift)</a> ({SAME})' in warning
    )


def test_an_exercises_own_alias_is_not_a_duplicate():
    index = NameIndex([(1, "Romanian Deadlift")], [(1, "RDL", "Romanian Deadlift")])
    assert index.similar("RDL", exclude=1) == []
    assert [s.name for s in index.similar("RDL")] == ["RDL (alias of Romanian Deadlift)"]

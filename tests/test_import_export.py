"""import_exercises and export_exercises: the Forge format, free-exercise-db, and their rules."""

import json
import os
import subprocess
import sys
import unicodedata
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from factories import command_output, shared_rows

from exercises.models import (
    FAQ,
    BodyPart,
    Category,
    CommonMistake,
    Difficulty,
    Equipment,
    Exercise,
    ExerciseSecondaryMuscle,
    ExerciseSlug,
    Muscle,
    ProTip,
    Step,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FREE_EXERCISE_DB = FIXTURES / "free-exercise-db.json"
SPINE_STRETCH = json.loads((FIXTURES / "spine-stretch.json").read_text())["exercises"][0]
ALL_MODELS = (
    BodyPart,
    Difficulty,
    Muscle,
    Equipment,
    Category,
    Exercise,
    ExerciseSecondaryMuscle,
    Step,
    ProTip,
    CommonMistake,
    FAQ,
)


def run_import(path, *args):
    """Run import_exercises and return what it printed."""
    return command_output("import_exercises", path, *args)


def run_export(path="-"):
    return command_output("export_exercises", path)


def forge_file(tmp_path, **sections):
    path = tmp_path / "library.json"
    path.write_text(json.dumps({"format": "forge-exercise-library", "version": 1, **sections}))
    return path


def exercise(**changes):
    """The Spine Stretch record with some fields changed (None removes a field)."""
    record = {**SPINE_STRETCH, **changes}
    return {key: value for key, value in record.items() if value is not None}


def free_exercise_db_records(*names):
    records = json.loads(FREE_EXERCISE_DB.read_text())
    return [record for record in records if record["name"] in names]


def row_counts():
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def snapshot():
    """Every row's primary key and last-modified time, to tell whether anything was written."""
    rows = {model.__name__: set(model.objects.values_list("pk")) for model in ALL_MODELS}
    for model in (BodyPart, Difficulty, Muscle, Equipment, Category, Exercise):
        rows[model.__name__] = set(model.objects.values_list("pk", "updated"))
    return rows


# The Forge format ---------------------------------------------------------------------------


def test_taxonomy_import(taxonomy):
    assert list(BodyPart.objects.values_list("slug", "position")) == [
        ("arms", 1),
        ("back", 2),
        ("cardio", 3),
        ("chest", 4),
        ("core", 5),
        ("legs", 6),
        ("neck", 7),
        ("shoulders", 8),
    ]
    assert list(Difficulty.objects.values_list("slug", flat=True)) == [
        "beginner",
        "intermediate",
        "advanced",
    ]
    assert Muscle.objects.get(slug="lower-back").body_part.slug == "back"
    assert (Muscle.objects.count(), Equipment.objects.count(), Category.objects.count()) == (
        19,
        20,
        10,
    )


def test_every_taxon_has_a_short_intro(taxonomy):
    for model in (BodyPart, Difficulty, Muscle, Equipment, Category):
        for taxon in model.objects.all():
            assert 0 < len(taxon.intro) < 300, taxon


def test_spine_stretch_import(spine_stretch):
    exercise = Exercise.objects.for_detail().get(pk=spine_stretch.pk)
    assert exercise.name == "Spine Stretch"
    assert exercise.status == Exercise.Status.PUBLISHED
    assert exercise.quick_answer == SPINE_STRETCH["quick_answer"]
    assert (exercise.body_part.slug, exercise.equipment.slug) == ("back", "bodyweight")
    assert (exercise.target_muscle.slug, exercise.difficulty.slug) == ("lower-back", "beginner")
    assert exercise.category.slug == "mobility"
    assert [m.slug for m in exercise.ordered_secondary_muscles] == ["hamstrings", "glutes"]
    assert [s.text for s in exercise.steps.all()] == SPINE_STRETCH["steps"]
    assert [t.text for t in exercise.pro_tips.all()] == SPINE_STRETCH["pro_tips"]
    assert [m.text for m in exercise.common_mistakes.all()] == SPINE_STRETCH["common_mistakes"]
    assert [{"question": f.question, "answer": f.answer} for f in exercise.faqs.all()] == (
        SPINE_STRETCH["faqs"]
    )
    assert [s.position for s in exercise.steps.all()] == [1, 2, 3, 4, 5, 6]


def test_status_option_overrides_the_file(taxonomy, tmp_path):
    run_import(forge_file(tmp_path, exercises=[exercise()]), "--status", "draft")
    assert Exercise.objects.get().status == Exercise.Status.DRAFT


def test_summary_counts_each_kind(taxonomy):
    output = run_import(FIXTURES / "taxonomy.json")
    assert "muscles: 0 created, 0 updated, 19 unchanged, 0 skipped" in output
    output = run_import(FIXTURES / "spine-stretch.json")
    assert "exercises: 1 created, 0 updated, 0 unchanged, 0 skipped" in output


def test_import_from_standard_input(taxonomy, monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO((FIXTURES / "spine-stretch.json").read_text()))
    assert "Imported standard input:" in run_import("-")
    assert Exercise.objects.filter(slug="spine-stretch").exists()


# free-exercise-db ---------------------------------------------------------------------------


def import_the_starter_library():
    """Import free-exercise-db as the tests below read it; return (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("import_exercises", FREE_EXERCISE_DB, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="class")
def starter_imported(django_db_setup, django_db_blocker):
    yield from shared_rows(django_db_blocker, import_the_starter_library)


@pytest.fixture
def starter_import(starter_imported, taxonomy):
    """The starter library imported on the taxonomy alone (once for the class): what
    import_exercises printed on standard output and on standard error (not a terminal)."""
    return starter_imported


class TestTheStarterLibraryImport:
    def test_free_exercise_db_import(self, starter_import):
        output, _ = starter_import
        assert "exercises: 873 created" in output
        assert Exercise.objects.count() == Exercise.objects.published().count() == 873

        sit_up = Exercise.objects.get(name="3/4 Sit-Up")
        assert sit_up.slug == "34-sit-up"
        assert (sit_up.target_muscle.slug, sit_up.body_part.slug) == ("abs", "core")
        assert (sit_up.equipment.slug, sit_up.difficulty.slug) == ("bodyweight", "beginner")
        assert sit_up.steps.count() == 5

        curl = Exercise.objects.get(name="EZ-Bar Curl")
        assert (curl.equipment.slug, curl.target_muscle.slug, curl.body_part.slug) == (
            "ez-bar",
            "biceps",
            "arms",
        )

        clean_and_jerk = Exercise.objects.get(name="Clean and Jerk")
        assert clean_and_jerk.difficulty.slug == "advanced"
        assert clean_and_jerk.category.slug == "olympic-weightlifting"
        assert clean_and_jerk.body_part.slug == "shoulders"  # from the target muscle
        assert [m.slug for m in clean_and_jerk.ordered_secondary_muscles] == [
            "abs",
            "glutes",
            "hamstrings",
            "lower-back",
            "quads",
            "traps",
            "triceps",
        ]

        row = Exercise.objects.get(name="Alternating Renegade Row")
        assert (row.target_muscle.slug, row.body_part.slug) == ("upper-back", "back")
        assert row.equipment.slug == "kettlebell"

        # The target muscle is not repeated among the secondary ones.
        pullover = Exercise.objects.get(name="Bent-Arm Barbell Pullover")
        assert pullover.target_muscle.slug == "lats"
        assert [m.slug for m in pullover.ordered_secondary_muscles] == [
            "chest",
            "shoulders",
            "triceps",
        ]
        # Empty instructions are dropped, the rest keep their order.
        squat = Exercise.objects.get(name="Barbell Squat To A Bench")
        steps = [s.text for s in squat.steps.all()]
        assert len(steps) == 7
        assert steps[1].startswith("Then, set the bar on a rack")

    def test_no_progress_bar_when_not_on_a_terminal(self, starter_import):
        _, stderr = starter_import
        assert stderr == ""


def test_free_exercise_db_small_file(taxonomy, tmp_path):
    records = free_exercise_db_records("Adductor/Groin", "All Fours Quad Stretch")
    records[0]["instructions"] = ["  Lie on your back.  ", " ", "Relax."]
    path = tmp_path / "free.json"
    path.write_text(json.dumps(records))
    run_import(path, "--status", "draft")

    groin = Exercise.objects.get(slug="adductorgroin")
    assert groin.equipment.slug == "bodyweight"  # "equipment": null
    assert groin.status == Exercise.Status.DRAFT
    assert [s.text for s in groin.steps.all()] == ["Lie on your back.", "Relax."]
    stretch = Exercise.objects.get(slug="all-fours-quad-stretch")
    assert stretch.target_muscle.slug == "quads"
    assert stretch.ordered_secondary_muscles == []  # only listed the target again


def test_free_exercise_db_needs_the_taxonomy(no_taxonomy, tmp_path):
    path = tmp_path / "free.json"
    path.write_text(json.dumps(free_exercise_db_records("EZ-Bar Curl")))
    with pytest.raises(CommandError, match="import fixtures/taxonomy.json first"):
        run_import(path)
    assert Exercise.objects.count() == 0


def test_free_exercise_db_unknown_value(taxonomy, tmp_path):
    records = free_exercise_db_records("3/4 Sit-Up", "Clean and Jerk", "EZ-Bar Curl")
    records[2]["equipment"] = "ez bar thing"
    path = tmp_path / "free.json"
    path.write_text(json.dumps(records))
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert '[2] "EZ-Bar Curl": equipment "ez bar thing" is not a known' in str(error.value)
    assert Exercise.objects.count() == 0


def test_format_can_be_forced(taxonomy, tmp_path):
    path = tmp_path / "free.json"
    path.write_text(json.dumps(free_exercise_db_records("EZ-Bar Curl")))
    with pytest.raises(CommandError, match="a Forge library is a JSON object"):
        run_import(path, "--format", "forge")
    run_import(path, "--format", "free-exercise-db")
    assert Exercise.objects.filter(slug="ez-bar-curl").exists()


# Import rules -------------------------------------------------------------------------------


def import_spine_stretch_then_the_starter_library():
    for path in (FIXTURES / "spine-stretch.json", FREE_EXERCISE_DB):
        run_import(path)


@pytest.fixture(scope="class")
def starter_after_spine_stretch_imported(django_db_setup, django_db_blocker):
    yield from shared_rows(django_db_blocker, import_spine_stretch_then_the_starter_library)


@pytest.fixture
def starter_after_spine_stretch(starter_after_spine_stretch_imported, taxonomy):
    """The Spine Stretch, then the starter library, imported (once for the class): the Spine
    Stretch."""
    return Exercise.objects.get(slug="spine-stretch")


class TestOnTheStarterLibrary:
    def test_importing_twice_changes_nothing(self, starter_after_spine_stretch):
        before = snapshot()
        first_counts = row_counts()

        output = run_import(FREE_EXERCISE_DB)
        assert "exercises: 0 created, 0 updated, 873 unchanged, 0 skipped" in output
        run_import(FIXTURES / "spine-stretch.json")
        run_import(FIXTURES / "taxonomy.json")

        assert row_counts() == first_counts
        assert snapshot() == before

    def test_export_import_round_trip(self, starter_after_spine_stretch, tmp_path, client):
        spine_stretch = starter_after_spine_stretch
        # Address history: a twice-renamed exercise and two deleted ones.
        for slug in ("seated-spine-stretch", "spine-stretch-seated"):
            spine_stretch.slug = slug
            spine_stretch.save()
        Exercise.objects.filter(slug__in=["ez-bar-curl", "34-sit-up"]).delete()
        backup = tmp_path / "backup.json"
        run_export(backup)
        data = json.loads(backup.read_text(encoding="utf-8"))
        renamed = next(e for e in data["exercises"] if e["slug"] == "spine-stretch-seated")
        assert renamed["old_slugs"] == ["seated-spine-stretch", "spine-stretch"]
        assert data["gone_slugs"] == ["34-sit-up", "ez-bar-curl"]

        for model in (Exercise, ExerciseSlug, Muscle, BodyPart, Difficulty, Equipment, Category):
            model.objects.all().delete()
        assert sum(row_counts().values()) == 0

        output = run_import(backup)
        assert "old addresses: 4 created, 0 updated, 0 unchanged, 0 skipped" in output
        assert Exercise.objects.count() == 872
        assert run_export() == backup.read_text(encoding="utf-8")
        # The restored site answers the old addresses as before.
        for old in ("spine-stretch", "seated-spine-stretch"):
            response = client.get(f"/exercise/{old}")
            assert (response.status_code, response["Location"]) == (
                301,
                "/exercise/spine-stretch-seated",
            )
        assert client.get("/exercise/ez-bar-curl").status_code == 410
        assert client.get("/exercise/34-sit-up").status_code == 410
        # Importing the backup again changes nothing.
        output = run_import(backup)
        assert "old addresses: 0 created, 0 updated, 4 unchanged, 0 skipped" in output


def test_existing_exercise_is_kept_unless_update(spine_stretch, tmp_path):
    spine_stretch.quick_answer = "A trainer's own words."
    spine_stretch.save()
    spine_stretch.steps.filter(position=1).update(text="Sit tall.")
    spine_stretch.secondary_muscle_links.filter(muscle__slug="glutes").delete()

    output = run_import(FIXTURES / "spine-stretch.json")
    assert "exercises: 0 created, 0 updated, 0 unchanged, 1 skipped" in output
    assert "use --update" in output
    spine_stretch.refresh_from_db()
    assert spine_stretch.quick_answer == "A trainer's own words."
    assert spine_stretch.steps.first().text == "Sit tall."

    output = run_import(FIXTURES / "spine-stretch.json", "--update")
    assert "exercises: 0 created, 1 updated, 0 unchanged, 0 skipped" in output
    spine_stretch = Exercise.objects.get(pk=spine_stretch.pk)
    assert spine_stretch.quick_answer == SPINE_STRETCH["quick_answer"]
    assert [s.text for s in spine_stretch.steps.all()] == SPINE_STRETCH["steps"]
    assert [m.slug for m in spine_stretch.ordered_secondary_muscles] == ["hamstrings", "glutes"]
    assert spine_stretch.faqs.count() == 3


def test_update_replaces_ordered_lists(spine_stretch, tmp_path):
    changed = exercise(steps=["Sit.", "Reach."], faqs=[], secondary_muscles=["glutes"])
    run_import(forge_file(tmp_path, exercises=[changed]), "--update")
    assert [s.text for s in spine_stretch.steps.all()] == ["Sit.", "Reach."]
    assert spine_stretch.faqs.count() == 0
    assert [m.slug for m in spine_stretch.ordered_secondary_muscles] == ["glutes"]
    assert spine_stretch.pro_tips.count() == 3


def test_exercise_is_matched_by_name(spine_stretch, tmp_path):
    path = forge_file(tmp_path, exercises=[exercise(slug="seated-spine-stretch")])
    run_import(path)
    assert list(Exercise.objects.values_list("slug", flat=True)) == ["spine-stretch"]

    run_import(path, "--update")
    assert list(Exercise.objects.values_list("slug", flat=True)) == ["seated-spine-stretch"]
    # The old address keeps working.
    assert ExerciseSlug.objects.get(slug="spine-stretch").exercise.slug == "seated-spine-stretch"


def test_existing_taxon_is_kept_unless_update(taxonomy, tmp_path):
    path = forge_file(
        tmp_path,
        muscles=[{"name": "Lower Back", "slug": "lower-back", "body_part": "core", "intro": ""}],
    )
    assert "muscles: 0 created, 0 updated, 0 unchanged, 1 skipped" in run_import(path)
    assert Muscle.objects.get(slug="lower-back").body_part.slug == "back"
    run_import(path, "--update")
    lower_back = Muscle.objects.get(slug="lower-back")
    assert (lower_back.body_part.slug, lower_back.intro) == ("core", "")


class Terminal(StringIO):
    """Standard error as a terminal, where progress bars are shown."""

    def isatty(self):
        return True


def test_progress_is_shown_through_checking_and_writing(taxonomy):
    stderr = Terminal()
    call_command("import_exercises", FREE_EXERCISE_DB, stdout=StringIO(), stderr=stderr)
    assert "Checking exercises: 100%" in stderr.getvalue()
    assert "Writing exercises: 100%" in stderr.getvalue()
    assert "873/873" in stderr.getvalue()


def test_dry_run_writes_nothing(taxonomy):
    output = run_import(FIXTURES / "spine-stretch.json", "--dry-run")
    assert "exercises: 1 created" in output
    assert Exercise.objects.count() == 0


def bad_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "forge-exercise-library", "version": 1, "exercises": [')
    return path


def file_with(tmp_path, record, index=1):
    """A file of good exercises with one bad record among them."""
    good = [exercise(name=f"Stretch {n}", slug=f"stretch-{n}") for n in range(3)]
    good.insert(index, record)
    return forge_file(tmp_path, exercises=good)


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (
            lambda tmp: file_with(tmp, exercise(name="Push-Up", slug="push-up", difficulty="x")),
            'exercises[1] "Push-Up": difficulty "x" is not a known difficulty slug',
        ),
        (
            lambda tmp: file_with(tmp, exercise(name=None, slug="nameless"), index=2),
            'exercises[2] (slug "nameless"): name is required',
        ),
        (
            lambda tmp: file_with(tmp, exercise(name="Long " * 50, slug="long")),
            'exercises[1] "Long Long Long Long Long Long Long Long Long Long Long Long…": '
            # The name is measured as stored: without its trailing space.
            "name: Ensure this value has at most 200 characters (it has 249).",
        ),
        (
            lambda tmp: file_with(tmp, exercise(name="Bad", slug="Bad_Slug")),
            'exercises[1] "Bad": slug: ',
        ),
        (
            lambda tmp: file_with(tmp, exercise(name="Stretch 0", slug="another")),
            'exercises[1] "Stretch 0": name "Stretch 0" is already used by exercises[0]',
        ),
        (
            lambda tmp: file_with(tmp, exercise(name="Steps", slug="steps", steps=["Sit.", 4])),
            'exercises[1] "Steps": steps[1] must be a string, not a number',
        ),
        (
            lambda tmp: file_with(tmp, exercise(name="Odd", slug="odd", secondary=["abs"])),
            'exercises[1] "Odd": unknown field "secondary"',
        ),
        (
            lambda tmp: file_with(tmp, exercise(name="  ", slug="blank")),
            'exercises[1] (slug "blank"): name is empty',
        ),
        (
            lambda tmp: forge_file(
                tmp, body_parts=[{"name": "Easy Does It", "slug": "beginner", "intro": ""}]
            ),
            'body_parts[0] "Easy Does It": slug: “beginner” is already the address of the '
            "difficulty “Beginner”",
        ),
        (bad_json, "not valid JSON: Expecting value (line 1, column 66)"),
        (
            lambda tmp: tmp / "missing.json",
            "cannot read",
        ),
        (
            lambda tmp: forge_file(tmp, format="forge-exercise-libary"),
            'not a Forge exercise library: "format" is "forge-exercise-libary"',
        ),
        (
            lambda tmp: forge_file(tmp, version=2),
            "unsupported version 2",
        ),
        (
            lambda tmp: forge_file(tmp, exercises={"name": "Squat"}),
            '"exercises" must be a list, not an object',
        ),
    ],
)
def test_a_bad_file_writes_nothing(spine_stretch, tmp_path, make_file, message):
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run_import(make_file(tmp_path))
    assert message in str(error.value)
    assert snapshot() == before


def test_a_bad_taxon_writes_nothing(no_taxonomy, tmp_path):
    taxonomy = json.loads((FIXTURES / "taxonomy.json").read_text())
    taxonomy["muscles"][3]["body_part"] = "hands"
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(taxonomy))
    with pytest.raises(CommandError, match=r'muscles\[3\] "Biceps": body_part "hands"'):
        run_import(path)
    assert sum(row_counts().values()) == 0


def test_every_problem_is_reported(taxonomy, tmp_path):
    records = [
        exercise(name="A", slug="a", category="cardioo"),
        exercise(name="B", slug="b", target_muscle="bicep"),
    ]
    with pytest.raises(CommandError) as error:
        run_import(forge_file(tmp_path, exercises=records))
    assert "2 problems, nothing was imported" in str(error.value)
    assert 'exercises[0] "A": category "cardioo"' in str(error.value)
    assert 'exercises[1] "B": target_muscle "bicep"' in str(error.value)


# Export -------------------------------------------------------------------------------------


def test_export(spine_stretch, tmp_path):
    run_import(
        forge_file(tmp_path, exercises=[exercise(name="A Draft", slug="a-draft")]),
        "--status",
        "draft",
    )
    data = json.loads(run_export())
    assert (data["format"], data["version"]) == ("forge-exercise-library", 1)
    assert [e["slug"] for e in data["exercises"]] == ["a-draft", "spine-stretch"]
    assert data["exercises"][0]["status"] == "draft"
    assert data["exercises"][1] == SPINE_STRETCH
    assert [b["slug"] for b in data["body_parts"]][:2] == ["arms", "back"]
    assert data["muscles"][0] == {
        "name": "Abductors",
        "slug": "abductors",
        "body_part": "legs",
        "map_region": "abductors",
        "intro": Muscle.objects.get(slug="abductors").intro,
    }

    path = tmp_path / "backup.json"
    run_export(path)
    assert path.read_text(encoding="utf-8") == run_export()
    assert path.read_text(encoding="utf-8").endswith("}\n")


def test_export_leaves_out_empty_address_lists(spine_stretch):
    data = json.loads(run_export())
    assert "gone_slugs" not in data
    assert "old_slugs" not in data["exercises"][0]


def test_old_and_gone_addresses_are_added_to_an_existing_library(spine_stretch, tmp_path):
    path = forge_file(
        tmp_path,
        exercises=[exercise(old_slugs=["seated-spine-stretch"])],
        gone_slugs=["superman"],
    )
    output = run_import(path)
    # The exercise itself equals the file; only its old address is new.
    assert "exercises: 0 created, 0 updated, 1 unchanged, 0 skipped" in output
    assert "old addresses: 2 created, 0 updated, 0 unchanged, 0 skipped" in output
    answers = dict(ExerciseSlug.objects.values_list("slug", "exercise__slug"))
    assert answers == {"seated-spine-stretch": "spine-stretch", "superman": None}


def test_an_address_that_answers_differently_is_kept_unless_update(spine_stretch, tmp_path):
    ExerciseSlug.objects.create(slug="superman", exercise=spine_stretch)
    ExerciseSlug.objects.create(slug="spine-roll", exercise=None)
    path = forge_file(
        tmp_path,
        exercises=[exercise(old_slugs=["spine-roll"])],
        gone_slugs=["superman"],
    )
    assert "old addresses: 0 created, 0 updated, 0 unchanged, 2 skipped" in run_import(path)
    assert ExerciseSlug.objects.get(slug="superman").exercise == spine_stretch
    assert "old addresses: 0 created, 2 updated, 0 unchanged, 0 skipped" in run_import(
        path, "--update"
    )
    answers = dict(ExerciseSlug.objects.values_list("slug", "exercise__slug"))
    assert answers == {"spine-roll": "spine-stretch", "superman": None}


def test_a_rename_by_import_keeps_the_old_address_and_the_files(spine_stretch, tmp_path):
    record = exercise(slug="seated-spine-stretch", old_slugs=["spine-stretch", "spine-roll"])
    run_import(forge_file(tmp_path, exercises=[record]), "--update")
    answers = dict(ExerciseSlug.objects.values_list("slug", "exercise__slug"))
    assert answers == {
        "spine-roll": "seated-spine-stretch",
        "spine-stretch": "seated-spine-stretch",
    }


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        (
            {"exercises": [exercise(old_slugs=["spine-stretch"])]},
            'exercises[0] "Spine Stretch": old_slugs[0]: "spine-stretch" is the address of an '
            "exercise, so it cannot be old",
        ),
        (
            {"gone_slugs": ["spine-stretch"]},
            'gone_slugs[0]: "spine-stretch" is the address of an exercise, so it cannot be old',
        ),
        (
            {"exercises": [exercise(old_slugs=["spine-roll"])], "gone_slugs": ["spine-roll"]},
            'gone_slugs[0]: "spine-roll" is already listed by exercises[0] "Spine Stretch": '
            "old_slugs[0]",
        ),
        (
            {"exercises": [exercise(old_slugs=["Spine Roll"])]},
            'exercises[0] "Spine Stretch": old_slugs[0] "Spine Roll": ',
        ),
        (
            {"exercises": [exercise(old_slugs="spine-roll")]},
            'exercises[0] "Spine Stretch": old_slugs must be a list, not a string',
        ),
        ({"gone_slugs": [7]}, "gone_slugs[0] must be a string, not a number"),
        ({"gone_slugs": "superman"}, '"gone_slugs" must be a list, not a string'),
    ],
)
def test_bad_addresses_write_nothing(spine_stretch, tmp_path, sections, message):
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run_import(forge_file(tmp_path, **sections))
    assert message in str(error.value)
    assert snapshot() == before
    assert not ExerciseSlug.objects.exists()


# A free-exercise-db update keeps what that format cannot carry -----------------------------


def test_free_exercise_db_update_keeps_trainer_content(taxonomy, tmp_path):
    path = tmp_path / "free.json"
    records = free_exercise_db_records("Barbell Deadlift", "Barbell Squat")
    path.write_text(json.dumps(records))
    run_import(path)
    deadlift = Exercise.objects.get(name="Barbell Deadlift")
    # A trainer's work on the imported exercise: everything free-exercise-db has no field for.
    deadlift.quick_answer = "The hip hinge that trains the whole back of the body."
    deadlift.status = Exercise.Status.DRAFT
    deadlift.slug = "deadlift"
    deadlift.save()
    ProTip.objects.create(exercise=deadlift, position=1, text="Push the floor away.")
    CommonMistake.objects.create(exercise=deadlift, position=1, text="Rounding the back.")
    FAQ.objects.create(exercise=deadlift, position=1, question="Belt?", answer="Not needed.")

    records[0]["instructions"] = ["Stand at the bar.", "Lift it."]
    records[0]["equipment"] = "kettlebells"
    path.write_text(json.dumps(records))
    before = snapshot()
    output = run_import(path, "--update", "--dry-run")
    assert "exercises: 0 created, 1 updated, 1 unchanged, 0 skipped" in output
    assert "Would update:\n  exercise Barbell Deadlift: equipment, steps\n" in output
    assert snapshot() == before

    output = run_import(path, "--update")
    assert "Updated:\n  exercise Barbell Deadlift: equipment, steps\n" in output
    deadlift = Exercise.objects.get(pk=deadlift.pk)
    assert [s.text for s in deadlift.steps.all()] == ["Stand at the bar.", "Lift it."]
    assert deadlift.equipment.slug == "kettlebell"
    assert deadlift.quick_answer == "The hip hinge that trains the whole back of the body."
    assert (deadlift.status, deadlift.slug) == (Exercise.Status.DRAFT, "deadlift")
    assert [t.text for t in deadlift.pro_tips.all()] == ["Push the floor away."]
    assert [m.text for m in deadlift.common_mistakes.all()] == ["Rounding the back."]
    assert [(f.question, f.answer) for f in deadlift.faqs.all()] == [("Belt?", "Not needed.")]
    assert "exercises: 0 created, 0 updated, 2 unchanged" in run_import(path, "--update")


def test_skipped_rows_are_named_with_what_differs(spine_stretch, tmp_path):
    spine_stretch.quick_answer = "A trainer's own words."
    spine_stretch.save()
    path = forge_file(
        tmp_path,
        muscles=[{"name": "Lower Back", "slug": "lower-back", "body_part": "core", "intro": ""}],
    )
    output = run_import(path) + run_import(FIXTURES / "spine-stretch.json")
    # A file without a map region says nothing about it: the muscle's is no difference.
    assert "  muscle Lower Back: body_part, intro\n" in output
    assert "  exercise Spine Stretch: quick_answer\n" in output


# Control characters, limits and malformed files ---------------------------------------------


def test_control_characters_are_refused_with_record_and_field(taxonomy, tmp_path):
    record = exercise(
        quick_answer="Sit tall.\x07",
        steps=["Sit.\x00", "Reach.\r\nBreathe.\tSlowly."],
        faqs=[{"question": "Why?", "answer": "\x1b[31mBecause."}],
    )
    path = forge_file(
        tmp_path,
        equipment=[{"name": "Rope\x1f", "slug": "rope", "intro": "A rope.\x9b"}],
        exercises=[record],
    )
    with pytest.raises(CommandError) as error:
        run_import(path)
    message = str(error.value)
    assert "5 problems, nothing was imported" in message
    assert (
        'equipment[0] "Rope\\u001f": name: Remove the invisible control character U+001F' in message
    )
    assert (
        'equipment[0] "Rope\\u001f": intro: Remove the invisible control character U+009B'
        in message
    )
    assert (
        'exercises[0] "Spine Stretch": quick_answer: Remove the invisible control character U+0007'
        in message
    )
    assert (
        'exercises[0] "Spine Stretch": steps[0]: Remove the invisible control character U+0000'
        in message
    )
    assert 'exercises[0] "Spine Stretch": faqs[0].answer: Remove the invisible control' in message
    assert Exercise.objects.count() == 0
    assert not Equipment.objects.filter(slug="rope").exists()


def test_line_breaks_and_tabs_are_imported_as_they_are(taxonomy, tmp_path):
    run_import(forge_file(tmp_path, exercises=[exercise(steps=["Reach.\r\nBreathe.\tSlowly."])]))
    assert Exercise.objects.get().steps.get().text == "Reach.\r\nBreathe.\tSlowly."


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"steps": ["s" * 1001]}, "steps[0]: Ensure this value has at most 1000 characters"),
        ({"pro_tips": ["t" * 1001]}, "pro_tips[0]: Ensure this value has at most 1000"),
        ({"common_mistakes": ["m" * 1001]}, "common_mistakes[0]: Ensure this value has at most"),
        ({"quick_answer": "q" * 1001}, "quick_answer: Ensure this value has at most 1000"),
        (
            {"faqs": [{"question": "q" * 301, "answer": "a"}]},
            "faqs[0].question: Ensure this value has at most 300 characters",
        ),
        (
            {"faqs": [{"question": "Why?", "answer": "a" * 2001}]},
            "faqs[0].answer: Ensure this value has at most 2000 characters (it has 2001)",
        ),
    ],
)
def test_long_texts_are_refused(taxonomy, tmp_path, changes, message):
    with pytest.raises(CommandError) as error:
        run_import(forge_file(tmp_path, exercises=[exercise(**changes)]))
    assert f'exercises[0] "Spine Stretch": {message}' in str(error.value)
    assert Exercise.objects.count() == 0


def test_a_long_taxon_intro_is_refused(db, tmp_path):
    path = forge_file(tmp_path, categories=[{"name": "Yoga", "slug": "yoga", "intro": "i" * 1001}])
    with pytest.raises(CommandError, match=r'categories\[0\] "Yoga": intro: Ensure this value'):
        run_import(path)


def raw_file(tmp_path, content):
    path = tmp_path / "library.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


HEADER = '{"format": "forge-exercise-library", "version": 1, '
NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            HEADER
            + '"exercises": ['
            + json.dumps(exercise(steps=["Sit."])).replace('"Sit."', '"Sit.\\ud800"')
            + "]}",
            'exercises[0] "Spine Stretch": steps[0]: Remove the invisible control character U+D800',
        ),
        (
            HEADER
            + '"exercises": ['
            + json.dumps(exercise()).replace('"steps"', '"st\\udc00eps"')
            + "]}",
            'exercises[0] "Spine Stretch": unknown field "st\\udc00eps"',
        ),
        (HEADER + '"exercises": ' + NESTED + "}", "nested too deeply"),
        (NESTED, "nested too deeply"),
        (HEADER.encode() + b'"exercises": [{"name": "Caf\xe9"}]}', "not UTF-8 text: byte 0xE9"),
        (b"\xff\xfe{\x00}\x00", "not UTF-8 text: byte 0xFF at line 1, column 1"),
        ('"a library"', "cannot tell the file's format"),
        ("42", "cannot tell the file's format"),
        ("null", "cannot tell the file's format"),
        ("[1, 2]", "cannot tell the file's format"),
        ("", "not valid JSON: Expecting value (line 1, column 1)"),
        (
            '{"format": "forge-exercise-library", "version": "1"}',
            '"version" must be the number 1, not the string "1"',
        ),
        ('{"format": "forge-exercise-library", "version": 1.5}', "must be the number 1, not 1.5"),
        ('{"format": "forge-exercise-library", "version": 2}', "unsupported version 2: this"),
        ('{"format": "forge-exercise-library", "version": true}', "not true/false"),
        (
            '{"format": [[[[["deep"]]]]], "version": 1}',
            'not a Forge exercise library: "format" is a list',
        ),
        (HEADER + '"exercises": [[]]}', "exercises[0]: must be an object, not a list"),
    ],
    ids=[
        "lone surrogate in a step",
        "lone surrogate in a key",
        "deep nesting in a list",
        "deep nesting at the top",
        "Latin-1 text",
        "UTF-16 text",
        "a string",
        "a number",
        "null",
        "a list of numbers",
        "empty",
        "version as a string",
        "fractional version",
        "version 2",
        "version true",
        "format a list",
        "exercise a list",
    ],
)
def test_a_malformed_file_gets_a_one_line_message(spine_stretch, tmp_path, content, message):
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run_import(raw_file(tmp_path, content))
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert snapshot() == before


def test_a_malformed_file_exits_with_status_1_and_no_traceback(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    for content in (NESTED, b"\xc3\x28", '{"format": "forge-exercise-library", "version": "1"}'):
        path = raw_file(tmp_path, content)
        result = subprocess.run(
            [sys.executable, "manage.py", "import_exercises", str(path)],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert [line for line in result.stderr.splitlines() if "CommandError" in line] == [
            result.stderr.strip().splitlines()[-1]
        ]


def test_a_byte_order_mark_is_accepted(taxonomy, tmp_path):
    content = (FIXTURES / "spine-stretch.json").read_bytes()
    run_import(raw_file(tmp_path, b"\xef\xbb\xbf" + content))
    assert Exercise.objects.filter(slug="spine-stretch").exists()


# Names: normalised, look-alikes are one exercise, non-Latin names welcome ---------------------


def test_names_are_normalised_on_import(taxonomy, tmp_path):
    record = exercise(name="  Spine\u00a0 Stretch ", steps=["Sit."])
    run_import(forge_file(tmp_path, exercises=[record]))
    assert Exercise.objects.get().name == "Spine Stretch"


def test_look_alike_names_in_one_file_are_refused_naming_both(taxonomy, tmp_path):
    records = [
        exercise(name="Café Stretch", slug="cafe-stretch"),
        exercise(name="Cafe\u0301  Stretch", slug="cafe-stretch-2"),
    ]
    with pytest.raises(CommandError) as error:
        run_import(forge_file(tmp_path, exercises=records))
    assert 'exercises[1] "Café  Stretch": name "Café Stretch" is already used by exercises[0]' in (
        unicodedata.normalize("NFC", str(error.value))
    )
    assert Exercise.objects.count() == 0


def test_a_look_alike_name_matches_the_existing_exercise(spine_stretch, tmp_path):
    path = forge_file(tmp_path, exercises=[exercise(name="Spine  Stretch\u00a0", slug="spine-2")])
    assert "exercises: 0 created, 0 updated, 0 unchanged, 1 skipped" in run_import(path)
    run_import(path, "--update")
    assert list(Exercise.objects.values_list("name", "slug")) == [("Spine Stretch", "spine-2")]


def test_non_latin_names_get_transliterated_slugs(taxonomy, tmp_path, client):
    records = free_exercise_db_records("Barbell Deadlift", "Barbell Squat")
    records[0]["name"] = "Становая тяга"
    records[1]["name"] = "杠铃深蹲"
    path = tmp_path / "free.json"
    path.write_text(json.dumps(records, ensure_ascii=False))
    run_import(path)
    assert dict(Exercise.objects.values_list("name", "slug")) == {
        "Становая тяга": "stanovaya-tyaga",
        "杠铃深蹲": "gang-ling-shen-dun",
    }
    response = client.get("/exercise/gang-ling-shen-dun")
    assert response.status_code == 200
    assert "<h1>杠铃深蹲</h1>" in response.content.decode()


def test_a_name_without_letters_is_refused(taxonomy, tmp_path):
    records = free_exercise_db_records("Barbell Deadlift")
    records[0]["name"] = "?!"
    path = tmp_path / "free.json"
    path.write_text(json.dumps(records))
    with pytest.raises(CommandError, match=r'\[0\] "\?!": name needs a letter or digit'):
        run_import(path)


def test_every_problem_of_a_free_exercise_db_file_is_reported(taxonomy, tmp_path):
    records = free_exercise_db_records("Barbell Deadlift", "Barbell Squat", "EZ-Bar Curl")
    records[0]["equipment"] = "ez bar thing"
    records[1]["instructions"] = ["Squat.\x1b"]
    records[2]["instructions"] = ["Curl. " * 200]
    path = tmp_path / "free.json"
    path.write_text(json.dumps(records))
    with pytest.raises(CommandError) as error:
        run_import(path)
    message = str(error.value)
    assert "3 problems, nothing was imported" in message
    assert '[0] "Barbell Deadlift": equipment "ez bar thing" is not a known' in message
    assert '[1] "Barbell Squat": steps[0]: Remove the invisible control character U+001B' in message
    assert '[2] "EZ-Bar Curl": steps[0]: Ensure this value has at most 1000 characters' in message
    assert Exercise.objects.count() == 0


def test_a_nul_byte_in_a_slug_is_refused_before_the_database_sees_it(db, tmp_path):
    # PostgreSQL refuses NUL in any query; the body part check looks its slug up.
    path = forge_file(tmp_path, body_parts=[{"name": "Back", "slug": "back\x00", "intro": ""}])
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert 'body_parts[0] "Back": slug: ' in str(error.value)
    assert snapshot() == before

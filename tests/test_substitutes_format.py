"""The trainers' pinned and excluded substitutes in the library format: exported, restored,
kept by a file that does not mention them, refused when they name no exercise."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version
from test_substitutes import BENCH, chest, swap_groups  # noqa: F401 (chest is a fixture)

from exercises.models import FACETS, Exercise, ExerciseSubstitute, Muscle

PIN, EXCLUDE = ExerciseSubstitute.Choice.PIN, ExerciseSubstitute.Choice.EXCLUDE


@pytest.fixture
def choices(chest):  # noqa: F811
    """The bench press pins the dumbbell row (a later record of the file) and the draft cable
    press, and excludes the dumbbell bench press; the row pins the bench press."""
    bench = chest["bench"]
    for position, (substitute, choice) in enumerate(
        [(chest["row"], PIN), (chest["db_bench"], EXCLUDE), (chest["draft"], PIN)], start=1
    ):
        ExerciseSubstitute.objects.create(
            exercise=bench, substitute=substitute, choice=choice, position=position
        )
    ExerciseSubstitute.objects.create(exercise=chest["row"], substitute=bench, choice=PIN)
    return chest


def export(path=None):
    out = StringIO()
    call_command("export_exercises", str(path) if path else "-", stdout=out, stderr=StringIO())
    return path.read_text(encoding="utf-8") if path else out.getvalue()


def run_import(path, *args):
    out = StringIO()
    call_command("import_exercises", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def records(text):
    return {record["slug"]: record for record in json.loads(text)["exercises"]}


def write(tmp_path, text, change):
    data = json.loads(text)
    for record in data["exercises"]:
        change(record)
    path = tmp_path / "library.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def stored(exercise):
    return [
        (c.substitute.slug, c.choice, c.position)
        for c in ExerciseSubstitute.objects.filter(exercise__slug=exercise).order_by("pk")
    ]


def test_an_export_carries_them_only_where_there_are_any(choices):
    exported = records(export())
    assert exported["barbell-bench-press"]["substitutes"] == {
        "pinned": ["dumbbell-row", "cable-press"],
        "excluded": ["dumbbell-bench-press"],
    }
    assert exported["dumbbell-row"]["substitutes"] == {
        "pinned": ["barbell-bench-press"],
        "excluded": [],
    }
    assert "substitutes" not in exported["dumbbell-fly"]
    # Right after the FAQs, before the media.
    keys = list(exported["barbell-bench-press"])
    assert keys[keys.index("faqs") + 1] == "substitutes"


def test_a_restore_into_an_empty_database_brings_them_back(choices, tmp_path, client):
    backup = tmp_path / "backup.json"
    before = export(backup)
    Exercise.objects.all().delete()
    for model in sorted(FACETS, key=lambda model: model is not Muscle):
        model.objects.all().delete()
    assert not ExerciseSubstitute.objects.exists()

    run_import(backup)

    assert export() == before
    assert stored("barbell-bench-press") == [
        ("dumbbell-row", PIN, 1),
        ("cable-press", PIN, 2),
        ("dumbbell-bench-press", EXCLUDE, 1),
    ]
    # What a visitor sees: the pinned row offered, the excluded press not.
    groups = swap_groups(client.get(BENCH))
    assert "Dumbbell Row" in groups["Dumbbell"]
    assert "Dumbbell Bench Press" not in groups["Dumbbell"]
    # The restored exercise's revision holds its choices.
    bench = Exercise.objects.get(slug="barbell-bench-press")
    revision = Version.objects.get_for_object(bench).order_by("-pk").first().revision
    models = [version.content_type.model_class() for version in revision.version_set.all()]
    assert models.count(ExerciseSubstitute) == 3
    assert "exercises: 0 created, 0 updated, 10 unchanged" in run_import(backup)


def test_an_update_from_a_file_without_them_keeps_them(choices, tmp_path):
    """A file from before the format carried them (or trimmed by hand) says nothing about them:
    --update changes what it says and never clears the trainers' choices."""

    def older(record):
        record.pop("substitutes", None)
        if record["slug"] == "barbell-bench-press":
            record["quick_answer"] = "Press the bar from the chest."

    before = stored("barbell-bench-press")
    output = run_import(write(tmp_path, export(), older), "--update")

    assert "  exercise Barbell Bench Press: quick_answer\n" in output
    assert "substitutes" not in output
    assert stored("barbell-bench-press") == before
    assert stored("dumbbell-row") == [("barbell-bench-press", PIN, 0)]  # not rewritten


def test_a_file_naming_other_ones_is_skipped_unless_update(choices, tmp_path):
    def others(record):
        if record["slug"] == "barbell-bench-press":
            record["substitutes"] = {"pinned": ["push-ups"]}
        if record["slug"] == "dumbbell-row":
            record["substitutes"] = {}  # explicitly none

    path = write(tmp_path, export(), others)
    before = stored("barbell-bench-press")

    skipped = run_import(path)
    assert "  exercise Barbell Bench Press: substitutes\n" in skipped
    assert stored("barbell-bench-press") == before

    updated = run_import(path, "--update")
    assert "  exercise Barbell Bench Press: substitutes\n" in updated
    assert "  exercise Dumbbell Row: substitutes\n" in updated
    assert stored("barbell-bench-press") == [("push-ups", PIN, 1)]
    assert stored("dumbbell-row") == []
    assert "substitutes" not in records(export())["dumbbell-row"]


@pytest.mark.parametrize(
    "substitutes, message",
    [
        (
            {"pinned": ["dumbbell-row", "no-such-exercise"]},
            'exercises[0] "Barbell Bench Press": substitutes.pinned[1] "no-such-exercise" is not '
            "the slug of an exercise in the file or the database",
        ),
        (
            {"excluded": ["barbell-bench-press"]},
            "substitutes.excluded[0]: an exercise cannot be its own substitute",
        ),
        (
            {"pinned": ["push-ups"], "excluded": ["push-ups"]},
            'substitutes.excluded[0]: "push-ups" is already listed as substitutes.pinned[0]',
        ),
        ({"pinned": "push-ups"}, "substitutes.pinned must be a list, not a string"),
        ({"pinned": [3]}, "substitutes.pinned[0] must be a slug, not a number"),
        ({"pins": []}, 'substitutes: unknown key "pins", expected "pinned" or "excluded"'),
        (["push-ups"], "substitutes must be an object, not a list"),
    ],
)
def test_a_bad_substitute_is_refused_naming_it_and_nothing_written(
    choices, tmp_path, substitutes, message
):
    def bad(record):
        if record["slug"] == "barbell-bench-press":
            record["substitutes"] = substitutes
            record["quick_answer"] = "Changed."

    before = stored("barbell-bench-press")
    answer = Exercise.objects.get(slug="barbell-bench-press").quick_answer
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, export(), bad), "--update")
    assert message in str(error.value)
    assert "Traceback" not in str(error.value)
    assert stored("barbell-bench-press") == before
    assert Exercise.objects.get(slug="barbell-bench-press").quick_answer == answer

"""The Everkinetic drawings and exercises: the reviewed matching table and its import.

The full import (535 drawings) runs in `make run`; here a few real rows of the table are
imported, with their real drawings.
"""

import csv
import json

import pytest
from django.core.management import call_command
from settings_env import BASE_DIR

from exercises.interchange import everkinetic
from exercises.models import Exercise, ExerciseMedia

FIXTURES = BASE_DIR / "fixtures"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def table():
    with open(FIXTURES / "everkinetic-matches.csv", newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_the_table_covers_every_illustrated_exercise_once():
    rows = table()
    ids = [row["everkinetic_id"] for row in rows]
    assert sorted(ids) == sorted(everkinetic.load_exercises())
    assert len(ids) == len(set(ids)) == 269
    starters = {
        everkinetic.slugify(item["name"])
        for item in json.loads((FIXTURES / "free-exercise-db.json").read_text(encoding="utf-8"))
    }
    attached = [row["forge_slug"] for row in rows if row["action"] == "attach"]
    assert set(attached) <= starters, set(attached) - starters
    assert len(attached) == len(set(attached)), "a starter exercise matched twice"
    assert len(attached) > 150
    assert {row["action"] for row in rows} <= {"attach", "import", "skip"}


def test_the_drawings_are_in_the_repository_optimised_and_licensed():
    svgs = sorted((FIXTURES / "everkinetic" / "svg").glob("*.svg"))
    assert len(svgs) == 537
    assert not [
        p.name for p in svgs if everkinetic.WHITE_LAYER.search(p.read_text(encoding="utf-8"))
    ]
    assert "Attribution-ShareAlike 4.0" in (FIXTURES / "everkinetic" / "LICENSE.md").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Bench Press: Barbell (Incline)", "Incline Barbell Bench Press"),
        (
            "Triceps Extension: Dumbbell (Seated, Two Arm)",
            "Seated Two Arm Dumbbell Triceps Extension",
        ),
        ("Barbell Dead Lifts", "Barbell Dead Lifts"),
    ],
)
def test_everkinetic_titles_become_readable_names(title, expected):
    assert everkinetic.readable_title(title) == expected


def test_names_must_agree_on_every_word_that_makes_a_variant():
    assert everkinetic.similarity("Barbell Dead Lifts", "Barbell Deadlift") == 1.0
    assert everkinetic.similarity("Incline Barbell Bench Press", "Decline Barbell Bench Press") == 0
    assert everkinetic.similarity("Front Barbell Raises", "Front Dumbbell Raise") == 1.0  # ...
    # ... which is why equipment is compared on its own:
    barbell = {"equipment": ["barbell"], "primary": ["deltoid"], "secondary": []}
    assert "dumbbell" not in everkinetic.equipment_of(barbell)


@pytest.fixture
def starter_sample(taxonomy, spine_stretch, tmp_path):
    """Three starter exercises the table names, imported from free-exercise-db."""
    wanted = {"Barbell Curl", "Barbell Deadlift", "Dumbbell Shrug"}
    data = json.loads((FIXTURES / "free-exercise-db.json").read_text(encoding="utf-8"))
    sample = tmp_path / "starter-sample.json"
    sample.write_text(json.dumps([e for e in data if e["name"] in wanted]), encoding="utf-8")
    call_command("import_exercises", sample, verbosity=0)
    return wanted


def test_import_attaches_credited_drawings_and_imports_unmatched_exercises(
    client, starter_sample, monkeypatch
):
    rows = {row.everkinetic_id: row for row in everkinetic.read_matches()}
    sample = [rows[i] for i in ("0211", "0099", "0001", "0095")]  # attach, attach, import, skip
    monkeypatch.setattr(everkinetic, "read_matches", lambda: sample)

    counts = everkinetic.import_everkinetic(workers=1)
    assert counts == {
        "attached": 2,
        "imported": 1,
        "duplicates": 0,
        "missing": 0,
        "drawings": 6,
    }
    curl = Exercise.objects.get(slug="barbell-curl")
    assert [m.caption for m in curl.media.all()] == ["Start position", "End position"]
    assert all(m.creator_is_organization for m in curl.media.all())  # a project, not a person
    assert not Exercise.objects.get(slug="dumbbell-shrug").media.exists()

    page = client.get("/exercise/barbell-curl").content.decode()
    assert 'alt="Line drawing of a person doing the Barbell Curl: the start position"' in page
    assert f'<a rel="license" href="{CC_BY_SA}">CC BY-SA 4.0</a>' in page

    neck = Exercise.objects.get(name="Static Neck Flexion and Extension")
    assert neck.is_published and neck.steps.count() == 6
    assert neck.target_muscle.slug == "traps" and neck.equipment.slug == "bodyweight"
    page = client.get(neck.get_absolute_url()).content.decode()
    assert "Text: " in page and "(adapted)" in page
    markdown = client.get(neck.get_markdown_url()).content.decode()
    assert (
        f"*Text: Everkinetic, [CC BY-SA 4.0]({CC_BY_SA}) "
        f"([source]({everkinetic.SOURCE_URL})) (adapted).*" in markdown
    )
    assert markdown.count("Image: Everkinetic") == 2

    # Again: nothing is added twice, nothing is rendered again.
    monkeypatch.setattr(everkinetic, "render_drawing", None)
    again = everkinetic.import_everkinetic(workers=1)
    assert again["drawings"] == 0 and again["duplicates"] == 3
    assert ExerciseMedia.objects.count() == 6

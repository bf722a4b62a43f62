"""Aliases: the other names of an exercise, edited in the admin, shown on its page, carried by
the library format and seeded for the starter library."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from factories import command_output, html, make_exercise, text
from settings_env import BASE_DIR
from test_query_budgets import EXERCISE_BUDGET

from exercises.interchange.format import export_library
from exercises.interchange.importer import import_library
from exercises.models import Exercise, ExerciseAlias

STARTER_ALIASES = BASE_DIR / "fixtures" / "starter-aliases.json"


@pytest.fixture
def rdl(taxonomy):
    exercise = make_exercise(
        "Romanian Deadlift", muscle="hamstrings", body_part="legs", equipment="barbell"
    )
    for position, name in enumerate(["RDL", "Stiff-Leg Deadlift"], start=1):
        ExerciseAlias.objects.create(exercise=exercise, name=name, position=position)
    return exercise


def graph(response):
    script = html(response).find("script", type="application/ld+json")
    return json.loads(script.string)["@graph"]


# The page -------------------------------------------------------------------------------------


def test_the_page_says_what_else_the_exercise_is_called(client, rdl):
    response = client.get(rdl.get_absolute_url())

    line = html(response).select_one("h1 + .also-known-as")
    assert text(line) == "Also known as RDL, Stiff-Leg Deadlift"


def test_structured_data_names_the_aliases(client, rdl):
    nodes = {node["@type"]: node for node in graph(client.get(rdl.get_absolute_url()))}

    assert nodes["WebPage"]["alternateName"] == ["RDL", "Stiff-Leg Deadlift"]


def test_the_markdown_copy_names_the_aliases_under_the_title(client, rdl):
    markdown = client.get(rdl.get_markdown_url()).content.decode()

    assert markdown.startswith(
        "# Romanian Deadlift\n\nAlso known as RDL, Stiff-Leg Deadlift\n\n## Quick answer\n"
    )


def test_without_aliases_the_page_has_no_line_and_no_alternate_name(client, taxonomy):
    exercise = make_exercise("Goblet Squat", muscle="quads", body_part="legs")
    response = client.get(exercise.get_absolute_url())

    assert not html(response).select(".also-known-as")
    assert all("alternateName" not in node for node in graph(response))
    assert "Also known as" not in client.get(exercise.get_markdown_url()).content.decode()


def test_aliases_cost_the_exercise_page_no_query(
    client, rdl, settings, django_assert_max_num_queries
):
    """They come in the UNION ALL query that brings the steps, tips, mistakes and FAQs."""
    settings.PAGE_CACHE_SECONDS = 0  # as tests/test_query_budgets.py counts them
    with django_assert_max_num_queries(EXERCISE_BUDGET):
        response = client.get(rdl.get_absolute_url())
    assert b"Also known as RDL" in response.content


# The model ------------------------------------------------------------------------------------


def test_an_alias_is_stored_normalised(rdl):
    alias = ExerciseAlias.objects.create(exercise=rdl, name="  Romanian\u00a0 DL ", position=3)

    assert ExerciseAlias.objects.get(pk=alias.pk).name == "Romanian DL"


def test_the_database_refuses_an_alias_twice_in_any_case(rdl):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExerciseAlias.objects.create(exercise=rdl, name="rdl")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("romanian  deadlift", "This is the exercise's own name"),
        ("!!!", "Use at least one letter or digit."),
        ("R\x00DL", "Remove the invisible control character U+0000"),
        ("x" * 101, "at most 100 characters"),
        ("rdl", "This exercise already has this alias."),
    ],
)
def test_validation_refuses_useless_aliases(rdl, name, message):
    with pytest.raises(ValidationError) as error:
        ExerciseAlias(exercise=rdl, name=name).full_clean()
    assert message in " ".join(error.value.messages)


# The admin ------------------------------------------------------------------------------------


def alias_post(exercise, names):
    """The change form's POST for an exercise without inline rows, with these new aliases."""
    from test_admin import (
        INLINE_PREFIXES,
        MEDIA_PREFIX,
        SUBSTITUTES_PREFIX,
        TEXT_CREDIT_PREFIX,
        rows,
        stored_fields,
    )

    data = stored_fields(exercise)
    for prefix in [*INLINE_PREFIXES, MEDIA_PREFIX, TEXT_CREDIT_PREFIX, SUBSTITUTES_PREFIX]:
        data |= rows(prefix, [])
    return data | rows("aliases", [{"position": 0, "name": name} for name in names])


def change_url(exercise):
    return reverse("admin:exercises_exercise_change", args=[exercise.pk])


def test_trainers_add_aliases_on_the_exercise_form(admin_client, taxonomy):
    exercise = make_exercise("Lying Triceps Press", muscle="triceps", body_part="arms")
    page = admin_client.get(change_url(exercise)).content.decode()
    assert "Also known as (aliases)" in page
    assert 'name="aliases-TOTAL_FORMS"' in page

    response = admin_client.post(
        change_url(exercise), alias_post(exercise, ["Skull Crusher", "French Press"])
    )

    assert response.status_code == 302
    page = admin_client.get(exercise.get_absolute_url()).content.decode()
    assert "Also known as Skull Crusher, French Press" in page


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["Skull Crusher", "skull  crusher"], "“skull crusher” is already listed above."),
        (["lying triceps press"], "This is the exercise&#x27;s own name"),
        (["..."], "Use at least one letter or digit."),
    ],
)
def test_the_admin_refuses_duplicate_and_useless_aliases(admin_client, taxonomy, names, message):
    exercise = make_exercise("Lying Triceps Press", muscle="triceps", body_part="arms")

    response = admin_client.post(change_url(exercise), alias_post(exercise, names))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not exercise.aliases.exists()


# The library format ---------------------------------------------------------------------------


def test_an_export_carries_the_aliases_and_a_restore_brings_them_back(rdl):
    data = export_library()
    (record,) = data["exercises"]
    assert record["aliases"] == ["RDL", "Stiff-Leg Deadlift"]

    Exercise.objects.all().delete()
    import_library(data)

    assert export_library() == data
    restored = Exercise.objects.get(slug="romanian-deadlift")
    assert [alias.name for alias in restored.aliases.all()] == ["RDL", "Stiff-Leg Deadlift"]


def test_importing_the_export_again_changes_nothing(rdl):
    plan = import_library(export_library())

    assert plan.counts["exercises"]["unchanged"] == 1


def test_an_import_with_other_aliases_is_skipped_unless_update(rdl):
    data = export_library()
    data["exercises"][0]["aliases"] = ["RDL"]

    plan = import_library(data)
    assert plan.changes[0].fields == ("aliases",)
    assert rdl.aliases.count() == 2

    import_library(data, update=True)
    assert [alias.name for alias in rdl.aliases.all()] == ["RDL"]


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        (["RDL", "rdl"], 'aliases[1] "rdl" is already listed as aliases[0]'),
        (["Romanian Deadlift"], 'aliases[0] "Romanian Deadlift" is the exercise\'s own name'),
        ([7], "aliases[0] must be a string, not a number"),
        (["?!"], "aliases[0]: Use at least one letter or digit."),
        (["x" * 101], "aliases[0]: Ensure this value has at most 100 characters"),
    ],
)
def test_an_import_refuses_bad_aliases_and_writes_nothing(rdl, aliases, message):
    data = export_library()
    data["exercises"][0] |= {"slug": "rdl-copy", "name": "Romanian Deadlift", "aliases": aliases}
    Exercise.objects.all().delete()

    with pytest.raises(Exception, match="nothing was imported") as error:
        import_library(data)

    assert message in str(error.value)
    assert not Exercise.objects.exists()


def test_the_free_exercise_db_update_keeps_the_aliases(rdl):
    record = {
        "name": "Romanian Deadlift",
        "primaryMuscles": ["hamstrings"],
        "secondaryMuscles": [],
        "equipment": "barbell",
        "level": "beginner",
        "category": "strength",
        "instructions": ["Hinge at the hips."],
    }

    import_library([record], update=True)

    assert [alias.name for alias in rdl.aliases.all()] == ["RDL", "Stiff-Leg Deadlift"]


# The starter aliases --------------------------------------------------------------------------


def seed(*args):
    return command_output("seed_aliases", *args)


def test_the_starter_aliases_name_only_exercises_of_the_starter_library():
    starter = json.loads((BASE_DIR / "fixtures" / "free-exercise-db.json").read_text())
    from exercises.interchange.free_exercise_db import slug_for

    slugs = {slug_for(record["name"]) for record in starter}
    aliases = json.loads(STARTER_ALIASES.read_text())["aliases"]

    assert set(aliases) <= slugs
    assert {"RDL", "Chinup", "Press-Up", "Skull Crusher"} <= {
        name for names in aliases.values() for name in names
    }


def test_seeding_adds_the_aliases_once_and_keeps_a_trainers_own(rdl, taxonomy):
    chin_up = make_exercise("Chin-Up", muscle="lats")

    first = seed(STARTER_ALIASES)
    second = seed(STARTER_ALIASES)

    assert [alias.name for alias in chin_up.aliases.all()] == ["Chinup", "Chin Up"]
    # The trainer's aliases of the Romanian Deadlift stay as they are.
    assert [alias.name for alias in rdl.aliases.all()] == ["RDL", "Stiff-Leg Deadlift"]
    assert first.startswith("aliases: 2 added; 1 exercises kept their own aliases, ")
    assert second.startswith("aliases: 0 added; 2 exercises kept their own aliases, ")


def test_a_bad_alias_file_is_refused_with_its_problem(tmp_path, taxonomy):
    make_exercise("Chin-Up", muscle="lats")
    path = tmp_path / "aliases.json"
    path.write_text(
        json.dumps(
            {"format": "forge-exercise-aliases", "version": 1, "aliases": {"chin-up": ["Chin-Up"]}}
        )
    )

    with pytest.raises(CommandError, match='chin-up: "Chin-Up": This is the exercise\'s own'):
        seed(path)
    assert not ExerciseAlias.objects.exists()

"""“Swap for”: what a visitor can do instead of an exercise, grouped by equipment; trainers'
pins and exclusions; the FAQ answering “What can I do instead of …?” from the same groups, in
the HTML, the Markdown copy and the FAQPage JSON-LD alike."""

import json

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from factories import html, make_exercise, text
from test_admin_reliability import open_form

from exercises.models import Exercise, ExerciseSubstitute

BENCH = "/exercise/barbell-bench-press"


@pytest.fixture
def chest(taxonomy):
    """A barbell bench press and the chest strength exercises around it."""

    def chest_exercise(name, equipment, **fields):
        fields.setdefault("secondary", ["triceps", "shoulders"])
        return make_exercise(name, body_part="chest", equipment=equipment, muscle="chest", **fields)

    exercises = {
        "bench": chest_exercise("Barbell Bench Press", "barbell", difficulty="intermediate"),
        "db_bench": chest_exercise("Dumbbell Bench Press", "dumbbell", difficulty="intermediate"),
        "db_fly": chest_exercise("Dumbbell Fly", "dumbbell", secondary=["shoulders"]),
        "db_floor": chest_exercise("Dumbbell Floor Press", "dumbbell"),
        "db_squeeze": chest_exercise("Squeeze Press", "dumbbell", secondary=[]),
        "push_ups": chest_exercise("Push-Ups", "bodyweight"),
        "incline": chest_exercise("Incline Barbell Press", "barbell"),  # same equipment
        "stretch": chest_exercise("Chest Doorway Stretch", "bodyweight", category="stretching"),
        "draft": chest_exercise("Cable Press", "cable", status=Exercise.Status.DRAFT),
        "row": make_exercise("Dumbbell Row", equipment="dumbbell", muscle="upper-back"),
    }
    return exercises


def swap_groups(response):
    """{equipment: [exercise names]} as the “Swap for” block shows them, in page order."""
    block = html(response).find("section", class_="swap")
    if block is None:
        return {}
    return {
        text(group.h3): [text(a) for a in group.select("li a")]
        for group in block.select(".swap__group")
    }


def faq_answers(response):
    page = html(response)
    return {text(h3): text(h3.find_next_sibling("p")) for h3 in page.select("section.faq h3")}


def jsonld_faq(response):
    for script in html(response).find_all("script", type="application/ld+json"):
        for node in json.loads(script.string)["@graph"]:
            if node["@type"] == "FAQPage":
                return {q["name"]: q["acceptedAnswer"]["text"] for q in node["mainEntity"]}
    return {}


def test_swap_for_groups_the_same_movement_by_other_equipment(client, chest):
    response = client.get(BENCH)

    assert response.status_code == 200
    # Same target muscle and category, other equipment, published; three per equipment,
    # those sharing the most secondary muscles first, then the same difficulty, then by name.
    assert swap_groups(response) == {
        "Body Weight": ["Push-Ups"],
        "Dumbbell": ["Dumbbell Bench Press", "Dumbbell Floor Press", "Dumbbell Fly"],
    }
    links = html(response).select(".swap a")
    assert links[0]["href"] == "/exercise/push-ups"


def test_the_faq_answers_from_the_same_groups_in_html_markdown_and_json_ld(client, chest):
    question = "What can I do instead of the Barbell Bench Press?"
    answer = (
        "Try an exercise that works the chest the same way with the equipment you have: "
        "Push-Ups (body weight) or the Dumbbell Bench Press (dumbbell)."
    )

    page = client.get(BENCH)
    markdown = client.get(BENCH + ".md").content.decode()

    assert faq_answers(page)[question] == answer
    assert jsonld_faq(page)[question] == answer
    assert f"### {question}\n\n{answer}\n" in markdown
    assert (
        "## Swap for\n\nExercises that work the chest the same way, by the equipment they need.\n"
        "\n### Body Weight\n\n- [Push-Ups](http://testserver/exercise/push-ups)\n"
        in markdown.replace("http://127.0.0.1:8000", "http://testserver")
    )
    # The Markdown copy's sections keep the page's order, Swap for before Related exercises.
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings[-3:] == ["## FAQ", "## Swap for", "## Related exercises"]


def test_a_plural_name_reads_right(client, chest):
    response = client.get("/exercise/push-ups")

    assert "What can I do instead of Push-Ups?" in faq_answers(response)


def test_an_exercise_without_substitutes_has_no_block_and_no_question(client, chest):
    response = client.get("/exercise/dumbbell-row")

    assert swap_groups(response) == {}
    assert not any("instead of" in question for question in faq_answers(response))
    assert "Swap for" not in client.get("/exercise/dumbbell-row.md").content.decode()


def test_pins_and_exclusions_from_the_admin_change_the_page_at_once(admin_client, client, chest):
    assert swap_groups(client.get(BENCH))["Dumbbell"][0] == "Dumbbell Bench Press"  # cached now
    bench, row, stretch = chest["bench"], chest["row"], chest["stretch"]
    form = admin_change_form(admin_client, bench)
    form |= {
        "substitute_choices-TOTAL_FORMS": "3",
        "substitute_choices-0-substitute": str(row.pk),
        "substitute_choices-0-choice": "pin",
        "substitute_choices-0-position": "1",
        "substitute_choices-1-substitute": str(chest["db_bench"].pk),
        "substitute_choices-1-choice": "exclude",
        "substitute_choices-1-position": "0",
        "substitute_choices-2-substitute": str(stretch.pk),
        "substitute_choices-2-choice": "pin",
        "substitute_choices-2-position": "2",
    }

    saved = admin_client.post(f"/admin/exercises/exercise/{bench.pk}/change/", form)

    assert saved.status_code == 302, saved.content.decode()[:2000]
    groups = swap_groups(client.get(BENCH))
    # The excluded one is gone; the pinned ones lead their groups, even of another target
    # muscle or category; every equipment keeps its three computed ones.
    assert groups == {
        "Body Weight": ["Chest Doorway Stretch", "Push-Ups"],
        "Dumbbell": ["Dumbbell Row", "Dumbbell Floor Press", "Dumbbell Fly", "Squeeze Press"],
    }
    picks = html(client.get(BENCH)).select(".swap li")
    assert [text(li) for li in picks if li.select_one(".swap__pick")] == [
        "Chest Doorway Stretch Trainer’s pick",
        "Dumbbell Row Trainer’s pick",
    ]


def test_a_pinned_draft_is_not_shown_until_it_is_published(client, chest):
    ExerciseSubstitute.objects.create(exercise=chest["bench"], substitute=chest["draft"])

    assert "Cable" not in swap_groups(client.get(BENCH))
    chest["draft"].status = Exercise.Status.PUBLISHED
    chest["draft"].save()
    assert swap_groups(client.get(BENCH))["Cable"] == ["Cable Press"]


def test_the_database_refuses_an_exercise_as_its_own_substitute(chest):
    with pytest.raises(IntegrityError):
        ExerciseSubstitute.objects.create(exercise=chest["bench"], substitute=chest["bench"])


def test_the_admin_refuses_a_substitute_listed_twice(admin_client, chest):
    bench = chest["bench"]
    form = admin_change_form(admin_client, bench) | {
        "substitute_choices-TOTAL_FORMS": "2",
        "substitute_choices-0-substitute": str(chest["row"].pk),
        "substitute_choices-0-choice": "pin",
        "substitute_choices-0-position": "0",
        "substitute_choices-1-substitute": str(chest["row"].pk),
        "substitute_choices-1-choice": "exclude",
        "substitute_choices-1-position": "0",
    }

    response = admin_client.post(f"/admin/exercises/exercise/{bench.pk}/change/", form)

    assert response.status_code == 200  # the form again, with the error
    assert "Please correct the duplicate data for substitute" in response.content.decode()
    assert not ExerciseSubstitute.objects.exists()


def test_the_substitutes_query_is_one_bounded_indexed_query(chest):
    bench = Exercise.objects.for_detail().get(pk=chest["bench"].pk)  # as the page loads it
    queryset = Exercise.objects.published().select_related("equipment")
    with CaptureQueriesContext(connection) as queries:
        list(queryset.substitutes_for(bench))

    assert len(queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert "LIMIT 40" in sql
    assert '"target_muscle_id" = ' in sql and '"category_id" = ' in sql


@pytest.mark.parametrize("path", [BENCH, BENCH + ".md"])
def test_an_exercise_page_spends_one_query_on_swap_for(
    client, chest, settings, path, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    ExerciseSubstitute.objects.create(exercise=chest["bench"], substitute=chest["row"])
    # Validators, the exercise, its secondary muscles, its lists, its media, related
    # exercises and the substitutes with the pins and exclusions.
    with django_assert_max_num_queries(7):
        response = client.get(path)
    assert response.status_code == 200
    assert "Dumbbell Row" in response.content.decode()


def test_unknown_and_deleted_exercises_still_answer_404_and_410(client, chest):
    ExerciseSubstitute.objects.create(exercise=chest["row"], substitute=chest["bench"])
    chest["bench"].delete()  # its pins and exclusions go with it

    assert client.get(BENCH).status_code == 410
    assert client.get("/exercise/no-such-exercise").status_code == 404
    assert not ExerciseSubstitute.objects.exists()
    assert swap_groups(client.get("/exercise/dumbbell-row")) == {}


def admin_change_form(admin_client, exercise):
    """The exercise's admin form as the browser would post it back unchanged."""
    return open_form(admin_client, exercise)


def test_the_exercise_history_holds_its_pins_and_exclusions(admin_client, chest):
    from reversion.models import Version

    bench = chest["bench"]
    form = admin_change_form(admin_client, bench) | {
        "substitute_choices-TOTAL_FORMS": "1",
        "substitute_choices-0-substitute": str(chest["row"].pk),
        "substitute_choices-0-choice": "pin",
        "substitute_choices-0-position": "1",
    }
    assert (
        admin_client.post(f"/admin/exercises/exercise/{bench.pk}/change/", form).status_code == 302
    )

    revision = Version.objects.get_for_object(bench).order_by("-pk").first().revision
    held = [
        json.loads(version.serialized_data)[0]["fields"]
        for version in revision.version_set.all()
        if version.content_type.model_class() is ExerciseSubstitute
    ]
    assert held == [
        {"exercise": bench.pk, "substitute": chest["row"].pk, "choice": "pin", "position": 1}
    ]

"""Completeness: the change list's checklist column and gap filters, the admin index's
dashboard of what the library lacks, and the publish gate on the form and the action."""

import json
from io import StringIO

import pytest
from conftest import FIXTURES
from django.core.management import call_command
from django.db.models import Count
from factories import PUBLISHABLE, html, make_exercise, text
from test_admin import EXERCISES, change_url, exercise_post, messages_of, rows

from exercises.models import (
    BodyPart,
    Category,
    Difficulty,
    Equipment,
    Exercise,
    ExerciseAlias,
    ExerciseMedia,
    Muscle,
)
from exercises.models.completeness import CHECKS, PUBLISH_MIN_STEPS

FULL = {
    **PUBLISHABLE,
    "tips": ["Breathe out as you move."],
    "mistakes": ["Rushing."],
    "faqs": [("How often?", "Three times a week.")],
    "secondary": ["glutes"],
}


def make_full(name, **fields):
    """An exercise meeting every check but media (add_media adds that)."""
    exercise = make_exercise(name, **{**FULL, **fields})
    ExerciseAlias.objects.create(exercise=exercise, name=f"{name} Drill", position=1)
    return exercise


def add_media(exercise):
    """A media row without files: the checklist only counts rows."""
    ExerciseMedia.objects.bulk_create(
        [
            ExerciseMedia(
                exercise=exercise,
                image="exercises/test.png",
                width=10,
                height=10,
                content_hash="0" * 24,
                alt_text="A drawing of the movement",
                creator="Forge",
                licence="cc0",
            )
        ]
    )


@pytest.fixture
def varied(taxonomy):
    """Exercises each lacking something else: {name: exercise}."""
    made = {
        "Complete": make_full("Complete"),
        "Bare": make_exercise("Bare"),
        "Two Steps": make_full("Two Steps", steps=["Set up.", "Move."], status="draft"),
        "No Answer": make_full("No Answer", quick_answer=""),
        "No Tips": make_full("No Tips", tips=[], status="draft"),
        "No FAQs": make_full("No FAQs", faqs=[]),
        "No Alias": make_exercise("No Alias", **FULL),
    }
    for name in ("Complete", "No Answer", "No Tips", "No FAQs", "No Alias"):
        add_media(made[name])
    return made


def listed_names(response):
    return [text(a) for a in html(response).select("#result_list th.field-name a")]


# The change list


EXPECTED_GAPS = {
    "quick_answer": {"Bare", "No Answer"},
    "steps": {"Bare", "Two Steps"},
    "tips": {"Bare", "No Tips"},
    "mistakes": {"Bare"},
    "faqs": {"Bare", "No FAQs"},
    "media": {"Bare", "Two Steps"},
    "aliases": {"Bare", "No Alias"},
    "secondary_muscles": {"Bare"},
}


def test_every_check_has_a_filter_and_a_case_here():
    assert set(EXPECTED_GAPS) == {check.key for check in CHECKS}


@pytest.mark.parametrize("key", list(EXPECTED_GAPS))
def test_each_gap_filter_lists_exactly_the_exercises_lacking_it(admin_client, varied, key):
    response = admin_client.get(EXERCISES, {"missing": key})
    assert response.status_code == 200
    assert set(listed_names(response)) == EXPECTED_GAPS[key]


def test_gap_filters_are_offered_by_name(admin_client, varied):
    content = html(admin_client.get(EXERCISES))
    choices = [text(a) for a in content.select("#changelist-filter a[href*='missing=']")]
    assert choices == [
        "No quick answer of its own",
        f"Fewer than {PUBLISH_MIN_STEPS} steps",
        "No pro tips",
        "No common mistakes",
        "No FAQs of its own",
        "No images or videos",
        "No aliases",
        "No secondary muscles",
    ]


def test_gate_filter_finds_published_exercises_that_fail_it(admin_client, varied):
    flagged = admin_client.get(EXERCISES, {"gate": "flagged"})
    assert set(listed_names(flagged)) == {"Bare", "No Answer"}
    fails = admin_client.get(EXERCISES, {"gate": "fails"})
    assert set(listed_names(fails)) == {"Bare", "No Answer", "Two Steps"}
    passes = admin_client.get(EXERCISES, {"gate": "passes"})
    assert set(listed_names(passes)) == {"Complete", "No Tips", "No FAQs", "No Alias"}


@pytest.mark.parametrize("query", [{"missing": "wings"}, {"gate": "maybe"}, {"missing": ""}])
def test_unknown_filter_values_list_everything(admin_client, varied, query):
    response = admin_client.get(EXERCISES, query)
    assert response.status_code == 200
    assert len(listed_names(response)) == len(varied)


def test_column_shows_the_score_and_what_is_missing(admin_client, varied):
    page = html(admin_client.get(EXERCISES))
    cells = {
        text(row.select_one("th.field-name")): text(row.select_one("td.field-completeness"))
        for row in page.select("#result_list tbody tr")
    }
    assert cells["Complete"] == f"{len(CHECKS)}/{len(CHECKS)}"
    assert cells["Bare"] == (
        f"0/{len(CHECKS)} fails gate no quick answer, {PUBLISH_MIN_STEPS} steps, tips, "
        "mistakes, FAQs, media, aliases, secondary"
    )
    assert cells["No Tips"] == f"{len(CHECKS) - 1}/{len(CHECKS)} no tips"
    # A draft that fails the gate is not flagged: it is simply not publishable yet.
    assert "fails gate" not in cells["Two Steps"]


def test_column_sorts_by_score(admin_client, varied):
    from django.contrib import admin

    # The change list's ?o= numbers its columns from 1, after the selection checkbox.
    column = 1 + admin.site.get_model_admin(Exercise).list_display.index("completeness")
    names = listed_names(admin_client.get(EXERCISES, {"o": f"-{column}.1"}))
    assert names[0] == "Complete"
    assert names[-1] == "Bare"


def test_changelist_queries_do_not_grow_with_exercises(
    admin_client, taxonomy, django_assert_max_num_queries
):
    for number in range(3):
        make_full(f"Full {number}")
    with django_assert_max_num_queries(12) as few:
        assert admin_client.get(EXERCISES, {"missing": "tips"}).status_code == 200
    for number in range(3, 40):
        make_full(f"Full {number}")
        make_exercise(f"Bare {number}")
    with django_assert_max_num_queries(len(few)):
        assert admin_client.get(EXERCISES, {"missing": "tips"}).status_code == 200


# The dashboard on the admin index


def real_counts():
    """What the library lacks, counted another way than the dashboard does: by joins."""
    exercises = Exercise.objects.annotate(
        steps_n=Count("steps", distinct=True),
        tips_n=Count("pro_tips", distinct=True),
        mistakes_n=Count("common_mistakes", distinct=True),
        faqs_n=Count("faqs", distinct=True),
        media_n=Count("media", distinct=True),
        aliases_n=Count("aliases", distinct=True),
        secondary_n=Count("secondary_muscle_links", distinct=True),
    )
    rows = list(exercises)
    lacking = {
        "quick_answer": lambda e: not e.quick_answer,
        "steps": lambda e: e.steps_n < PUBLISH_MIN_STEPS,
        "tips": lambda e: not e.tips_n,
        "mistakes": lambda e: not e.mistakes_n,
        "faqs": lambda e: not e.faqs_n,
        "media": lambda e: not e.media_n,
        "aliases": lambda e: not e.aliases_n,
        "secondary_muscles": lambda e: not e.secondary_n,
    }
    return {
        key: (
            sum(1 for e in rows if test(e)),
            sum(1 for e in rows if test(e) and e.is_published),
        )
        for key, test in lacking.items()
    }, sum(
        1 for e in rows if e.is_published and (not e.quick_answer or e.steps_n < PUBLISH_MIN_STEPS)
    )


def dashboard(response):
    table = html(response).select_one(".library-gaps table")
    return {
        text(row.th): [(text(a).split(" ")[0], a["href"]) for a in row.select("a")]
        for row in table.select("tbody tr")
    }


def test_dashboard_counts_match_the_database(admin_client, varied):
    shown = dashboard(admin_client.get("/admin/"))
    counts, flagged = real_counts()
    for check in CHECKS:
        label = check.gap[0].upper() + check.gap[1:]
        (every, every_url), (published, published_url) = shown[label]
        assert (int(every), int(published)) == counts[check.key]
        assert every_url == f"{EXERCISES}?missing={check.key}"
        # The link lists exactly the exercises counted.
        assert len(listed_names(admin_client.get(every_url))) == int(every)
        assert len(listed_names(admin_client.get(published_url))) == int(published)
    [(count, url)] = shown[
        f"Published, failing the publish gate (a quick answer of its own and "
        f"{PUBLISH_MIN_STEPS} steps)"
    ]
    assert int(count) == flagged == 2
    assert set(listed_names(admin_client.get(url))) == {"Bare", "No Answer"}


def test_dashboard_counts_the_starter_library(admin_client, taxonomy):
    call_command("import_exercises", FIXTURES / "free-exercise-db.json", verbosity=0)
    shown = dashboard(admin_client.get("/admin/"))
    counts, flagged = real_counts()
    assert int(shown["No quick answer of its own"][0][0]) == counts["quick_answer"][0] > 800
    assert int(shown["No pro tips"][1][0]) == counts["tips"][1]
    assert int(shown[next(k for k in shown if k.startswith("Published, failing"))][0][0]) == (
        flagged
    )


def test_dashboard_query_count_is_fixed(admin_client, varied, django_assert_max_num_queries):
    with django_assert_max_num_queries(8) as few:
        assert admin_client.get("/admin/").status_code == 200
    for number in range(30):
        make_full(f"More {number}")
    with django_assert_max_num_queries(len(few)):
        assert admin_client.get("/admin/").status_code == 200


def test_dashboard_is_not_shown_to_staff_who_cannot_see_exercises(client, varied):
    from django.contrib.auth.models import User

    user = User.objects.create_user("ops", password="unused-Passw0rd!", is_staff=True)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert html(response).select_one(".library-gaps") is None


# The publish gate


def test_gate_refuses_to_publish_an_empty_exercise_naming_what_is_missing(admin_client, taxonomy):
    facets = facet_ids()
    data = exercise_post(facets, status="published", quick_answer="") | {"loaded_version": ""}
    data.pop("loaded_version")
    response = admin_client.post(f"{EXERCISES}add/", data)
    assert response.status_code == 200
    assert not Exercise.objects.exists()
    top = text(html(response).select_one("form .errornote + ul.errorlist, ul.errorlist.nonfield"))
    assert top == (
        "“Spine Stretch” cannot be published yet: it needs a quick answer of its own and at "
        f"least {PUBLISH_MIN_STEPS} steps (it has 0; add {PUBLISH_MIN_STEPS} more). Save it as "
        "a draft, or add what is missing first."
    )


def test_gate_counts_the_steps_being_saved(admin_client, taxonomy):
    facets = facet_ids()
    data = exercise_post(facets, status="published") | rows(
        "steps", [{"text": "Sit tall.", "position": 0}, {"text": "Reach.", "position": 0}]
    )
    data.pop("loaded_version")
    refused = admin_client.post(f"{EXERCISES}add/", data)
    assert "at least 3 steps (it has 2; add 1 more)" in refused.content.decode()
    assert "a quick answer of its own" not in refused.content.decode()
    data |= rows(
        "steps",
        [
            {"text": "Sit tall.", "position": 0},
            {"text": "Reach.", "position": 0},
            {"text": "Roll back up.", "position": 0},
        ],
    )
    response = admin_client.post(f"{EXERCISES}add/", data)
    assert response.status_code == 302
    assert Exercise.objects.get().is_published


def test_a_draft_saves_without_the_gate(admin_client, taxonomy):
    data = exercise_post(facet_ids(), quick_answer="")
    data.pop("loaded_version")
    assert admin_client.post(f"{EXERCISES}add/", data).status_code == 302
    assert Exercise.objects.get().status == "draft"


def test_a_flagged_starter_exercise_still_saves_but_is_told(admin_client, taxonomy):
    exercise = make_exercise("Old Stretch", steps=["Only step."])  # published, fails the gate
    data = exercise_post(
        facet_ids(), name="Old Stretch", slug="old-stretch", status="published", quick_answer=""
    ) | rows(
        "steps",
        [{"id": exercise.steps.get().pk, "text": "Only step, clearer.", "position": 1}],
        initial=1,
    )
    response = admin_client.post(change_url(exercise), data, follow=True)
    assert response.status_code == 200
    assert exercise.steps.get().text == "Only step, clearer."
    assert any("stays published but is flagged" in m for m in messages_of(response))


def test_a_published_exercise_cannot_lose_its_quick_answer(admin_client, taxonomy):
    exercise = make_exercise("Good Stretch", **PUBLISHABLE)
    steps = [
        {"id": step.pk, "text": step.text, "position": step.position}
        for step in exercise.steps.all()
    ]
    data = exercise_post(
        facet_ids(), name="Good Stretch", slug="good-stretch", status="published", quick_answer=""
    ) | rows("steps", steps, initial=3)
    response = admin_client.post(change_url(exercise), data)
    assert response.status_code == 200
    assert "needs a quick answer of its own" in response.content.decode()
    exercise.refresh_from_db()
    assert exercise.quick_answer == PUBLISHABLE["quick_answer"]


def test_publish_action_refuses_drafts_that_fail_and_names_them(admin_client, taxonomy):
    ready = make_exercise("Ready", **PUBLISHABLE, status="draft")
    empty = make_exercise("Empty", status="draft")
    response = admin_client.post(
        EXERCISES,
        {"action": "publish", "_selected_action": [ready.pk, empty.pk], "index": 0},
        follow=True,
    )
    said = messages_of(response)
    assert "1 exercise is now published." in said
    [refusal] = [m for m in said if m.startswith("Not published")]
    assert "“Empty” cannot be published yet: it needs a quick answer of its own and at least" in (
        refusal
    )
    assert f'href="{change_url(empty)}"' in refusal
    assert dict(Exercise.objects.values_list("name", "status")) == {
        "Ready": "published",
        "Empty": "draft",
    }


def test_publish_on_the_change_form_refuses_an_empty_draft(admin_client, taxonomy):
    empty = make_exercise("Empty", status="draft", steps=["One."])
    response = admin_client.post(
        change_url(empty),
        {"CHANGE_FORM-action": "publish", "_selected_action": empty.pk},
        follow=True,
    )
    [refusal] = messages_of(response)
    assert "at least 3 steps (it has 1; add 2 more)" in refusal
    assert "now published" not in refusal
    empty.refresh_from_db()
    assert empty.status == "draft"


def facet_ids():
    """The real taxonomy's rows behind exercise_post's fields."""
    from types import SimpleNamespace

    back = BodyPart.objects.get(slug="back")
    return SimpleNamespace(
        back=back,
        lower_back=Muscle.objects.get(slug="lower-back"),
        bodyweight=Equipment.objects.get(slug="bodyweight"),
        beginner=Difficulty.objects.get(slug="beginner"),
        mobility=Category.objects.get(slug="mobility"),
    )


def test_import_publishes_records_that_fail_the_gate_and_names_them(taxonomy, tmp_path):
    starter = json.loads((FIXTURES / "free-exercise-db.json").read_text(encoding="utf-8"))
    few = tmp_path / "few.json"
    few.write_text(json.dumps(starter[:3]), encoding="utf-8")
    out = StringIO()
    call_command("import_exercises", few, stdout=out, stderr=StringIO())
    report = out.getvalue()
    assert "Published though they fail the publish gate" in report
    assert Exercise.objects.published().count() == 3
    assert Exercise.objects.published().failing_gate().count() == 3
    for exercise in Exercise.objects.all():
        assert f"  exercise {exercise.name}: needs a quick answer of its own" in report


# Admin search


def test_admin_search_covers_quick_answer_and_step_text(admin_client, taxonomy):
    make_exercise(
        "Bird Dog",
        quick_answer="An anti-rotation drill for the core.",
        steps=["Kneel on all fours.", "Reach one arm forward.", "Extend the opposite leg."],
    )
    make_exercise("Dead Bug", steps=["Lie on your back.", "Extend the opposite leg slowly."])
    plank = make_exercise("Plank")
    ExerciseAlias.objects.create(exercise=plank, name="Front Hold", position=1)

    def found(query):
        return listed_names(admin_client.get(EXERCISES, {"q": query}))

    assert found("anti-rotation") == ["Bird Dog"]
    assert found("front hold") == ["Plank"]
    assert found("all fours") == ["Bird Dog"]
    # Matching several steps still lists an exercise once.
    assert found("opposite") == ["Bird Dog", "Dead Bug"]
    assert found("opposite leg slowly") == ["Dead Bug"]
    assert found("no such words") == []


def test_admin_search_queries_do_not_grow_with_matches(
    admin_client, taxonomy, django_assert_max_num_queries
):
    for number in range(3):
        make_full(f"Full {number}")
    with django_assert_max_num_queries(12) as few:
        assert admin_client.get(EXERCISES, {"q": "move"}).status_code == 200
    for number in range(3, 30):
        make_full(f"Full {number}")
    with django_assert_max_num_queries(len(few)):
        response = admin_client.get(EXERCISES, {"q": "move"})
    assert len(listed_names(response)) == 30

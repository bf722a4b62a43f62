"""The search box: every word on SQLite; ranked, stemmed and typo-tolerant on PostgreSQL."""

import json
from pathlib import Path

import pytest
from django.db import connection

from exercises.interchange.importer import import_library
from exercises.models import Exercise

FREE_EXERCISE_DB = Path(__file__).resolve().parent.parent / "fixtures" / "free-exercise-db.json"
# Real exercises from the starter library: the ones the searches below should find, and
# neighbours that share words with them.
NAMES = {
    "Band Assisted Pull-Up",
    "Scapular Pull-Up",
    "Weighted Pull Ups",
    "Pullups",
    "Chin-Up",
    "Face Pull",
    "Band Pull Apart",
    "Wide-Grip Lat Pulldown",
    "Barbell Deadlift",
    "Romanian Deadlift",
    "Sumo Deadlift",
    "Trap Bar Deadlift",
    "Dumbbell Bicep Curl",
    "Dumbbell Alternate Bicep Curl",
    "Machine Bicep Curl",
    "Hammer Curls",
    "Barbell Curl",
    "Seated Leg Curl",
    "Barbell Squat",
    "Goblet Squat",
    "Dead Bug",
    "Pushups",
}


@pytest.fixture
def starter_exercises(taxonomy):
    """A slice of the real starter library, published, imported the way the site imports it."""
    records = [r for r in json.loads(FREE_EXERCISE_DB.read_text()) if r["name"] in NAMES]
    assert len(records) == len(NAMES)
    import_library(records, status="published")


def names(response):
    return [exercise.name for exercise in response.context["page_obj"].object_list]


def search(client, text, **params):
    response = client.get("/exercises", {"q": text, **params}, follow=True)
    assert response.status_code == 200
    return names(response)


def test_a_search_finds_names_containing_every_word(client, starter_exercises):
    found = search(client, "bicep curl")

    assert {"Dumbbell Bicep Curl", "Dumbbell Alternate Bicep Curl", "Machine Bicep Curl"} <= set(
        found
    )
    assert "Barbell Squat" not in found


def test_a_search_ignores_case_and_extra_spaces(client, starter_exercises):
    assert "Goblet Squat" in search(client, "  GOBLET   squat ")


def test_a_search_counts_facets_within_its_results(client, starter_exercises):
    response = client.get("/exercises", {"q": "squat"})
    groups = {group.name: group for group in response.context["browse"].facet_groups()}
    total = sum(option.count for option in groups["body_part"].options)

    assert total == response.context["page_obj"].paginator.count == len(names(response))


def test_a_search_combines_with_facets(client, starter_exercises):
    found = search(client, "curl", equipment="dumbbell")

    assert "Dumbbell Bicep Curl" in found
    assert "Barbell Curl" not in found


def test_a_search_without_results_says_so(client, starter_exercises):
    response = client.get("/exercises", {"q": "zzzz qqqq"})

    assert response.status_code == 200
    assert names(response) == []


def test_drafts_are_never_found(client, starter_exercises):
    Exercise.objects.filter(name="Goblet Squat").update(status=Exercise.Status.DRAFT)

    assert "Goblet Squat" not in search(client, "goblet")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's simple match only")
def test_without_postgresql_every_word_must_appear(client, starter_exercises):
    assert search(client, "dedlift") == []
    assert search(client, "curl squat") == []


# --- PostgreSQL: full text and trigram similarity ------------------------------------------


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pull ups", {"Band Assisted Pull-Up", "Scapular Pull-Up", "Weighted Pull Ups"}),
        ("pullup", {"Pullups", "Band Assisted Pull-Up"}),
        ("dedlift", {"Barbell Deadlift", "Romanian Deadlift", "Sumo Deadlift"}),
        ("bicep curl", {"Dumbbell Bicep Curl"}),
        ("biceps curls", {"Dumbbell Bicep Curl", "Machine Bicep Curl"}),
        ("gobelt squat", {"Goblet Squat"}),
    ],
)
def test_postgresql_finds_spelling_variants_and_typos(client, starter_exercises, text, expected):
    assert expected <= set(search(client, text))


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("bicep curl", "Dumbbell Bicep Curl"),
        ("dumbbell bicep curl", "Dumbbell Bicep Curl"),
        ("romanian deadlift", "Romanian Deadlift"),
        ("dedlift", "Barbell Deadlift"),
        ("chin up", "Chin-Up"),
    ],
)
def test_postgresql_ranks_the_closest_names_first(client, starter_exercises, text, best):
    assert best in search(client, text)[:3]


@pytest.mark.postgresql
def test_postgresql_ranks_a_name_match_above_a_quick_answer_match(client, starter_exercises):
    squat = Exercise.objects.get(name="Goblet Squat")
    squat.quick_answer = "Hold one dumbbell at your chest; unlike a deadlift, the hips sink."
    squat.save()

    found = search(client, "deadlift")

    assert "Goblet Squat" in found
    assert found.index("Goblet Squat") > found.index("Romanian Deadlift")


@pytest.mark.postgresql
def test_postgresql_keeps_the_stored_document_current(client, starter_exercises):
    squat = Exercise.objects.get(name="Goblet Squat")
    squat.name = "Goblet Carry"
    squat.save()
    Exercise.objects.filter(name="Hammer Curls").update(quick_answer="A neutral-grip curl.")

    assert "Goblet Carry" in search(client, "carry")
    assert "Goblet Carry" not in search(client, "squat")
    assert "Hammer Curls" in search(client, "neutral grip")


@pytest.mark.postgresql
def test_postgresql_an_explicit_sort_overrides_relevance(client, starter_exercises):
    found = search(client, "deadlift", sort="name")

    assert found == sorted(found)


@pytest.mark.postgresql
def test_postgresql_search_uses_its_indexes(db):
    """Both GIN indexes exist, so the search and its facet subqueries stay fast."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'exercises_exercise'"
            " AND indexname IN ('exercise_search_document', 'exercise_name_trigram')"
        )
        found = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        has_trigram = cursor.fetchone() is not None

    assert found == {"exercise_search_document", "exercise_name_trigram"}
    assert has_trigram


@pytest.mark.postgresql
def test_postgresql_knows_what_trigram_tests_cost(db):
    """Priced as one comparison, they make a full scan of the library look cheaper than the
    trigram index (migration 0008)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, procost FROM pg_proc WHERE proname IN"
            " ('word_similarity_commutator_op', 'strict_word_similarity_commutator_op')"
        )
        costs = dict(cursor.fetchall())

    assert costs == {
        "word_similarity_commutator_op": 100,
        "strict_word_similarity_commutator_op": 100,
    }


@pytest.mark.postgresql
def test_postgresql_short_searches_match_by_full_text_only(client, starter_exercises):
    found = search(client, "curl")

    assert "Barbell Curl" in found
    assert "Seated Leg Curl" in found
    assert "Pullups" not in found


@pytest.mark.postgresql
def test_postgresql_plan_can_answer_the_search_from_its_indexes(starter_exercises):
    """With scans that ignore the search switched off, the plan ORs the GIN indexes together
    (on a few rows the planner would rightly prefer reading the table)."""
    queryset = Exercise.objects.search("dedlift").values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()

    assert "BitmapOr" in plan
    assert "exercise_search_document" in plan
    assert "exercise_name_trigram" in plan

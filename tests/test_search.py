"""The search box on both databases: one table of searches and what a visitor should get
first, then each database's own mechanics (PostgreSQL's indexes, SQLite's FTS5 table)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from factories import html, text

from exercises.interchange.importer import import_library
from exercises.models import Exercise, ExerciseAlias

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FREE_EXERCISE_DB = FIXTURES / "free-exercise-db.json"
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


# --- The index follows every write (SQLite's FTS5 triggers, PostgreSQL's document) ------------


def test_the_search_follows_aliases_renames_and_muscle_names(client, starter_exercises):
    squat = Exercise.objects.get(name="Goblet Squat")
    alias = ExerciseAlias.objects.create(exercise=squat, name="Chalice Hold")
    assert search(client, "chalice hold") == ["Goblet Squat"]

    alias.name = "Vase Carry"
    alias.save()
    assert search(client, "chalice hold") == []
    assert search(client, "vase carry") == ["Goblet Squat"]

    alias.delete()
    assert search(client, "vase carry") == []

    # A bulk update sends no signal, and the index follows it anyway.
    Exercise.objects.filter(pk=squat.pk).update(name="Goblet Box Squat")
    assert "Goblet Box Squat" in search(client, "box squat")

    muscle = squat.target_muscle
    muscle.name = "Quadriceps Femoris"
    muscle.save()
    assert "Goblet Box Squat" in search(client, "femoris")


def test_a_deleted_exercise_leaves_the_index(client, starter_exercises):
    Exercise.objects.filter(name="Sumo Deadlift").delete()

    assert "Sumo Deadlift" not in search(client, "sumo")


# --- What a visitor sees around the results ----------------------------------------------------


def test_a_corrected_search_says_what_it_searched(client, starter_exercises):
    response = client.get("/exercises", {"q": "dedlift"})

    assert "Barbell Deadlift" in names(response)[:3]
    if connection.vendor == "sqlite":
        correction = html(response).select_one(".search-correction").get_text()
        assert correction == "Showing results for deadlift."


def test_a_search_without_results_suggests_the_closest_names(client, starter_exercises):
    response = client.get("/exercises", {"q": "dedlift squat curl"})

    assert names(response) == []
    page = html(response)
    suggestion = page.select_one(".did-you-mean")
    assert suggestion.get_text().startswith("Did you mean ")
    links = {text(a): a["href"] for a in suggestion.select("a")}
    assert 1 <= len(links) <= 3
    for name, href in links.items():
        assert href == Exercise.objects.get(name=name).get_absolute_url()
    assert any(word in name for name in links for word in ("Deadlift", "Squat", "Curl"))
    assert "No exercises match “dedlift squat curl”" in text(page.select_one(".empty"))


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL finds it by trigrams")
def test_a_misspelt_name_with_an_unknown_word_suggests_the_name(client, starter_exercises):
    suggestion = html(client.get("/exercises", {"q": "barbell dedlift zzz"})).select_one(
        ".did-you-mean"
    )

    assert suggestion.get_text().startswith("Did you mean Barbell Deadlift")


def test_suggestions_never_name_a_draft(client, starter_exercises):
    Exercise.objects.filter(name="Barbell Deadlift").update(status=Exercise.Status.DRAFT)

    page = html(client.get("/exercises", {"q": "dedlift squat curl"}))

    assert page.select_one(".did-you-mean")
    assert "Barbell Deadlift" not in text(page.select_one("main"))


def test_a_search_nothing_resembles_suggests_nothing(client, starter_exercises):
    page = html(client.get("/exercises", {"q": "zzqq xxyy"}))

    assert page.select_one(".did-you-mean") is None
    assert page.select_one(".empty") is not None


def test_best_match_is_offered_only_for_ranked_results(client, starter_exercises):
    def default_sort(query):
        page = html(client.get("/exercises", {"q": query} if query else {}))
        return text(page.select_one("#browse-sort option[selected]"))

    assert default_sort("deadlift") == "Best match"
    # Too short for SQLite's index: its matches are listed by name.
    assert default_sort("ab") == (
        "Best match" if connection.vendor == "postgresql" else "Name (A–Z)"
    )
    assert default_sort("") == "Featured"


# --- Searches the box cannot run ---------------------------------------------------------------


@pytest.mark.parametrize("length", [101, 1000])
def test_a_search_longer_than_the_box_is_answered_with_why(client, starter_exercises, length):
    response = client.get("/exercises/back", {"q": "deadlift " * (length // 9 + 1)})

    assert response.status_code == 400
    page = html(response)
    message = text(page.select_one("#search-refused"))
    assert message.startswith(f"Your search has {len('deadlift ' * (length // 9 + 1))} characters")
    assert "takes up to 100" in message
    box = page.select_one("input#browse-q")
    assert len(box["value"]) == 100 and box["aria-invalid"] == "true"
    # The hub's exercises are still listed, and the page is not indexed.
    assert names(response)
    assert page.select_one('meta[name="robots"]')["content"] == "noindex,follow"


def test_a_search_with_a_nul_byte_is_answered_with_why(client, starter_exercises):
    response = client.get("/exercises", {"q": "dead\x00lift"})

    assert response.status_code == 400
    page = html(response)
    assert "invisible character" in text(page.select_one("#search-refused"))
    assert page.select_one("input#browse-q")["value"] == "deadlift"


def test_a_refused_search_keeps_the_query_budget(
    client, starter_exercises, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(10):  # tests/test_query_budgets.py's BROWSE_BUDGET
        assert client.get("/exercises", {"q": "x" * 101}).status_code == 400


@pytest.mark.parametrize(
    "query", ["!!!", '"', "'", "*", "(", ")", "-", '" OR "', "NEAR(a b)", "a:b", "^", "%", "_"]
)
def test_punctuation_and_search_syntax_are_searched_as_text(client, starter_exercises, query):
    response = client.get("/exercises", {"q": query})

    assert response.status_code == 200
    if not names(response):
        assert html(response).select_one(".empty") is not None


def test_an_empty_search_is_the_library(client, starter_exercises):
    response = client.get("/exercises", {"q": "   "})

    assert (response.status_code, response["Location"]) == (301, "/exercises")


def test_the_markdown_copy_says_did_you_mean_and_why_a_search_was_refused(
    client, starter_exercises
):
    markdown = client.get("/exercises.md", {"q": "dedlift squat curl"}).content.decode()
    assert "\nDid you mean [" in markdown
    assert f"]({settings.SITE_URL}/exercise/" in markdown

    response = client.get("/exercises.md", {"q": "x" * 101})
    assert response.status_code == 400
    assert "Your search has 101 characters" in response.content.decode()

"""The search table: what a visitor gets first for each search, on the whole starter library
with its aliases, the same on SQLite and on PostgreSQL (the PostgreSQL pass runs it with
DATABASE_URL). Each database's own mechanics are tested in test_search.py."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from factories import card_names, html, text

from exercises.models import Exercise

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="module")
def starter_library(django_db_setup, django_db_blocker):
    """The starter library with its aliases, published, as `make run` loads it: imported once
    for this module's tests, in a transaction rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_exercises", FIXTURES / "free-exercise-db.json", verbosity=0)
        call_command("seed_aliases", FIXTURES / "starter-aliases.json", verbosity=0)
        yield
        transaction.set_rollback(True)


def target_muscles(names):
    return [Exercise.objects.get(name=name).target_muscle.slug for name in names]


# (search, what the visitor should see): `first` is the first result, `top` a result among the
# first three, `same_as` a search with the same results, `muscle` the target muscle of each of
# the first five.
SEARCHES = [
    ("dedlift", {"first": "Barbell Deadlift"}),
    ("RDL", {"first": "Romanian Deadlift"}),
    ("rdl", {"first": "Romanian Deadlift"}),
    ("benchpress", {"first_contains": "Bench Press"}),
    ("bench press", {"first_contains": "Bench Press"}),
    ("squats", {"same_as": "squat"}),
    ("lats", {"muscle": "lats"}),
    ("skull crusher", {"top": "EZ-Bar Skullcrusher"}),
    ("chinup", {"first": "Chin-Up"}),
    ("chin-up", {"first": "Chin-Up"}),
    ("press-up", {"first": "Pushups"}),
    ("push up", {"top": "Pushups"}),
    ("romanian deadlift", {"first": "Romanian Deadlift"}),
    ("gobelt squat", {"first": "Goblet Squat"}),
    ("bicep curl", {"top": "Dumbbell Bicep Curl"}),
    ("OHP", {"first": "Standing Military Press"}),
    ("hamstring curl", {"top": "Lying Leg Curls"}),
]


@pytest.mark.parametrize(("query", "expected"), SEARCHES, ids=[q for q, _ in SEARCHES])
def test_the_search_table(client, starter_library, db, query, expected):
    """What a visitor gets for each search, the same on SQLite and PostgreSQL (the PostgreSQL
    pass runs it with DATABASE_URL)."""
    response = client.get("/exercises", {"q": query})
    assert response.status_code == 200
    found = card_names(response)
    assert found, f"{query!r} found nothing"
    if "first" in expected:
        assert found[0] == expected["first"], found[:5]
    if "first_contains" in expected:
        assert expected["first_contains"] in found[0], found[:5]
    if "top" in expected:
        assert expected["top"] in found[:3], found[:5]
    if "same_as" in expected:
        other = client.get("/exercises", {"q": expected["same_as"]})
        assert response.context["page_obj"].paginator.count == (
            other.context["page_obj"].paginator.count
        )
        assert set(found) == set(card_names(other)) or len(found) == 24
    if "muscle" in expected:
        assert set(target_muscles(found[:5])) == {expected["muscle"]}, found[:5]
    # Ranked results say so.
    sort = html(response).select_one("#browse-sort option[selected]")
    assert text(sort) == "Best match"

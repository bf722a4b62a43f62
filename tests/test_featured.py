"""The featured order: trainer-ranked exercises first, then A–Z, on every browse page that is
neither searched nor sorted; A–Z and the other sorts on request (never indexed); the rank
edited in the admin, carried by the library format and seeded for the starter library."""

import json

import pytest
from django.core.management import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from factories import LIBRARY, card_names, command_output, html, make_exercise, text
from settings_env import BASE_DIR
from test_query_budgets import BROWSE_BUDGET

from exercises.interchange.format import export_library
from exercises.interchange.importer import import_library
from exercises.models import Exercise
from exercises.search import search

STARTER_FEATURED = BASE_DIR / "fixtures" / "starter-featured.json"
SITE = "https://forgetrainer.ai"


@pytest.fixture
def featured(library, settings):
    """The library fixture with three back exercises featured (two share a rank)."""
    settings.SITE_URL = SITE
    for name, rank in (("Pendlay Row", 1), ("Superman", 2), ("Deadlift", 2)):
        Exercise.objects.filter(name=name).update(featured_rank=rank)


def rest(*featured_names):
    return sorted(name for name in LIBRARY if name not in featured_names)


# What a visitor sees.


def test_the_library_lists_the_featured_exercises_first_then_a_to_z(client, featured):
    response = client.get("/exercises")

    featured_first = ["Pendlay Row", "Deadlift", "Superman"]  # rank 1, then rank 2 A–Z
    assert card_names(response) == featured_first + rest(*featured_first)
    assert html(response).find("link", rel="canonical")["href"] == f"{SITE}/exercises"
    assert html(response).find("meta", attrs={"name": "robots"}) is None


@pytest.mark.parametrize(
    "path", ["/exercises/back", "/exercises/back/barbell", "/exercises?body_part=back&q="]
)
def test_hubs_and_filtered_states_list_their_featured_exercises_first(client, featured, path):
    names = card_names(client.get(path, follow=True))

    featured_here = [name for name in ["Pendlay Row", "Deadlift", "Superman"] if name in names]
    assert featured_here
    assert names[: len(featured_here)] == featured_here
    assert names[len(featured_here) :] == sorted(names[len(featured_here) :])


def test_a_to_z_is_a_sort_of_its_own_that_is_not_indexed(client, featured):
    response = client.get("/exercises?sort=name")

    assert response.status_code == 200
    assert card_names(response) == sorted(LIBRARY)
    page = html(response)
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex,follow"
    assert page.find("link", rel="canonical") is None
    hub_sorted = client.get("/exercises/back?sort=name")
    assert (hub_sorted.status_code, hub_sorted["Location"]) == (
        301,
        "/exercises?body_part=back&sort=name",
    )


def test_the_sort_menu_offers_featured_then_the_other_orders(client, featured):
    menu = html(client.get("/exercises")).find("select", id="browse-sort")
    options = [(option["value"], text(option)) for option in menu.find_all("option")]

    assert options == [
        ("", "Featured"),
        ("name", "Name (A–Z)"),
        ("difficulty", "Difficulty"),
        ("recent", "Recently updated"),
    ]
    assert menu.find("option", selected=True)["value"] == ""
    sorted_menu = html(client.get("/exercises?sort=name")).find("select", id="browse-sort")
    assert sorted_menu.find("option", selected=True)["value"] == "name"


def test_a_search_keeps_its_best_match_order(client, featured):
    response = client.get("/exercises?q=row")

    matches = search(Exercise.objects.published(), "row")
    assert card_names(response) == [exercise.name for exercise in matches]
    menu = html(response).find("select", id="browse-sort")
    assert text(menu.find("option", selected=True)) == "Best match"


def test_the_markdown_copy_lists_the_same_order(client, featured):
    markdown = client.get("/exercises.md").content.decode()

    listed = [line.split("](")[0].removeprefix("- [") for line in markdown.splitlines()]
    listed = [name for name in listed if name in LIBRARY]
    assert listed == card_names(client.get("/exercises"))


@pytest.mark.parametrize("sort", ["bogus", "featured", "NAME", ""])
def test_an_unknown_sort_is_not_found_or_redirected(client, featured, sort):
    response = client.get(f"/exercises?sort={sort}")

    if sort:
        assert response.status_code == 404
    else:
        assert (response.status_code, response["Location"]) == (301, "/exercises")


def test_the_featured_order_costs_no_query(
    client, featured, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    for path in ("/exercises", "/exercises?sort=name"):
        client.get(path)
        with django_assert_max_num_queries(BROWSE_BUDGET):
            assert client.get(path).status_code == 200


def test_a_sorted_state_is_cached_and_answers_conditional_requests(
    client, featured, django_assert_max_num_queries
):
    first = client.get("/exercises?sort=name")
    with django_assert_max_num_queries(1):  # the content version only
        again = client.get("/exercises?sort=name")
    assert again.content == first.content
    not_modified = client.get("/exercises?sort=name", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert client.get("/exercises")["ETag"] != first["ETag"]


def test_a_new_rank_is_shown_at_once(client, featured):
    client.get("/exercises")
    exercise = Exercise.objects.get(name="Cat Cow")
    exercise.featured_rank = 1
    exercise.save()

    assert card_names(client.get("/exercises"))[:2] == ["Cat Cow", "Pendlay Row"]


# The rank in the database and the admin.


def test_the_database_refuses_a_rank_below_one(featured):
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(name="Cat Cow").update(featured_rank=0)


def change_url(exercise):
    return reverse("admin:exercises_exercise_change", args=[exercise.pk])


def test_trainers_set_the_rank_on_the_exercise_form(admin_client, featured):
    from test_aliases import alias_post

    exercise = Exercise.objects.get(name="Cat Cow")
    form = html(admin_client.get(change_url(exercise)))
    field = form.find("input", attrs={"name": "featured_rank"})
    assert field is not None
    assert "lead the library and every hub" in text(form.find(id="id_featured_rank_helptext"))

    refused = admin_client.post(
        change_url(exercise), alias_post(exercise, []) | {"featured_rank": "0"}
    )
    assert refused.status_code == 200
    assert "greater than or equal to 1" in refused.content.decode()

    saved = admin_client.post(
        change_url(exercise), alias_post(exercise, []) | {"featured_rank": "3"}
    )
    assert saved.status_code == 302
    exercise.refresh_from_db()
    assert exercise.featured_rank == 3
    changelist = reverse("admin:exercises_exercise_changelist")
    listing = html(admin_client.get(changelist))
    headings = [text(th) for th in listing.select("#result_list thead th")]
    column = headings.index("Featured")
    # Sorting by the column lists the featured set in rank order, the others after it.
    by_rank = html(admin_client.get(f"{changelist}?o={column}"))
    rows = [
        (text(row.select_one("th a")), text(row.select("td")[column - 1]))
        for row in by_rank.select("#result_list tbody tr")
    ]
    assert [rank for _, rank in rows[:4]] == ["1", "2", "2", "3"]
    assert [name for name, _ in rows[:4]][::3] == ["Pendlay Row", "Cat Cow"]
    assert rows[4][1] == "-"  # the admin's mark for an empty value


# The library format.


def test_an_export_carries_the_ranks_and_a_restore_brings_them_back(featured):
    data = export_library()
    ranks = {record["slug"]: record.get("featured_rank") for record in data["exercises"]}
    assert {slug: rank for slug, rank in ranks.items() if rank} == {
        "pendlay-row": 1,
        "superman": 2,
        "deadlift": 2,
    }
    unfeatured = next(record for record in data["exercises"] if record["slug"] == "cat-cow")
    assert "featured_rank" not in unfeatured

    Exercise.objects.all().delete()
    import_library(data)

    assert export_library() == data
    assert Exercise.objects.get(slug="pendlay-row").featured_rank == 1
    assert import_library(data).counts["exercises"]["unchanged"] == len(data["exercises"])


def test_an_import_with_another_rank_is_skipped_unless_update(featured):
    data = export_library()
    record = next(record for record in data["exercises"] if record["slug"] == "pendlay-row")
    del record["featured_rank"]

    plan = import_library(data)
    assert [(change.name, change.fields) for change in plan.changes] == [
        ("Pendlay Row", ("featured_rank",))
    ]
    assert Exercise.objects.get(slug="pendlay-row").featured_rank == 1

    import_library(data, update=True)
    assert Exercise.objects.get(slug="pendlay-row").featured_rank is None


@pytest.mark.parametrize(
    ("rank", "message"),
    [
        (0, "featured_rank: Ensure this value is greater than or equal to 1."),
        ("1", "featured_rank must be a number, not a string"),
        (True, "featured_rank must be a number, not true/false"),
        (1000, "featured_rank: Ensure this value is less than or equal to 999."),
    ],
)
def test_an_import_refuses_a_bad_rank_and_writes_nothing(featured, rank, message):
    data = export_library()
    data["exercises"][0]["featured_rank"] = rank
    Exercise.objects.all().delete()

    with pytest.raises(Exception, match="nothing was imported") as error:
        import_library(data)

    assert message in str(error.value)
    assert not Exercise.objects.exists()


def test_the_free_exercise_db_update_keeps_the_rank(featured):
    record = {
        "name": "Pendlay Row",
        "primaryMuscles": ["middle back"],
        "secondaryMuscles": [],
        "equipment": "barbell",
        "level": "expert",
        "category": "strength",
        "instructions": ["Pull the bar to the chest."],
    }

    import_library([record], update=True)

    assert Exercise.objects.get(slug="pendlay-row").featured_rank == 1


# The starter library's featured exercises.


def seed(*args):
    return command_output("seed_featured", *args)


def test_the_starter_featured_exercises_are_published_starter_exercises():
    from exercises.interchange.free_exercise_db import slug_for

    starter = json.loads((BASE_DIR / "fixtures" / "free-exercise-db.json").read_text())
    slugs = {slug_for(record["name"]) for record in starter}
    featured = json.loads(STARTER_FEATURED.read_text())["featured"]

    assert set(featured) <= slugs
    assert featured[:3] == ["barbell-squat", "barbell-deadlift", "barbell-bench-press-medium-grip"]
    assert 10 <= len(featured) < 24  # a first page that still shows the A–Z rest


def test_seeding_ranks_the_file_once_and_keeps_a_trainers_featured_set(taxonomy):
    squat = make_exercise("Barbell Squat", body_part="legs", muscle="quads")
    deadlift = make_exercise("Barbell Deadlift")
    make_exercise("Plank", status=Exercise.Status.DRAFT)

    first = seed(STARTER_FEATURED)
    squat.refresh_from_db()
    deadlift.refresh_from_db()
    assert (squat.featured_rank, deadlift.featured_rank) == (1, 2)
    assert first.startswith("featured: 2 featured; ")
    assert Exercise.objects.get(slug="plank").featured_rank is None  # drafts are passed over

    # The trainers change the set: seeding again leaves it as they made it.
    Exercise.objects.filter(pk=squat.pk).update(featured_rank=None)
    second = seed(STARTER_FEATURED)
    squat.refresh_from_db()
    assert squat.featured_rank is None
    assert second == "featured: the library has featured exercises already; kept\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"format": "forge-featured-exercises", "version": 1, "featured": "squat"}, "a list"),
        ({"format": "forge-featured-exercises", "version": 1, "featured": [1]}, "a slug"),
        ({"format": "x", "version": 1, "featured": []}, "not a featured list"),
        (
            {"format": "forge-featured-exercises", "version": 1, "featured": ["a", "a"]},
            'featured[1]: "a" is listed twice',
        ),
    ],
)
def test_a_bad_featured_file_is_refused_with_its_problem(tmp_path, taxonomy, content, message):
    make_exercise("Barbell Squat", body_part="legs", muscle="quads")
    path = tmp_path / "featured.json"
    path.write_text(json.dumps(content))

    with pytest.raises(CommandError) as error:
        seed(path)
    assert message in str(error.value)
    assert not Exercise.objects.filter(featured_rank__isnull=False).exists()

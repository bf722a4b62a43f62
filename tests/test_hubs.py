"""Hub pages: the library with one facet fixed, an intro, and the other facets still offered.

Counts refer to the library fixture described in tests/factories.py.
"""

import pytest
from factories import card_names, html, make_exercise, text

from exercises.models import BodyPart, Category, Difficulty, Equipment, Exercise, Muscle


def breadcrumb(response):
    """[(name, href or None)] of the breadcrumb trail."""
    trail = html(response).find("nav", class_="breadcrumb")
    return [(text(item), item.a["href"] if item.a else None) for item in trail.find_all("li")]


def facet_labels(response):
    return [text(h3) for h3 in html(response).select("#filters section.facet h3")]


HUBS = [
    # (path, model, slug, heading, exercises)
    (
        "/exercises/back",
        BodyPart,
        "back",
        "Back Exercises",
        [
            "Barbell Row",
            "Cat Cow",
            "Deadlift",
            "Good Morning",
            "Pendlay Row",
            "Rack Pull",
            "Superman",
        ],
    ),
    (
        "/exercises/beginner",
        Difficulty,
        "beginner",
        "Beginner Exercises",
        ["Cat Cow", "Goblet Squat", "Push Up", "Step Up", "Superman"],
    ),
    (
        "/exercises/equipment/dumbbell",
        Equipment,
        "dumbbell",
        "Dumbbell Exercises",
        ["Dumbbell Lunge", "Goblet Squat", "Romanian Deadlift", "Step Up"],
    ),
    (
        "/exercises/muscle/quads",
        Muscle,
        "quads",
        "Quad Exercises",
        ["Dumbbell Lunge", "Goblet Squat", "Step Up"],
    ),
    (
        "/exercises/category/powerlifting",
        Category,
        "powerlifting",
        "Powerlifting Exercises",
        ["Bench Press", "Deadlift", "Rack Pull"],
    ),
]


@pytest.mark.parametrize(("path", "model", "slug", "heading", "names"), HUBS)
def test_a_hub_lists_its_published_exercises_under_its_intro(
    client, library, path, model, slug, heading, names
):
    model.objects.filter(slug=slug).update(intro="Written by a trainer for this hub.")

    response = client.get(path)

    assert response.status_code == 200
    page = html(response)
    assert text(page.h1) == heading
    assert text(page.select_one(".page-head .lead")) == "Written by a trainer for this hub."
    assert text(page.select_one(".result-count")) == f"{len(names)} exercises"
    assert card_names(response) == names
    assert breadcrumb(response) == [
        ("Exercises", "/exercises"),
        (model.objects.get(slug=slug).name, None),  # the value's name: “Quads”
    ]
    assert text(page.title).startswith(heading)


@pytest.mark.parametrize(("path", "model", "slug", "heading", "names"), HUBS)
def test_a_hub_keeps_every_facet_available(client, library, path, model, slug, heading, names):
    response = client.get(path)

    assert facet_labels(response) == [
        "Body part",
        "Equipment",
        "Target muscle",
        "Works muscle",
        "Difficulty",
        "Category",
    ]


def test_a_hub_counts_the_other_facets_within_itself(client, library):
    page = html(client.get("/exercises/back"))

    equipment = page.select("#filters section.facet")[1]
    counts = {
        a.select_one(".facet__name").find(string=True, recursive=False).strip(): text(
            a.select_one(".facet__count")
        )
        for a in equipment.find_all("a")
    }
    assert counts == {"Barbell": "5", "Body Weight": "2"}


def test_a_hub_without_an_intro_shows_no_empty_paragraph(client, library):
    BodyPart.objects.filter(slug="chest").update(intro="")

    page = html(client.get("/exercises/chest"))

    assert page.select_one(".page-head .lead") is None
    assert "None" not in text(page.find("main"))


def test_a_hub_with_no_exercises_yet_says_so(client, library):
    response = client.get("/exercises/neck")

    assert response.status_code == 200
    assert text(html(response).select_one(".result-count")) == "0 exercises"
    assert card_names(response) == []


def test_a_difficulty_and_a_body_part_share_the_hub_namespace(client, library):
    assert text(html(client.get("/exercises/advanced")).h1) == "Advanced Exercises"
    assert text(html(client.get("/exercises/arms")).h1) == "Arm Exercises"


# Combination hubs: a body part with one equipment, when there are at least five.


def test_a_combination_hub_lists_its_exercises(client, library):
    response = client.get("/exercises/back/barbell")

    assert response.status_code == 200
    page = html(response)
    assert text(page.h1) == "Barbell Back Exercises"
    assert text(page.select_one(".page-head .lead")) == (
        "Back exercises you can do with barbell, each with the muscles it works."
    )
    assert card_names(response) == [
        "Barbell Row",
        "Deadlift",
        "Good Morning",
        "Pendlay Row",
        "Rack Pull",
    ]
    assert breadcrumb(response) == [
        ("Exercises", "/exercises"),
        ("Back", "/exercises/back"),
        ("Barbell", None),
    ]
    assert page.find("meta", attrs={"name": "robots"}) is None


def test_a_combination_hub_needs_five_published_exercises(client, library):
    # Legs with dumbbell: four published exercises and a draft.
    assert client.get("/exercises/legs/dumbbell").status_code == 404
    assert client.get("/exercises?body_part=legs&equipment=dumbbell").status_code == 200

    draft = library["Bulgarian Split Squat"]
    draft.status = Exercise.Status.PUBLISHED
    draft.save()

    assert client.get("/exercises/legs/dumbbell").status_code == 200
    response = client.get("/exercises?body_part=legs&equipment=dumbbell")
    assert response.status_code == 301
    assert response["Location"] == "/exercises/legs/dumbbell"


def test_a_combination_hub_is_gone_once_it_drops_below_five(client, library):
    deadlift = library["Deadlift"]
    deadlift.status = Exercise.Status.DRAFT
    deadlift.save()

    assert client.get("/exercises/back/barbell").status_code == 404
    assert client.get("/exercises/back/barbell.md").status_code == 404
    assert client.get("/exercises?body_part=back&equipment=barbell").status_code == 200


def test_hubs_link_to_their_combination_hubs(client, library):
    page = html(client.get("/exercises/equipment/barbell"))

    hrefs = {a["href"] for a in page.select("#filters a")}
    assert "/exercises/back/barbell" in hrefs
    assert "/exercises?body_part=chest&equipment=barbell" in hrefs


def test_a_body_part_with_enough_exercises_for_an_equipment_gets_a_combination(client, taxonomy):
    for number in range(5):
        make_exercise(
            f"Kettlebell Swing {number}", body_part="legs", equipment="kettlebell", muscle="glutes"
        )

    response = client.get("/exercises/legs/kettlebell")

    assert response.status_code == 200
    assert text(html(response).h1) == "Kettlebell Leg Exercises"

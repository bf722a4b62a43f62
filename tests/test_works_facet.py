"""The muscles an exercise works (?works=…): its target or a secondary muscle, counted exactly,
linked from the muscle hubs and from empty states, always a query state (noindex).

The starter library's figures are computed here from fixtures/free-exercise-db.json itself, so
the pages are checked against the source, not against the code that counts them.
"""

import json
from pathlib import Path

import pytest
from factories import card_names, html, make_exercise, text

from exercises.interchange.importer import import_library

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STARTER = json.loads((FIXTURES / "free-exercise-db.json").read_text(encoding="utf-8"))


def works(item, muscle):
    return muscle in item["primaryMuscles"] + item["secondaryMuscles"]


def starter_names(condition):
    return sorted(item["name"] for item in STARTER if condition(item))


@pytest.fixture
def lower_back_starters(taxonomy):
    """The starter exercises that work the lower back, and every dumbbell one (so that the
    dumbbell hub and its facet counts are real), published as the starter library is."""
    chosen = [i for i in STARTER if works(i, "lower back") or i["equipment"] == "dumbbell"]
    import_library(chosen, status="published")


def facet_counts(response, label):
    for section in html(response).select("section.facet"):
        if text(section.h3) == label:
            return {
                text(a.select_one(".facet__name")).removesuffix(
                    " (selected, select to remove)"
                ): int(text(a.select_one(".facet__count")))
                for a in section.find_all("a")
            }
    return {}


def result_count(response):
    return int(text(html(response).select_one(".result-count strong")))


def test_the_lower_back_with_dumbbells_lists_every_starter_exercise_working_it(
    client, lower_back_starters
):
    expected = starter_names(
        lambda item: works(item, "lower back") and item["equipment"] == "dumbbell"
    )
    assert len(expected) >= 5

    # The visitor's way there: the muscle hub, its link to the exercises working the muscle,
    # then Dumbbell in the sidebar, with the count it leads to.
    hub = html(client.get("/exercises/muscle/lower-back"))
    working = client.get(hub.select_one(".also-works a")["href"])
    dumbbell = next(a for a in html(working).select(".facet a") if "Dumbbell" in text(a))
    assert int(text(dumbbell.select_one(".facet__count"))) == len(expected)
    response = client.get(dumbbell["href"])
    assert response.status_code == 200
    assert card_names(response) == expected
    assert result_count(response) == len(expected)

    # Asked for directly, the exercises *targeting* it with dumbbells are few or none: the
    # page leads to those that work it, with the same exact count.
    state = client.get("/exercises?muscle=lower-back&equipment=dumbbell")
    targeting = starter_names(
        lambda item: item["primaryMuscles"][0] == "lower back" and item["equipment"] == "dumbbell"
    )
    assert result_count(state) == len(targeting)
    wider = html(state).select_one(".also-works a, .empty .suggestions a")
    assert wider["href"] == dumbbell["href"] == "/exercises?equipment=dumbbell&works=lower-back"
    assert str(len(expected)) in text(wider.parent)


def test_a_muscle_hub_links_every_exercise_that_works_the_muscle(client, lower_back_starters):
    working = starter_names(lambda item: works(item, "lower back"))

    page = html(client.get("/exercises/muscle/lower-back"))

    link = page.select_one(".also-works a")
    assert text(link) == f"{len(working)} exercises work the lower back"
    assert link["href"] == "/exercises?works=lower-back"
    assert link["rel"] == ["nofollow"]
    response = client.get(link["href"])
    assert result_count(response) == len(working)
    assert facet_counts(response, "Works muscle")["Lower Back"] == len(working)
    markdown = client.get("/exercises/muscle/lower-back.md").content.decode()
    assert f"[{len(working)} exercises work the lower back](" in markdown


def test_works_counts_each_exercise_once_per_muscle(client, taxonomy):
    # A secondary muscle equal to the target (the admin does not forbid it) counts once.
    make_exercise("Back Extension", muscle="lower-back", secondary=["lower-back", "glutes"])
    make_exercise("Romanian Deadlift", muscle="hamstrings", secondary=["lower-back", "glutes"])
    make_exercise("Hip Thrust", muscle="glutes")

    response = client.get("/exercises")

    assert facet_counts(response, "Works muscle") == {
        "Glutes": 3,
        "Hamstrings": 1,
        "Lower Back": 2,
    }
    assert facet_counts(response, "Target muscle") == {
        "Glutes": 1,
        "Hamstrings": 1,
        "Lower Back": 1,
    }
    glutes = client.get("/exercises?works=glutes")
    assert card_names(glutes) == ["Back Extension", "Hip Thrust", "Romanian Deadlift"]
    both = client.get("/exercises?works=lower-back&works=hamstrings")  # OR within a facet
    assert card_names(both) == ["Back Extension", "Romanian Deadlift"]


def test_a_works_state_is_a_noindex_query_state_with_one_address(client, taxonomy):
    make_exercise("Romanian Deadlift", muscle="hamstrings", secondary=["lower-back"])

    response = client.get("/exercises?works=lower-back")
    page = html(response)

    assert response.status_code == 200
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex,follow"
    assert page.find("link", rel="canonical") is None  # as for every query state
    assert text(page.h1) == "Exercise Library"
    # Another spelling of the state answers 301 to its one address; unknown values 404.
    reordered = client.get("/exercises?q=&works=lower-back")
    assert reordered.status_code == 301
    assert reordered["Location"] == "/exercises?works=lower-back"
    assert client.get("/exercises?works=no-such-muscle").status_code == 404
    assert client.get("/exercises?works=Lower%20Back").status_code == 404


def test_the_sitemap_and_llms_txt_list_no_works_state(client, taxonomy):
    make_exercise("Romanian Deadlift", muscle="hamstrings", secondary=["lower-back"])

    sitemap = client.get("/sitemap-hubs.xml").content.decode()
    llms = client.get("/llms.txt").content.decode()

    assert "works=" not in sitemap and "works=" not in llms
    assert "/exercises/muscle/hamstrings" in sitemap

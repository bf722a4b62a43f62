"""A browse state without results never ends the visit: it names the filter to change and links
each state one filter away that has results, with its exact count.

Counts refer to the library fixture described in tests/factories.py.
"""

import pytest
from factories import card_names, html, make_exercise, text


def suggestions(response):
    """(link text, address, count) of each suggestion, in the page's order."""
    return [
        (text(li.a), li.a["href"], int(text(li).rsplit(":", 1)[1].split()[0]))
        for li in html(response).select(".empty .suggestions li")
    ]


def test_an_empty_state_links_each_state_one_filter_away_with_results(client, library):
    response = client.get("/exercises?body_part=chest&equipment=dumbbell&difficulty=intermediate")

    assert response.status_code == 200
    assert card_names(response) == []
    empty = html(response).select_one(".empty")
    assert text(empty.h3) == "No exercises match all of these filters"
    # Most results first; chest exercises with dumbbells are none at any difficulty.
    found = suggestions(response)
    assert found == [
        ("Drop body part: Chest", "/exercises?equipment=dumbbell&difficulty=intermediate", 2),
        ("Drop equipment: Dumbbell", "/exercises?body_part=chest&difficulty=intermediate", 1),
    ]
    for label, url, count in found:
        assert len(card_names(client.get(url))) == count, label
    assert [a["rel"] for a in empty.select(".suggestions a")] == [["nofollow"], ["nofollow"]]


def test_each_filter_to_drop_is_named_with_the_exact_count(client, taxonomy):
    make_exercise("Goblet Squat", body_part="legs", equipment="dumbbell", muscle="quads")
    make_exercise("Air Squat", body_part="legs", equipment="bodyweight", muscle="quads")
    make_exercise("Push-Up", body_part="chest", equipment="bodyweight", muscle="chest")
    make_exercise("Floor Press", body_part="chest", equipment="dumbbell", muscle="chest")
    make_exercise("Bench Press", body_part="chest", equipment="barbell", muscle="chest")

    response = client.get("/exercises?body_part=legs&equipment=barbell")

    assert suggestions(response) == [
        ("Drop equipment: Barbell", "/exercises/legs", 2),
        ("Drop body part: Legs", "/exercises/equipment/barbell", 1),
    ]
    markdown = client.get("/exercises.md?body_part=legs&equipment=barbell").content.decode()
    assert "- Drop equipment: Barbell: [2 exercises](http://testserver/exercises/legs)" in (
        markdown.replace("http://127.0.0.1:8000", "http://testserver")
    )


def test_a_target_muscle_is_widened_to_the_muscles_worked_first(client, taxonomy):
    make_exercise(
        "Romanian Deadlift", equipment="dumbbell", muscle="hamstrings", secondary=["lower-back"]
    )
    make_exercise("Back Extension", equipment="bodyweight", muscle="lower-back")

    response = client.get("/exercises?muscle=lower-back&equipment=dumbbell")

    assert suggestions(response) == [
        (
            "Widen to exercises that work the lower back, not only target it",
            "/exercises?equipment=dumbbell&works=lower-back",
            1,
        ),
        # Ties in the sidebar's order.
        ("Drop equipment: Dumbbell", "/exercises/muscle/lower-back", 1),
        ("Drop target muscle: Lower Back", "/exercises/equipment/dumbbell", 1),
    ]
    assert card_names(client.get("/exercises?equipment=dumbbell&works=lower-back")) == [
        "Romanian Deadlift"
    ]


def test_a_search_without_match_offers_the_state_without_it(client, library):
    response = client.get("/exercises?q=zzzz&equipment=barbell")

    assert suggestions(response) == [
        ("Drop the search “zzzz”", "/exercises/equipment/barbell", 6),
    ]


def test_with_no_state_nearby_the_whole_library_is_offered(client, library):
    # No advanced chest or advanced dumbbell exercise, and no chest one with dumbbells.
    response = client.get("/exercises?body_part=chest&equipment=dumbbell&difficulty=advanced")
    empty = html(response).select_one(".empty")

    assert suggestions(response) == []
    assert [a["href"] for a in empty.find_all("a")] == ["/exercises"]


@pytest.mark.parametrize(
    "path",
    [
        "/exercises?muscle=neck&equipment=dumbbell&q=row",
        "/exercises.md?works=neck&body_part=legs",
        "/exercises/neck",
    ],
)
def test_empty_states_answer_within_a_bounded_number_of_queries(
    client, library, settings, path, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(path)
    # The browse page's 10, plus one COUNT per suggestion that the facet counts do not give.
    with django_assert_max_num_queries(13):
        response = client.get(path)
    assert response.status_code == 200


def test_unknown_values_and_pages_in_an_empty_state_still_answer_404(client, library):
    assert client.get("/exercises?works=nope&equipment=dumbbell").status_code == 404
    assert client.get("/exercises?body_part=chest&equipment=dumbbell&page=2").status_code == 404

"""The faceted browse: counts under combined filters, facet links, search, sort and paging.

Counts refer to the library fixture described in tests/factories.py.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from factories import DRAFTS, LIBRARY, card_names, html, make_exercise, text

from exercises.models import Exercise

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def option_name(link):
    """A facet link's value name, without the words only screen readers hear."""
    return link.select_one(".facet__name").find(string=True, recursive=False).strip()


def facets(response):
    """{facet label: {value name: count}} as the sidebar offers them."""
    sidebar = html(response).find("aside", id="filters")
    return {
        text(section.h3): {
            option_name(link): int(text(link.select_one(".facet__count")))
            for link in section.find_all("a")
        }
        for section in sidebar.select("section.facet")
    }


def facet_links(response, label):
    """{value name: <a>} of one sidebar facet."""
    sidebar = html(response).find("aside", id="filters")
    for section in sidebar.select("section.facet"):
        if text(section.h3) == label:
            return {option_name(link): link for link in section.find_all("a")}
    return {}


def result_count(response):
    return text(html(response).select_one(".result-count"))


def test_the_library_counts_every_published_exercise(client, library):
    response = client.get("/exercises")

    assert result_count(response) == "13 exercises"
    assert card_names(response) == sorted(LIBRARY)
    assert facets(response) == {
        "Body part": {"Back": 7, "Chest": 2, "Legs": 4},
        "Equipment": {"Barbell": 6, "Body Weight": 3, "Dumbbell": 4},
        "Target muscle": {
            "Chest": 2,
            "Hamstrings": 1,
            "Lower Back": 5,
            "Quads": 3,
            "Upper Back": 2,
        },
        # The library has no secondary muscles: the muscles worked are the targets.
        "Works muscle": {
            "Chest": 2,
            "Hamstrings": 1,
            "Lower Back": 5,
            "Quads": 3,
            "Upper Back": 2,
        },
        "Difficulty": {"Beginner": 5, "Intermediate": 6, "Advanced": 2},
        "Category": {"Mobility": 1, "Powerlifting": 3, "Strength": 9},
    }


def test_facet_counts_ignore_their_own_selection_and_respect_the_others(client, library):
    response = client.get("/exercises?body_part=back&difficulty=intermediate")

    assert response.status_code == 200
    assert card_names(response) == ["Barbell Row", "Good Morning", "Rack Pull"]
    assert result_count(response) == "3 exercises"
    assert facets(response) == {
        # Intermediate exercises per body part.
        "Body part": {"Back": 3, "Chest": 1, "Legs": 2},
        # Back exercises per difficulty.
        "Difficulty": {"Beginner": 2, "Intermediate": 3, "Advanced": 2},
        # Both selections apply to the facets nobody selected.
        "Equipment": {"Barbell": 3},
        "Target muscle": {"Lower Back": 2, "Upper Back": 1},
        "Works muscle": {"Lower Back": 2, "Upper Back": 1},
        "Category": {"Powerlifting": 1, "Strength": 2},
    }


def test_values_of_one_facet_combine_with_or_facets_with_and(client, library):
    response = client.get("/exercises?body_part=back&body_part=chest&difficulty=intermediate")

    assert card_names(response) == ["Barbell Row", "Bench Press", "Good Morning", "Rack Pull"]
    counts = facets(response)
    assert counts["Body part"] == {"Back": 3, "Chest": 1, "Legs": 2}
    assert counts["Difficulty"] == {"Beginner": 3, "Intermediate": 4, "Advanced": 2}
    assert counts["Equipment"] == {"Barbell": 4}
    assert counts["Target muscle"] == {"Chest": 1, "Lower Back": 2, "Upper Back": 1}


def test_facet_counts_respect_the_search(client, library):
    response = client.get("/exercises?q=row")

    assert card_names(response) == ["Barbell Row", "Pendlay Row"]
    assert facets(response) == {
        "Body part": {"Back": 2},
        "Equipment": {"Barbell": 2},
        "Target muscle": {"Upper Back": 2},
        "Works muscle": {"Upper Back": 2},
        "Difficulty": {"Intermediate": 1, "Advanced": 1},
        "Category": {"Strength": 2},
    }


def test_values_with_no_results_are_not_links(client, library):
    response = client.get("/exercises?body_part=back&difficulty=intermediate")
    page = html(response)

    sidebar_text = text(page.find("aside", id="filters"))
    for absent in ("Dumbbell", "Body Weight", "Quads", "Mobility", "Neck", "Cardio"):
        assert absent not in sidebar_text
    # Nothing in the library uses these values: no link anywhere in the sidebar.
    hrefs = [a["href"] for a in page.find("aside", id="filters").find_all("a")]
    assert not [href for href in hrefs if "neck" in href or "kettlebell" in href]


def test_a_selected_value_links_to_the_state_without_it(client, library):
    response = client.get("/exercises?body_part=back&difficulty=intermediate")

    back = facet_links(response, "Body part")["Back"]
    assert back["href"] == "/exercises/intermediate"
    assert back["aria-current"] == "true"
    assert "is-selected" in back["class"]
    assert "(selected, select to remove)" in text(back)
    intermediate = facet_links(response, "Difficulty")["Intermediate"]
    assert intermediate["href"] == "/exercises/back"
    legs = facet_links(response, "Body part")["Legs"]
    assert not legs.get("aria-current")
    assert "selected" not in text(legs)

    chips = {text(a): a["href"] for a in html(response).select(".chips a")}
    assert chips == {
        "Body part: Back × (remove)": "/exercises/intermediate",
        "Difficulty: Intermediate × (remove)": "/exercises/back",
        "Clear all": "/exercises",
    }


def test_a_selected_value_without_results_can_still_be_removed(client, library):
    response = client.get("/exercises?body_part=chest&equipment=dumbbell")

    assert result_count(response) == "0 exercises"
    assert card_names(response) == []
    assert "No exercises match all of these filters" in text(html(response))
    chest = facet_links(response, "Body part")["Chest"]
    assert chest["href"] == "/exercises/equipment/dumbbell"
    dumbbell = facet_links(response, "Equipment")["Dumbbell"]
    assert dumbbell["href"] == "/exercises/chest"


def test_unselected_values_link_to_the_state_with_them(client, library):
    response = client.get("/exercises/back")

    equipment = {name: a["href"] for name, a in facet_links(response, "Equipment").items()}
    assert equipment == {
        "Barbell": "/exercises/back/barbell",  # a combination hub
        "Body Weight": "/exercises?body_part=back&equipment=bodyweight",
    }
    body_parts = {name: a["href"] for name, a in facet_links(response, "Body part").items()}
    assert body_parts["Legs"] == "/exercises?body_part=back&body_part=legs"


@pytest.mark.parametrize(
    "path",
    ["/exercises", "/exercises/back", "/exercises?body_part=back&difficulty=intermediate"],
)
def test_links_to_unindexed_filter_states_are_nofollow(client, library, path):
    page = html(client.get(path))

    links = page.select("#filters a") + page.select(".chips a")
    assert links
    for link in links:
        indexable = "?" not in link["href"]
        assert ("nofollow" not in link.get("rel", [])) == indexable, link


def test_a_filtered_state_is_not_indexed_but_a_hub_is(client, library):
    filtered = html(client.get("/exercises?body_part=back&difficulty=intermediate"))
    hub = html(client.get("/exercises/back"))

    assert filtered.find("meta", attrs={"name": "robots"})["content"] == "noindex,follow"
    assert hub.find("meta", attrs={"name": "robots"}) is None


# Search.


@pytest.mark.parametrize("q", ["row", "ROW", "Row", "  row  "])
def test_search_matches_names_without_regard_to_case(client, library, q):
    response = client.get("/exercises", {"q": q}, follow=True)

    assert card_names(response) == ["Barbell Row", "Pendlay Row"]


def test_search_matches_the_quick_answer(client, library):
    make_exercise(
        "Bird Dog", muscle="abs", body_part="core", quick_answer="An Anti-Rotation drill."
    )

    response = client.get("/exercises", {"q": "anti-rotation"})

    assert card_names(response) == ["Bird Dog"]


def test_every_word_of_a_search_must_match(client, library):
    assert card_names(client.get("/exercises", {"q": "barbell row"})) == ["Barbell Row"]
    assert card_names(client.get("/exercises", {"q": "bench press"})) == ["Bench Press"]
    # One word in the name, one in the quick answer (“The pendlay row is a staple movement.”).
    assert card_names(client.get("/exercises", {"q": "pendlay staple"})) == ["Pendlay Row"]


@pytest.mark.skipif(
    ON_POSTGRESQL,
    reason="By design, PostgreSQL search is ranked and typo-tolerant (pg_trgm word similarity): "
    "a name close to one of the words still matches, best matches first (tests/test_search.py).",
)
@pytest.mark.parametrize("q", ["goblet press", "squat bench", "row deadlift"])
def test_a_word_that_matches_nothing_leaves_no_results(client, library, q):
    response = client.get("/exercises", {"q": q})

    assert response.status_code == 200
    assert card_names(response) == []
    assert result_count(response) == "0 exercises"


def test_search_combines_with_filters(client, library):
    response = client.get("/exercises", {"q": "row", "difficulty": "advanced"})

    assert card_names(response) == ["Pendlay Row"]


def test_search_is_shown_as_a_removable_filter(client, library):
    response = client.get("/exercises", {"q": "row", "difficulty": "advanced"})
    page = html(response)

    assert page.find("input", id="browse-q")["value"] == "row"
    chips = {text(a): a["href"] for a in page.select(".chips a")}
    assert chips["Search: row × (remove)"] == "/exercises/advanced"


# Sort.


def test_without_featured_exercises_the_library_is_sorted_by_name(client, library):
    assert card_names(client.get("/exercises")) == sorted(LIBRARY)
    assert card_names(client.get("/exercises?sort=name")) == sorted(LIBRARY)


def test_sort_by_difficulty_goes_from_beginner_to_advanced(client, library):
    response = client.get("/exercises?sort=difficulty")

    assert card_names(response) == [
        "Cat Cow",
        "Goblet Squat",
        "Push Up",
        "Step Up",
        "Superman",
        "Barbell Row",
        "Bench Press",
        "Dumbbell Lunge",
        "Good Morning",
        "Rack Pull",
        "Romanian Deadlift",
        "Deadlift",
        "Pendlay Row",
    ]


def test_sort_by_recent_puts_the_latest_update_first(client, library):
    now = timezone.now()
    Exercise.objects.update(updated=now - timedelta(days=30))
    Exercise.objects.filter(name="Step Up").update(updated=now)
    Exercise.objects.filter(name="Deadlift").update(updated=now - timedelta(days=1))

    response = client.get("/exercises?sort=recent&body_part=legs&body_part=back")

    assert card_names(response)[:3] == ["Step Up", "Deadlift", "Barbell Row"]


def test_sort_keeps_the_filters(client, library):
    response = client.get("/exercises?sort=difficulty&body_part=back")

    assert card_names(response) == [
        "Cat Cow",
        "Superman",
        "Barbell Row",
        "Good Morning",
        "Rack Pull",
        "Deadlift",
        "Pendlay Row",
    ]
    hidden = {
        i["name"]: i["value"] for i in html(response).select("form.toolbar input[type=hidden]")
    }
    assert hidden == {"body_part": "back"}


# Pagination.


@pytest.fixture
def thirty_beginner_back_exercises(taxonomy):
    for number in range(30):
        make_exercise(f"Back Move {number:02}", equipment="barbell", category="strength")
    make_exercise("Back Move Draft", status=Exercise.Status.DRAFT)


def test_pagination_keeps_the_filters(client, thirty_beginner_back_exercises):
    first = client.get("/exercises?body_part=back&difficulty=beginner")
    page = html(first)

    assert len(card_names(first)) == 24
    assert result_count(first) == "30 exercises · page 1 of 2"
    next_link = page.find("a", rel="next")
    assert text(next_link) == "Next →"
    query = parse_qs(urlsplit(next_link["href"]).query)
    assert query == {"body_part": ["back"], "difficulty": ["beginner"], "page": ["2"]}
    assert page.find("a", rel="prev") is None

    second = client.get(next_link["href"])
    assert second.status_code == 200
    assert card_names(second) == [f"Back Move {number:02}" for number in range(24, 30)]
    assert html(second).find("a", rel="next") is None
    previous = html(second).find("a", rel="prev")
    assert parse_qs(urlsplit(previous["href"]).query) == {
        "body_part": ["back"],
        "difficulty": ["beginner"],
    }


def test_a_hub_pages_through_its_exercises(client, thirty_beginner_back_exercises):
    first = client.get("/exercises/back")
    assert html(first).find("a", rel="next")["href"] == "/exercises/back?page=2"

    second = client.get("/exercises/back?page=2")
    assert second.status_code == 200
    assert len(card_names(second)) == 6
    assert "Page 2" in text(html(second).title)
    assert html(second).find("link", rel="canonical")["href"].endswith("/exercises/back?page=2")

    assert client.get("/exercises/back?page=3").status_code == 404


def test_the_previous_link_to_the_first_page_is_the_plain_address(
    client, thirty_beginner_back_exercises
):
    second = client.get("/exercises/back?page=2")

    assert html(second).find("a", rel="prev")["href"] == "/exercises/back"


# Drafts and cards.


@pytest.mark.parametrize(
    "path",
    [
        "/exercises",
        "/exercises/back",
        "/exercises/legs",
        "/exercises/equipment/dumbbell",
        "/exercises/back/barbell",
        "/exercises/beginner",
        "/exercises/advanced",
        "/exercises/muscle/quads",
        "/exercises?body_part=legs&equipment=dumbbell",
        "/exercises?q=squat",
        "/exercises?q=hidden",
        "/exercises.md",
        "/exercises/back.md",
        "/exercise/good-morning",
    ],
)
def test_drafts_never_appear(client, library, path):
    response = client.get(path)

    assert response.status_code == 200
    for draft in DRAFTS:
        assert draft not in response.content.decode()


def test_drafts_do_not_count(client, library):
    # Legs: 4 published and a draft; advanced: 2 published and 2 drafts.
    counts = facets(client.get("/exercises"))

    assert counts["Body part"]["Legs"] == 4
    assert counts["Difficulty"]["Advanced"] == 2
    assert result_count(client.get("/exercises?body_part=legs&equipment=dumbbell")) == (
        "4 exercises"
    )
    assert result_count(client.get("/exercises?q=hidden")) == "0 exercises"


def test_a_result_card_shows_the_exercise_and_links_to_it(client, library):
    page = html(client.get("/exercises/advanced"))

    cards = {text(card.select_one(".card__title")): card for card in page.select(".cards .card")}
    assert set(cards) == {"Deadlift", "Pendlay Row"}
    deadlift = cards["Deadlift"]
    assert deadlift.select_one(".card__title a")["href"] == "/exercise/deadlift"
    facts = {text(dt): text(dt.find_next_sibling("dd")) for dt in deadlift.find_all("dt")}
    assert facts == {"Target": "Lower Back", "Equipment": "Barbell", "Level": "Advanced"}

"""The filter panel: before the results in the page (a phone shows it first, collapsed), with
the number of active filters on its toggle, and usable without any script."""

import pytest
from factories import html, text
from test_query_budgets import BROWSE_BUDGET


def panel(response):
    return html(response).select_one("main details.filter-panel")


def toggle(response):
    return text(panel(response).find("summary", recursive=False))


@pytest.mark.parametrize(
    "path",
    [
        "/exercises",
        "/exercises/back",
        "/exercises/back/barbell",
        "/exercises?body_part=legs&equipment=dumbbell",
        "/exercises?q=row",
        "/exercises/neck",  # no results: the filters are still first
    ],
)
def test_the_filter_panel_comes_before_the_results(client, library, path):
    page = html(client.get(path))

    found = page.select("main details.filter-panel, main .browse__results, main .cards")
    assert [element.name for element in found][0] == "details"
    details = found[0]
    assert not details.has_attr("open")  # collapsed until the visitor opens it
    assert details.find(True, recursive=False).name == "summary"
    assert details.select("#filters a.facet__option")  # the facet links are inside it
    assert page.find(string="Jump to filters") is None


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/exercises", "Filters"),
        ("/exercises?q=row", "Filters"),  # the search is in its own box, not a filter
        ("/exercises/back", "Filters (1)"),
        ("/exercises/back/barbell", "Filters (2)"),
        ("/exercises?body_part=back&equipment=barbell&equipment=dumbbell", "Filters (3)"),
        ("/exercises?body_part=back&difficulty=beginner&sort=name&q=row", "Filters (2)"),
    ],
)
def test_the_toggle_counts_the_active_filters(client, library, path, label):
    response = client.get(path)

    assert toggle(response) == label
    chips = html(response).select(".chips a:not(.chip--clear)")
    facet_chips = [chip for chip in chips if not text(chip).startswith("Search:")]
    assert len(facet_chips) == int(label.strip("Filters ()") or 0)


def test_the_panel_needs_no_script_and_its_links_are_plain_addresses(client, library):
    response = client.get("/exercises/back")
    details = panel(response)

    assert not details.find_all(["script", "button", "input"])
    assert not [tag for tag in details.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    links = {text(a.select_one(".facet__name")): a["href"] for a in details.select("a")}
    assert links["Back (selected, select to remove)"] == "/exercises"
    assert client.get(links["Legs"]).status_code == 200


def test_the_panel_costs_no_query(client, library, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/exercises?body_part=back&difficulty=intermediate")
    with django_assert_max_num_queries(BROWSE_BUDGET):
        response = client.get("/exercises?body_part=back&difficulty=intermediate")
    assert toggle(response) == "Filters (2)"


@pytest.mark.parametrize("path", ["/exercises?body_part=nowhere", "/exercises/back?page=abc"])
def test_an_unknown_state_is_not_found_without_a_panel(client, library, path):
    response = client.get(path)

    assert response.status_code == 404
    assert html(response).select_one("details.filter-panel") is None

"""Counts many browse pages share (exercises/shared_counts.py): computed once per content
version, never older than the last change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import html, make_exercise, text

from exercises.caching import content_changed
from exercises.models import Exercise


@pytest.fixture
def uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


def counting_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return response, [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]


def result_count(response):
    return text(html(response).select_one(".result-count"))


def body_part_counts(response):
    sidebar = html(response).find("aside", id="filters")
    section = sidebar.select("section.facet")[0]
    return {
        link.select_one(".facet__name").find(string=True, recursive=False).strip(): int(
            text(link.select_one(".facet__count"))
        )
        for link in section.find_all("a")
    }


def test_the_library_and_a_hubs_own_facet_count_once_per_content_version(client, uncached, library):
    first, counted = counting_queries(client, "/exercises")
    assert counted  # the first page after a change counts

    again, counted_again = counting_queries(client, "/exercises?sort=name")
    assert counted_again == []
    assert body_part_counts(again) == body_part_counts(first)

    # A hub's own facet is counted without its own filter: the library's counts.
    hub, _ = counting_queries(client, "/exercises/back")
    assert body_part_counts(hub) == body_part_counts(first) == {"Back": 7, "Chest": 2, "Legs": 4}


def test_a_change_is_counted_on_the_very_next_page(client, uncached, library):
    client.get("/exercises")
    make_exercise("Back Extension", body_part="back")  # a save replaces the content version

    response = client.get("/exercises")
    assert result_count(response) == "14 exercises"
    assert body_part_counts(response)["Back"] == 8
    assert "Back Extension" in text(html(client.get("/exercises/back")))


def test_a_write_on_another_app_server_is_seen_through_the_database_version(
    client, uncached, library
):
    """Another server's write reaches this process only through the database: the version
    it replaced there, which every page reads before using what this process kept."""
    client.get("/exercises")
    Exercise.objects.filter(name="Deadlift").update(status=Exercise.Status.DRAFT)
    content_changed()  # what the other server's save did in its transaction

    response = client.get("/exercises")
    assert result_count(response) == "12 exercises"
    assert body_part_counts(client.get("/exercises/legs"))["Back"] == 6

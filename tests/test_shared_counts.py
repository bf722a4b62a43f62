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


STATES = [
    {"body_part": ["back"]},
    {"muscle": ["lower-back"]},
    {"works": ["lower-back"]},
    {"muscle": ["lower-back"], "works": ["hamstrings"]},
    {"body_part": ["back", "legs"], "difficulty": ["advanced"]},
    {"equipment": ["barbell"], "q": ["row"]},
    {"q": ["deadlift"]},
    {"q": ["zzqq"]},
]


@pytest.mark.parametrize("state", STATES, ids=lambda state: "&".join(state))
def test_facets_counted_together_count_as_one_facet_at_a_time(library, state):
    from django.http import QueryDict

    from exercises.browse import Browse

    make_exercise("Hip Hinge", muscle="hamstrings", secondary=["lower-back", "glutes"])
    params = QueryDict(mutable=True)
    for name, values in state.items():
        params.setlist(name, values)
    browse = Browse(params)

    for facet, values in browse.facet_values.items():
        one_at_a_time = browse.filterset.facet_values(facet)
        assert [(v.slug, v.count) for v in values] == [(v.slug, v.count) for v in one_at_a_time]


def test_a_hub_counts_its_other_facets_in_one_query(client, uncached, library):
    client.get("/exercises")  # the library's own counts, shared by the hub's own facet

    response, counted = counting_queries(client, "/exercises/equipment/barbell")
    assert len(counted) == 1
    assert "Deadlift" in text(html(response))


def test_coverage_of_every_page_at_once_is_each_pages_own(library):
    from exercises.models import FACETS

    make_exercise("Hip Hinge", muscle="hamstrings", steps=["Hinge."], tips=["Slowly."])
    make_exercise("Back Bridge", faqs=[("Why?", "Because.")], mistakes=["Rushing."])
    published = Exercise.objects.published()
    by_page = published.coverage_by_page()

    assert by_page[None] == published.coverage()
    for model in FACETS:
        for value in model.objects.all():
            own = published.filter(**{model.exercise_field: value}).coverage()
            assert by_page.get((model.facet, value.pk), own) == own, (model.facet, value.slug)
            assert own["total"] == 0 or (model.facet, value.pk) in by_page
    pairs = published.values_list("body_part", "equipment").distinct()
    for body_part, equipment in pairs:
        own = published.filter(body_part=body_part, equipment=equipment).coverage()
        assert by_page["combination", body_part, equipment] == own


def test_a_muscle_hub_counts_the_exercises_working_its_muscle_from_the_shared_counts(
    client, uncached, library
):
    make_exercise("Hip Hinge", muscle="hamstrings", secondary=["lower-back"])
    client.get("/exercises/muscle/lower-back")  # the shared counts of this version

    response, counted = counting_queries(client, "/exercises/muscle/lower-back")
    assert "6 exercises work the lower back" in text(html(response))
    assert len(counted) == 1  # its other facets, together


def test_the_taxonomy_in_one_query_is_each_facets_rows(library):
    from exercises.models import FACET_MODELS
    from exercises.shared_counts import taxonomy_rows

    def fields(row):
        return type(row), {name: value for name, value in vars(row).items() if name != "_state"}

    rows = taxonomy_rows("default")
    for facet, model in FACET_MODELS.items():
        assert [fields(row) for row in rows[facet]] == [fields(row) for row in model.objects.all()]


@pytest.mark.parametrize(
    "path",
    [
        "/exercises",
        "/exercises/back",
        "/exercises/muscle/lower-back",
        "/exercises/back/barbell",
        "/exercises?body_part=back&difficulty=advanced",
        "/exercises?q=row&equipment=barbell",
        "/exercises/back.md",
    ],
)
def test_the_first_page_after_a_change_stays_within_the_browse_budget(
    client, uncached, library, path
):
    """What the pages share is counted by the first page of a content version, within the
    query budget pages had before they shared it."""
    from test_query_budgets import BROWSE_BUDGET

    content_changed()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    assert len(queries) <= BROWSE_BUDGET

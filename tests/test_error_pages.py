"""Error pages look like the site and help the visitor on; the 500 page needs no database."""

from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client, RequestFactory
from django.urls import get_resolver

from exercises.models import Exercise


def assert_site_page(response, status, heading):
    """The site's own layout: header with the search box, one <h1>, the stylesheet, noindex."""
    assert response.status_code == status
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert 'id="site-search-q"' in html, "the header's search box"
    assert "/static/css/site.css" in html
    assert html.count("<h1") == 1
    assert heading in html
    assert '<meta name="robots" content="noindex">' in html
    assert "Content-Security-Policy" in response.headers
    return html


@pytest.mark.parametrize(
    "url", ["/no-such-page", "/exercise/no-such-exercise", "/exercises/no-such-hub"]
)
def test_not_found_page_offers_search_and_body_parts(client, spine_stretch, url):
    html = assert_site_page(client.get(url), 404, "We couldn't find that page")
    assert '<form class="error-search" role="search" action="/exercises"' in html
    assert '<a href="/exercises/back">Back Exercises</a>' in html
    # Only body parts with published exercises: the others' hubs are empty.
    assert 'href="/exercises/cardio"' not in html


def test_not_found_page_links_no_body_part_without_published_exercises(client, spine_stretch):
    spine_stretch.status = spine_stretch.Status.DRAFT
    spine_stretch.save()
    html = client.get("/no-such-page").content.decode()
    assert "Browse by body part" not in html
    assert 'href="/exercises/back"' not in html


def test_not_found_page_is_cheap(client, taxonomy, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        client.get("/no-such-page")


def test_deleted_exercise_is_gone_with_a_page_that_matches_the_site(client, spine_stretch):
    spine_stretch.delete()
    html = assert_site_page(
        client.get("/exercise/spine-stretch"), 410, "This exercise has been removed"
    )
    assert '<form class="error-search" role="search" action="/exercises"' in html
    assert not Exercise.objects.exists()


def test_server_error_page_renders_without_the_database():
    """No django_db mark: pytest-django makes any database access here raise."""
    handler500 = get_resolver().resolve_error_handler(500)
    response = handler500(RequestFactory().get("/exercises"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "/static/css/site.css" in html
    assert '<a href="/exercises">go back to the exercise library</a>' in html


@pytest.mark.django_db
def test_a_failing_database_shows_the_server_error_page():
    """With the database down, a page request still gets the site's own 500 page."""
    visitor = Client(raise_request_exception=False)
    down = OperationalError("could not connect to server: the database is down")
    with mock.patch.object(connections["default"], "cursor", side_effect=down):
        response = visitor.get("/exercises")
    assert response.status_code == 500
    assert response.exc_info[0] is OperationalError
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'class="site-header"' in html
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    "url", ["/no-such-page", "/exercise/no-such-exercise", "/exercises/no-such-hub"]
)
def test_not_found_pages_say_how_long_they_may_be_kept(client, taxonomy, url, settings):
    response = client.get(url)

    assert response.status_code == 404
    assert response["Cache-Control"] == f"public, max-age={settings.ERROR_MAX_AGE}"


def test_a_drafts_404_is_not_kept_once_it_is_published(client, spine_stretch):
    """A browser that kept the draft's 404 would hide the page a trainer has just published."""
    spine_stretch.status = "draft"
    spine_stretch.save()
    not_yet = client.get("/exercise/spine-stretch")
    spine_stretch.status = "published"
    spine_stretch.save()

    assert not_yet.status_code == 404
    assert not_yet["Cache-Control"] == "public, max-age=0"
    assert client.get("/exercise/spine-stretch").status_code == 200


def test_gone_pages_say_how_long_they_may_be_kept(client, spine_stretch, settings):
    spine_stretch.delete()
    response = client.get("/exercise/spine-stretch")

    assert response.status_code == 410
    assert response["Cache-Control"] == f"public, max-age={settings.ERROR_MAX_AGE}"
    assert not response.has_header("ETag")


def test_a_signed_in_trainers_not_found_page_is_private(admin_client, taxonomy):
    response = admin_client.get("/admin/exercises/no-such-model/")

    assert response.status_code == 404
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_deleted_draft_answers_like_an_address_never_used(client, spine_stretch):
    """Visitors never saw a draft: neither its address nor its earlier ones may say 410."""
    draft = Exercise.objects.get(slug="spine-stretch")
    draft.status = Exercise.Status.DRAFT
    draft.save()
    draft.slug = "seated-spine-stretch"
    draft.save()  # "spine-stretch" becomes an old address of the draft
    draft.delete()
    never_used = client.get("/exercise/never-used-address")

    for url in ("/exercise/spine-stretch", "/exercise/seated-spine-stretch"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.content == never_used.content
        assert response["Cache-Control"] == never_used["Cache-Control"]

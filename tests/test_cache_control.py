"""What browsers and shared caches are told to do with each kind of public response.

Pages and their Markdown copies must never be shown older than the last edit: they may be
stored but are revalidated on every use (a cheap 304 from the ETag). Crawler files may be kept
an hour; static files and media, whose names carry a content hash, forever.
"""

import pytest

from tests.factories import make_exercise

REVALIDATE = "public, max-age=0, must-revalidate"
PAGES = [
    "/exercises",
    "/exercises.md",
    "/exercises/back",
    "/exercises/back.md",
    "/exercises/equipment/barbell",
    "/exercises/back/barbell",
    "/exercise/deadlift",
    "/exercise/deadlift.md",
    "/exercises?q=row",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_and_markdown_are_revalidated_on_every_use(client, library, path):
    first = client.get(path)
    from_cache = client.get(path)
    not_modified = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["Cache-Control"] == REVALIDATE
    assert from_cache["Cache-Control"] == REVALIDATE
    assert not_modified.status_code == 304
    assert not_modified["Cache-Control"] == REVALIDATE


def test_llms_txt_is_revalidated_on_every_use(client, library):
    # It has no validators: a browser fetches it again, the page cache answers.
    assert client.get("/llms.txt")["Cache-Control"] == REVALIDATE


@pytest.mark.parametrize("path", ["/robots.txt", "/sitemap.xml", "/sitemap-exercises.xml"])
def test_crawler_files_may_be_kept_an_hour(client, library, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"


def test_a_missing_page_is_not_kept(client, library):
    response = client.get("/exercise/nowhere")

    assert response.status_code == 404
    assert response["Cache-Control"] == "public, max-age=0"


def test_an_edit_is_what_the_next_revalidation_gets(client, library):
    first = client.get("/exercise/deadlift")
    make_exercise("Brand New Row", body_part="back", muscle="lats")

    again = client.get("/exercise/deadlift", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_an_operator_can_still_grant_a_lifetime(client, library, settings):
    settings.PUBLIC_MAX_AGE = 60

    response = client.get("/exercise/deadlift")

    assert response["Cache-Control"] == "public, max-age=60"

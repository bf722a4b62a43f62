"""The sitemap index and its sections: what is listed, at which address, with which lastmod."""

from datetime import datetime
from xml.etree import ElementTree

import pytest
from django.utils.http import parse_http_date
from factories import html

from exercises.models import BodyPart, Equipment, Exercise

SITE = "https://forge.example"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def read(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ElementTree.fromstring(response.content)


def section(client, name):
    """{url: lastmod} of one sitemap section."""
    root = read(client, f"/sitemap-{name}.xml")
    return {
        url.find("sm:loc", NS).text: datetime.fromisoformat(url.find("sm:lastmod", NS).text)
        for url in root.findall("sm:url", NS)
    }


def everything(client):
    return {
        url: lastmod
        for name in ("exercises", "hubs", "combinations")
        for url, lastmod in section(client, name).items()
    }


def test_the_index_lists_each_section_at_the_public_origin(client, library):
    # Whatever host the request names, addresses come from SITE_URL.
    root = read(client, "/sitemap.xml")
    locations = [loc.text for loc in root.findall("sm:sitemap/sm:loc", NS)]

    assert locations == [
        f"{SITE}/sitemap-exercises.xml",
        f"{SITE}/sitemap-hubs.xml",
        f"{SITE}/sitemap-combinations.xml",
    ]
    lastmods = [datetime.fromisoformat(e.text) for e in root.findall("sm:sitemap/sm:lastmod", NS)]
    assert lastmods[0] == max(section(client, "exercises").values())


def test_the_exercise_section_lists_published_exercises_only(client, library):
    urls = section(client, "exercises")

    assert sorted(urls) == sorted(
        f"{SITE}/exercise/{slug}"
        for slug in Exercise.objects.published().values_list("slug", flat=True)
    )
    assert f"{SITE}/exercise/hidden-back-extension" not in urls  # a draft


def test_the_hub_section_lists_the_library_and_hubs_with_exercises(client, library):
    urls = section(client, "hubs")

    assert list(urls)[0] == f"{SITE}/exercises"
    assert f"{SITE}/exercises/back" in urls
    assert f"{SITE}/exercises/intermediate" in urls
    assert f"{SITE}/exercises/equipment/barbell" in urls
    assert f"{SITE}/exercises/muscle/hamstrings" in urls
    assert f"{SITE}/exercises/category/mobility" in urls
    # Empty hubs are noindex: never listed.
    assert f"{SITE}/exercises/neck" not in urls
    assert f"{SITE}/exercises/equipment/kettlebell" not in urls
    assert len(urls) == 1 + 3 + 3 + 5 + 3 + 3


def test_the_combination_section_lists_pairs_with_five_published_exercises(client, library):
    # Back with barbell has 5; legs with dumbbell has 4 and a draft.
    assert list(section(client, "combinations")) == [f"{SITE}/exercises/back/barbell"]


def test_no_address_has_a_query_string(client, library):
    assert not [url for url in everything(client) if "?" in url]


def test_every_listed_address_is_200_self_canonical_and_indexable(client, library):
    for url in everything(client):
        response = client.get(url.removeprefix(SITE))
        assert response.status_code == 200, url
        page = html(response)
        assert page.find("link", rel="canonical")["href"] == url
        assert page.find("meta", attrs={"name": "robots"}) is None, url


def test_lastmod_is_the_pages_last_modified(client, library):
    for url, lastmod in everything(client).items():
        response = client.get(url.removeprefix(SITE))
        assert parse_http_date(response["Last-Modified"]) == int(lastmod.timestamp()), url


def test_lastmod_is_the_real_last_change(client, library):
    deadlift = library["Deadlift"]
    back = BodyPart.objects.get(slug="back")
    back_members = Exercise.objects.published().filter(body_part=back)

    assert section(client, "exercises")[f"{SITE}/exercise/deadlift"] == deadlift.updated
    assert section(client, "hubs")[f"{SITE}/exercises/back"] == max(
        back.updated, *back_members.values_list("updated", flat=True)
    )


def test_lastmod_holds_still_until_the_content_changes(client, library):
    before = everything(client)
    assert everything(client) == before

    deadlift = library["Deadlift"]
    deadlift.quick_answer = "Lift the bar from the floor."
    deadlift.save()
    after = everything(client)

    changed = {url for url in before if before[url] != after[url]}
    assert changed == {
        f"{SITE}/exercise/deadlift",
        f"{SITE}/exercises",
        f"{SITE}/exercises/back",
        f"{SITE}/exercises/equipment/barbell",
        f"{SITE}/exercises/muscle/lower-back",
        f"{SITE}/exercises/advanced",
        f"{SITE}/exercises/category/powerlifting",
        f"{SITE}/exercises/back/barbell",
    }
    assert after[f"{SITE}/exercise/deadlift"] == Exercise.objects.get(pk=deadlift.pk).updated


def test_a_taxonomy_edit_moves_the_lastmod_of_its_hub_and_its_exercises(client, library):
    before = everything(client)
    barbell = Equipment.objects.get(slug="barbell")
    barbell.name = "Olympic Barbell"
    barbell.save()
    after = everything(client)

    changed = {url for url in before if before[url] != after[url]}
    barbell_exercises = {
        f"{SITE}/exercise/{slug}"
        for slug in Exercise.objects.published()
        .filter(equipment=barbell)
        .values_list("slug", flat=True)
    }
    assert changed == {
        f"{SITE}/exercises/equipment/barbell",
        f"{SITE}/exercises/back/barbell",
        *barbell_exercises,
    }


def test_sections_are_paged_for_big_libraries(client, library, monkeypatch):
    from exercises.sitemaps import ExerciseSitemap

    monkeypatch.setattr(ExerciseSitemap, "limit", 5)
    root = read(client, "/sitemap.xml")
    locations = [loc.text for loc in root.findall("sm:sitemap/sm:loc", NS)]

    assert locations[:3] == [
        f"{SITE}/sitemap-exercises.xml",
        f"{SITE}/sitemap-exercises.xml?p=2",
        f"{SITE}/sitemap-exercises.xml?p=3",
    ]
    assert len(section(client, "exercises")) == 5
    assert len(read(client, "/sitemap-exercises.xml?p=3").findall("sm:url", NS)) == 3


def test_sitemaps_are_not_indexed_themselves(client, library):
    for path in ("/sitemap.xml", "/sitemap-hubs.xml"):
        assert "noindex" in client.get(path)["X-Robots-Tag"]

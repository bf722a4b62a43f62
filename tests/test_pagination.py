"""Numbered pagination: the first and last page, a window around the current one and gaps,
each link at the page's one address, for the HTML pages and their Markdown copies."""

import re

import pytest
from factories import html, shared_rows, text
from test_query_budgets import BROWSE_BUDGET

from exercises.browse import PAGE_SIZE
from exercises.models import BodyPart, Exercise
from exercises.synthetic import build_library

PAGES = 9
SITE = "https://forgetrainer.ai"


def build_nine_pages_of_back():
    build_library(PAGE_SIZE * (PAGES - 1) + 1, draft_share=0)
    Exercise.objects.update(body_part=BodyPart.objects.get(slug="back"))
    assert Exercise.objects.published().count() == PAGE_SIZE * (PAGES - 1) + 1


@pytest.fixture(scope="class")
def nine_pages_built(django_db_setup, django_db_blocker):
    """The 193 exercises, built once for the tests of a class (each reads them in its own
    savepoint)."""
    yield from shared_rows(django_db_blocker, build_nine_pages_of_back)


@pytest.fixture
def nine_pages_of_back(nine_pages_built, taxonomy, settings):
    """Nine pages of published back exercises (the last one with a single exercise)."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.SITE_URL = SITE


def numbered(response):
    """The numbered items of the page's pagination as a visitor reads them: numbers and gaps,
    the current page in brackets."""
    nav = html(response).find("nav", attrs={"aria-label": "Pages"})
    items = []
    for item in nav.find("ol").find_all("li"):
        link = item.find("a")
        if link is None:
            items.append(text(item))
        else:
            number = text(link).removeprefix("Page ")
            items.append(f"[{number}]" if link.get("aria-current") == "page" else number)
    return items


def hrefs(response):
    nav = html(response).find("nav", attrs={"aria-label": "Pages"})
    return {text(a).removeprefix("Page "): a["href"] for a in nav.find("ol").find_all("a")}


def test_one_page_of_results_has_no_pagination(client, library):
    response = client.get("/exercises/back")

    assert response.status_code == 200
    assert html(response).find("nav", attrs={"aria-label": "Pages"}) is None
    assert "Pages:" not in client.get("/exercises/back.md").content.decode()


class TestNinePagesOfBack:
    """The tests that read the nine pages: the 193 exercises are built once for them."""

    @pytest.mark.parametrize(
        ("page", "expected"),
        [
            (1, "[1] 2 … 9"),
            (2, "1 [2] 3 … 9"),
            (4, "1 2 3 [4] 5 … 9"),
            (5, "1 … 4 [5] 6 … 9"),
            (6, "1 … 5 [6] 7 8 9"),
            (9, "1 … 8 [9]"),
        ],
    )
    def test_pages_are_numbered_first_last_and_around_the_current_one(
        self, client, nine_pages_of_back, page, expected
    ):
        path = "/exercises/back" if page == 1 else f"/exercises/back?page={page}"
        response = client.get(path)

        assert response.status_code == 200
        assert " ".join(numbered(response)) == expected

    def test_page_links_are_the_pages_canonical_addresses(self, client, nine_pages_of_back):
        response = client.get("/exercises/back?page=5")
        page = html(response)

        # Page 1 has no page parameter; each other page is its own indexable address.
        assert hrefs(response) == {
            "1": "/exercises/back",
            "4": "/exercises/back?page=4",
            "5": "/exercises/back?page=5",
            "6": "/exercises/back?page=6",
            "9": "/exercises/back?page=9",
        }
        nav = page.find("nav", attrs={"aria-label": "Pages"})
        assert [a["href"] for a in nav.select("a[aria-current=page]")] == ["/exercises/back?page=5"]
        assert page.find("a", rel="prev")["href"] == "/exercises/back?page=4"
        assert page.find("a", rel="next")["href"] == "/exercises/back?page=6"
        assert not [a for a in nav.find_all("a") if "nofollow" in a.get("rel", [])]
        assert page.find("link", rel="canonical")["href"] == f"{SITE}/exercises/back?page=5"
        assert page.find("meta", attrs={"name": "robots"}) is None
        for href in hrefs(response).values():
            assert client.get(href).status_code == 200, href

    def test_page_links_of_a_noindex_state_keep_it_and_are_nofollow(
        self, client, nine_pages_of_back
    ):
        response = client.get("/exercises?body_part=back&sort=name&page=5")
        page = html(response)

        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex,follow"
        assert page.find("link", rel="canonical") is None
        assert hrefs(response)["1"] == "/exercises?body_part=back&sort=name"
        assert hrefs(response)["9"] == "/exercises?body_part=back&sort=name&page=9"
        nav = page.find("nav", attrs={"aria-label": "Pages"})
        assert all("nofollow" in a["rel"] for a in nav.find_all("a"))

    @pytest.mark.parametrize("page", ["0", "abc", "10", "-1"])
    def test_a_page_that_does_not_exist_is_not_found(self, client, nine_pages_of_back, page):
        assert client.get(f"/exercises/back?page={page}").status_code == 404
        assert client.get(f"/exercises/back.md?page={page}").status_code == 404

    def test_the_markdown_copy_numbers_its_pages_too(self, client, nine_pages_of_back):
        markdown = client.get("/exercises/back.md?page=5").content.decode()

        line = next(line for line in markdown.splitlines() if line.startswith("Pages: "))
        copy = f"{SITE}/exercises/back.md"
        assert line == (
            f"Pages: [1]({copy}) · … · [4]({copy}?page=4) · **5** · [6]({copy}?page=6) · … · "
            f"[9]({copy}?page=9)"
        )
        links = re.findall(r"\]\((https://[^)]+)\)", line)
        for link in links:
            assert client.get(link.removeprefix(SITE)).status_code == 200

    def test_numbered_pages_cost_no_query(
        self, client, nine_pages_of_back, django_assert_max_num_queries
    ):
        client.get("/exercises/back?page=5")
        with django_assert_max_num_queries(BROWSE_BUDGET):
            response = client.get("/exercises/back?page=5")
        assert len(numbered(response)) == 7

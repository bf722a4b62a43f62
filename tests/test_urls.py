"""Every public address answers as promised: 200, 301 to the canonical form, or a helpful 404.

Also pins each page type to a fixed number of SQL queries, whatever the size of the library.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import html, make_back_barbell_exercises, text

MARKDOWN = "text/markdown; charset=utf-8"

# Each page type of the library fixture and its heading.
PAGES = {
    "/exercises": "Exercise Library",
    "/exercises/back": "Back Exercises",
    "/exercises/intermediate": "Intermediate Exercises",
    "/exercises/equipment/barbell": "Barbell Exercises",
    "/exercises/muscle/lower-back": "Lower Back Exercises",
    "/exercises/category/powerlifting": "Powerlifting Exercises",
    "/exercises/back/barbell": "Barbell Back Exercises",
    "/exercise/deadlift": "Deadlift",
}


@pytest.mark.parametrize(("path", "heading"), PAGES.items())
def test_every_page_type_renders_with_one_heading_and_a_canonical(
    client, library, settings, path, heading
):
    settings.SITE_URL = "https://forgetrainer.ai"
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = html(response)
    assert [text(h1) for h1 in page.find_all("h1")] == [heading]
    assert text(page.title)
    assert page.find("link", rel="canonical")["href"] == f"https://forgetrainer.ai{path}"


@pytest.mark.parametrize(("path", "heading"), PAGES.items())
def test_every_page_type_has_a_markdown_copy(client, library, path, heading):
    response = client.get(f"{path}.md")

    assert response.status_code == 200
    assert response["Content-Type"] == MARKDOWN
    assert response.content.decode().startswith(f"# {heading}\n")


def test_the_home_page_is_the_library(client, db):
    response = client.get("/")

    assert response.status_code == 301
    assert response["Location"] == "/exercises"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/exercises/", "/exercises"),
        ("/exercises/back/", "/exercises/back"),
        ("/exercises/back/barbell/", "/exercises/back/barbell"),
        ("/exercise/deadlift/", "/exercise/deadlift"),
        ("/exercise/deadlift.md/", "/exercise/deadlift.md"),
        ("/Exercises", "/exercises"),
        ("/Exercises/Back/", "/exercises/back"),
        ("/EXERCISES/EQUIPMENT/Barbell", "/exercises/equipment/barbell"),
        ("/Exercise/Deadlift.MD", "/exercise/deadlift.md"),
        # The query string survives, letter case included.
        ("/Exercises?q=Row&sort=name", "/exercises?q=Row&sort=name"),
        ("/exercises/Back/?page=2", "/exercises/back?page=2"),
    ],
)
def test_trailing_slash_and_upper_case_redirect_to_the_canonical_path(
    client, library, path, location
):
    response = client.get(path)

    assert response.status_code == 301
    assert response["Location"] == location


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/exercises?body_part=back", "/exercises/back"),
        ("/exercises?difficulty=advanced", "/exercises/advanced"),
        ("/exercises?equipment=barbell", "/exercises/equipment/barbell"),
        ("/exercises?muscle=lower-back", "/exercises/muscle/lower-back"),
        ("/exercises?category=mobility", "/exercises/category/mobility"),
        ("/exercises.md?body_part=back", "/exercises/back.md"),
        # Back with barbell has 5 published exercises: a combination hub.
        ("/exercises?body_part=back&equipment=barbell", "/exercises/back/barbell"),
        ("/exercises?equipment=barbell&body_part=back", "/exercises/back/barbell"),
        ("/exercises.md?equipment=barbell&body_part=back", "/exercises/back/barbell.md"),
        # A hub given more filters moves to the state that has them all.
        ("/exercises/back?equipment=barbell", "/exercises/back/barbell"),
        ("/exercises/equipment/barbell?body_part=back", "/exercises/back/barbell"),
        ("/exercises/back?body_part=chest", "/exercises?body_part=back&body_part=chest"),
        ("/exercises/back?difficulty=beginner", "/exercises?body_part=back&difficulty=beginner"),
        ("/exercises/back?q=row", "/exercises?body_part=back&q=row"),
        (
            "/exercises/back/barbell?difficulty=advanced",
            "/exercises?body_part=back&equipment=barbell&difficulty=advanced",
        ),
        # The first page has no page number.
        ("/exercises?page=1", "/exercises"),
        ("/exercises/back?page=1", "/exercises/back"),
        ("/exercises/back/barbell?page=1", "/exercises/back/barbell"),
        ("/exercises/back.md?page=1", "/exercises/back.md"),
        # Empty or untrimmed parameters, as a submitted search form sends them.
        ("/exercises?q=&sort=", "/exercises"),
        ("/exercises?body_part=back&q=", "/exercises/back"),
        ("/exercises?q=+row+", "/exercises?q=row"),
        ("/exercises/back?page=02", "/exercises/back?page=2"),
        ("/exercises?body_part=back&page=1", "/exercises/back"),
        (
            "/exercises?difficulty=beginner&body_part=back&page=1",
            ("/exercises?body_part=back&difficulty=beginner"),
        ),
    ],
)
def test_a_filter_state_redirects_to_its_one_address(client, library, path, location):
    response = client.get(path)

    assert response.status_code == 301
    assert response["Location"] == location


def test_a_combination_with_too_few_exercises_stays_on_the_library(client, library):
    # Legs with dumbbell: 4 published exercises and a draft.
    response = client.get("/exercises?body_part=legs&equipment=dumbbell")

    assert response.status_code == 200
    page = html(response)
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex,follow"
    assert text(page.h1) == "Exercise Library"


def test_a_hub_given_its_own_value_again_redirects_to_itself(client, library):
    response = client.get("/exercises/back?body_part=back")

    assert response.status_code == 301
    assert response["Location"] == "/exercises/back"


# Parameters the browse does not read: analytics tags, cache busters, typos.
UNKNOWN_PARAMETERS = ["cb=123", "utm_source=x&utm_medium=email", "=", "Q=row", "page[]=2"]
# Each listing and hub page type (the exercise page is not a browse state), their Markdown
# copies, and states the address keeps (filters, a search, a sort).
CANONICAL_STATES = [
    *(path for path in PAGES if path.startswith("/exercises")),
    *("/exercises.md", "/exercises/back.md", "/exercises/back/barbell.md"),
    *("/exercises?body_part=back&difficulty=beginner", "/exercises?q=row&sort=recent"),
]
# Pages that read no query parameter (or only their own): every other one is dropped by a 301,
# so a cache buster can neither force a render nor store another copy of the page.
FIXED_ADDRESSES = [
    "/exercise/deadlift",
    "/exercise/deadlift.md",
    "/llms.txt",
    "/sitemap.xml",
    "/sitemap-exercises.xml",
]


@pytest.mark.parametrize("canonical", CANONICAL_STATES + FIXED_ADDRESSES)
def test_unknown_parameters_redirect_to_the_canonical_state_without_them(
    client, library, canonical
):
    assert client.get(canonical).status_code == 200
    separator = "&" if "?" in canonical else "?"

    for unknown in UNKNOWN_PARAMETERS:
        response = client.get(f"{canonical}{separator}{unknown}")
        assert response.status_code == 301, unknown
        assert response["Location"] == canonical


def test_an_unknown_parameter_before_the_state_is_dropped_too(client, library):
    response = client.get("/exercises?utm_source=x&body_part=back&body_part=chest")

    assert response.status_code == 301
    assert response["Location"] == "/exercises?body_part=back&body_part=chest"


def test_a_sitemap_section_keeps_its_page_number_and_drops_the_rest(client, library):
    response = client.get("/sitemap-exercises.xml?cb=1&p=1")

    assert response.status_code == 301
    assert response["Location"] == "/sitemap-exercises.xml?p=1"
    assert client.get("/sitemap-exercises.xml?p=1").status_code == 200


def test_a_state_with_only_its_own_parameters_is_not_redirected(client, library):
    # The order of the parameters does not make another state.
    response = client.get("/exercises?sort=recent&q=row")

    assert response.status_code == 200
    assert html(response).find("input", id="browse-q")["value"] == "row"


NOT_FOUND = [
    # Unknown hubs and exercises.
    "/exercises/nowhere",
    "/exercises/nowhere.md",
    "/exercises/equipment",
    "/exercises/muscle",
    "/exercises/equipment/nowhere",
    "/exercises/muscle/nowhere",
    "/exercises/muscle/back",
    "/exercises/category/nowhere",
    "/exercises/category/nowhere.md",
    "/exercises/nowhere/barbell",
    "/exercises/back/nowhere",
    "/exercises/beginner/barbell",
    "/exercises/back/barbell/extra",
    "/exercise/nowhere",
    "/exercise/nowhere.md",
    "/exercise/deadlift.html",
    "/exercise/dead_lift",
    # Combination hubs need 5 published exercises: chest with barbell has 1, legs with
    # dumbbell 4 and a draft.
    "/exercises/chest/barbell",
    "/exercises/legs/dumbbell",
    "/exercises/legs/dumbbell.md",
    # Unknown filter values.
    "/exercises?body_part=nowhere",
    "/exercises?body_part=back&body_part=nowhere",
    "/exercises?equipment=nowhere",
    "/exercises?muscle=nowhere",
    "/exercises?muscle=back",
    "/exercises?difficulty=expert",
    "/exercises?category=nowhere",
    "/exercises?sort=random",
    "/exercises/back?equipment=nowhere",
    "/exercises.md?body_part=nowhere",
    # Filter values that cannot be slugs.
    "/exercises?body_part=Back",
    "/exercises?body_part=back%00",
    "/exercises?body_part=%3Cscript%3E",
    "/exercises?equipment=..%2Fetc",
    "/exercises?body_part=back%27%3B--",
    "/exercises?body_part=+back",
    "/exercises?muscle=lower--back",
    "/exercises?" + "&".join(f"equipment=e{n}" for n in range(40)),
    # Page numbers that are not pages.
    "/exercises?page=0",
    "/exercises?page=-1",
    "/exercises?page=abc",
    "/exercises?page=1.0",
    "/exercises?page=1e3",
    "/exercises?page=%20",
    "/exercises?page=",
    "/exercises?page=%D9%A2",  # an Arabic-Indic digit two
    "/exercises?page=2",
    "/exercises?page=999999",
    "/exercises?page=99999999999999999999999999",
    "/exercises/back?page=2",
    "/exercises/back?page=abc",
    "/exercises/back/barbell?page=0",
    "/exercises?body_part=back&difficulty=beginner&page=5",
    # A Markdown copy lists every exercise on one page.
    "/exercises.md?page=2",
    "/exercises/back.md?page=2",
    "/exercises/back/barbell.md?page=99",
]


@pytest.mark.parametrize("path", NOT_FOUND)
def test_unknown_addresses_answer_a_helpful_404(client, library, path):
    response = client.get(path)

    assert response.status_code == 404
    page = html(response)
    search = page.find("form", role="search", class_="error-search")
    assert search["action"] == "/exercises"
    assert search.find("input", attrs={"name": "q"})
    hub_links = {a["href"] for a in page.select(".error-page .hub-links a")}
    # Only the body parts with published exercises: the others' hubs are empty.
    assert hub_links == {f"/exercises/{slug}" for slug in ("back", "chest", "legs")}


@pytest.mark.parametrize(
    "query",
    ["q=%00", "q=" + "x" * 500, "sort=%00", "page=%00", "body_part=%FF", "q=%FF%FE", "page[]=1"],
)
def test_odd_query_strings_never_give_a_server_error(client, library, query):
    response = client.get(f"/exercises?{query}")

    # 400: a search the box cannot run (a NUL, more than 100 characters) says why.
    assert response.status_code in (200, 301, 400, 404)


def test_pages_answer_get_and_head_only(client, library):
    assert client.post("/exercises").status_code == 405
    assert client.head("/exercises/back").status_code == 200


def test_a_path_starting_with_two_slashes_does_not_redirect_off_site(client, db):
    # The test client would read //host/ as a host; set the path the server would see.
    response = client.get("/", PATH_INFO="//evil.example/")

    assert not response.get("Location", "").startswith("//")


# Query counts: the same at two library sizes.

QUERY_PAGES = [
    "/exercises",
    "/exercises.md",
    "/exercises/back",
    "/exercises/back.md",
    "/exercises/beginner",
    "/exercises/equipment/barbell",
    "/exercises/equipment/barbell.md",
    "/exercises/muscle/lower-back",
    "/exercises/category/strength",
    "/exercises/back/barbell",
    "/exercises/back/barbell.md",
    "/exercises?body_part=back&difficulty=beginner&category=strength",
    "/exercise/back-barbell-000",
    "/exercise/back-barbell-000.md",
]


def count_queries(client, path):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", QUERY_PAGES)
def test_every_page_type_runs_the_same_queries_for_5_and_40_exercises(
    client, taxonomy, path, django_assert_max_num_queries
):
    make_back_barbell_exercises(5)
    small = count_queries(client, path)
    make_back_barbell_exercises(35, start=5)
    large = count_queries(client, path)

    assert large == small
    cache.clear()
    with django_assert_max_num_queries(12):  # 4-10 today; a ceiling, not a target
        client.get(path)

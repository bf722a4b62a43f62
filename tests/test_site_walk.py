"""A walk through every page type, checking what crawlers read on each one.

Index, each hub kind, a combination hub, a paginated page, an exercise, and the Markdown copy
of each: title, description, canonical, one <h1>, JSON-LD (parsed with extruct), Open Graph and
the breadcrumb; and no internal link on any of them is a redirect.
"""

from urllib.parse import urljoin, urlsplit

import extruct
import pytest
from factories import html, make_exercise, text

SITE = "https://forge.example"

# Every page type of the walk: path → its <h1>.
PAGES = {
    "/exercises": "Exercise Library",
    "/exercises?page=2": "Exercise Library",
    "/exercises/back": "Back Exercises",
    "/exercises/back?page=2": "Back Exercises",
    "/exercises/beginner": "Beginner Exercises",
    "/exercises/equipment/barbell": "Barbell Exercises",
    "/exercises/muscle/lower-back": "Lower Back Exercises",
    "/exercises/category/mobility": "Mobility Exercises",
    "/exercises/back/barbell": "Barbell Back Exercises",
    "/exercise/spine-stretch": "Spine Stretch",
}


@pytest.fixture
def site(settings, spine_stretch, library):
    """The hand-made library, the reference exercise and enough back exercises for page 2."""
    settings.SITE_URL = SITE
    for number in range(20):
        make_exercise(f"Back Move {number:02}", steps=["Brace.", "Move."])
    return library


def walk(client):
    """{path: response} of every page type."""
    return {path: client.get(path) for path in PAGES}


def test_every_page_type_tells_crawlers_what_it_is(client, site):
    titles, descriptions = set(), set()
    for path, response in walk(client).items():
        assert response.status_code == 200, path
        page = html(response)
        url = f"{SITE}{path}"

        assert page.html["lang"] == "en"
        assert [text(h1) for h1 in page.find_all("h1")] == [PAGES[path]], path
        (title,) = page.find_all("title")
        titles.add(text(title))
        (description,) = page.find_all("meta", attrs={"name": "description"})
        descriptions.add(description["content"])
        assert description["content"]
        (canonical,) = page.find_all("link", rel="canonical")
        assert canonical["href"] == url
        assert page.find("meta", attrs={"name": "robots"}) is None, path

        data = extruct.extract(
            response.content.decode(), base_url=url, syntaxes=["json-ld", "opengraph"]
        )
        (json_ld,) = data["json-ld"]
        assert json_ld["@context"] == "https://schema.org"
        types = [node["@type"] for node in json_ld["@graph"]]
        assert types.count("BreadcrumbList") == 1
        expected = "WebPage" if path.startswith("/exercise/") else "CollectionPage"
        assert expected in types, path
        crumbs = next(n for n in json_ld["@graph"] if n["@type"] == "BreadcrumbList")
        visible = [text(li) for li in page.select("nav.breadcrumb li")]
        assert visible, path
        assert [c["name"] for c in crumbs["itemListElement"]] == visible
        assert [c["position"] for c in crumbs["itemListElement"]] == list(
            range(1, len(visible) + 1)
        )
        assert all(c["item"].startswith(f"{SITE}/") for c in crumbs["itemListElement"])

        (og,) = data["opengraph"]
        properties = dict(og["properties"])
        assert properties["og:title"] == text(title).removesuffix(" | Forge")
        assert properties["og:description"] == description["content"]
        assert properties["og:url"] == url
        assert properties["og:type"] in ("website", "article")
        assert properties["og:image"].startswith(f"{SITE}/static/")
        assert page.find("meta", attrs={"name": "twitter:card"})

    assert len(titles) == len(descriptions) == len(PAGES)


def test_every_page_type_has_a_markdown_copy_pointing_back(client, site):
    for path, response in walk(client).items():
        page = html(response)
        alternate = page.find("link", rel="alternate", type="text/markdown")["href"]
        base, _, query = path.partition("?")
        assert alternate == f"{SITE}{base}.md", path

        copy = client.get(alternate.removeprefix(SITE))
        assert copy.status_code == 200, alternate
        assert copy["Content-Type"] == "text/markdown; charset=utf-8"
        assert copy["Link"] == f'<{SITE}{base}>; rel="canonical"'
        assert copy.content.decode().startswith(f"# {PAGES[path]}\n")
        assert copy["ETag"] and copy["Last-Modified"]


def test_no_internal_link_is_a_redirect(client, site):
    links = set()
    for path, response in walk(client).items():
        for a in html(response).find_all("a", href=True):
            href = urljoin(f"http://testserver{path}", a["href"])
            parts = urlsplit(href)
            if parts.netloc == "testserver":
                links.add(parts.path + (f"?{parts.query}" if parts.query else ""))

    assert len(links) > 50
    for link in sorted(links):
        response = client.get(link)
        assert response.status_code == 200, link

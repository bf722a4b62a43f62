"""A crawl of the starter library: every public page a link leads to, and its Markdown copy.

The site is crawled once (one import of the starter library and the Spine Stretch, every page
fetched once and read once, then rolled back), and one test runs every check on what the crawl
stored, so that pytest-xdist never crawls it twice. The checks are what issue 13 asks of
generated text: no FAQ question twice on a page, no title, description or intro promising a
section its pages lack, no singular verb with a name flagged plural, no link to a hub without
published exercises, and every exercise page ending with its Markdown copy's call to action.

The crawl follows links from the library, the 404 page and llms.txt: clean addresses and their
further pages (`?page=N`), not the filter states (`?body_part=…`, never indexed), and each
HTML page's Markdown copy through its `<link rel="alternate">`.
"""

import json
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, NavigableString
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from settings_env import BASE_DIR

from exercises.text import question_key

SITE = "https://forge.example"
FIXTURES = BASE_DIR / "fixtures"
MISSING = "/no-such-page"
SITEMAP_SECTIONS = ("/sitemap-hubs.xml", "/sitemap-combinations.xml")
# What words promise, by the id of the exercise page's section that keeps the promise.
SECTION_WORDS = {
    "how-to": ("step-by-step", "how to do"),
    "pro-tips": ("tips",),
    "mistakes": ("mistakes",),
}


def squeeze(text):
    return " ".join(text.split())


@dataclass
class Page:
    """What the crawl read on one page (HTML pages are parsed once, when fetched)."""

    path: str
    status: int
    kind: str  # "html", "markdown" or "text"
    links: set = field(default_factory=set)
    body: str = ""  # Markdown and text only
    title: str = ""
    description: str = ""
    robots: str = ""
    h1: str = ""
    lead: str = ""
    sections: set = field(default_factory=set)
    questions: list = field(default_factory=list)
    graph: list = field(default_factory=list)
    text: str = ""  # an exercise page's visible text
    ending: str = ""  # an exercise page's last element, links written as in Markdown


def internal(href, base):
    """The path (and `?page=N`) a link leads to on this site, or None: other sites, files,
    filter states and the admin are not crawled."""
    url = urljoin(f"http://testserver{base}", href.replace(SITE, "http://testserver"))
    parts = urlsplit(url)
    if parts.netloc != "testserver" or parts.path.startswith(("/static/", "/media/", "/admin")):
        return None
    if parts.query and not re.fullmatch(r"page=\d+", parts.query):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def as_markdown(element):
    """An element's text with its links written the Markdown way: [text](href)."""
    return squeeze(
        "".join(
            str(child)
            if isinstance(child, NavigableString)
            else f"[{child.get_text()}]({child['href']})"
            for child in element.children
        )
    )


def read_html(page, soup):
    page.links = {internal(a["href"], page.path) for a in soup.find_all("a", href=True)}
    alternate = soup.find("link", rel="alternate", type="text/markdown")
    if alternate:
        page.links.add(internal(alternate["href"], page.path))
    page.title = squeeze(soup.title.get_text()).removesuffix(" | Forge")
    description = soup.find("meta", attrs={"name": "description"})
    page.description = description["content"] if description else ""
    robots = soup.find("meta", attrs={"name": "robots"})
    page.robots = robots["content"] if robots else ""
    page.h1 = squeeze(soup.h1.get_text())
    lead = soup.find("p", class_="lead")
    page.lead = squeeze(lead.get_text()) if lead else ""
    script = soup.find("script", type="application/ld+json")
    page.graph = json.loads(script.string)["@graph"] if script else []
    if page.path.startswith("/exercise/"):
        page.sections = {h2["id"] for h2 in soup.find_all("h2") if h2.get("id") in SECTION_WORDS}
        faq = soup.find("section", class_="faq")
        page.questions = [squeeze(h3.get_text()) for h3 in faq.find_all("h3")]
        page.text = squeeze(soup.find("main").get_text(" "))
        page.ending = as_markdown(soup.find("article").find_all(recursive=False)[-1])


def fetch(client, path):
    response = client.get(path)
    content_type = response.get("Content-Type", "")
    kind = (
        "html" if "html" in content_type else "markdown" if "markdown" in content_type else "text"
    )
    page = Page(path, response.status_code, kind)
    if response.status_code not in (200, 404):
        return page
    body = response.content.decode()
    if kind == "html":
        read_html(page, BeautifulSoup(body, "lxml"))
    else:
        page.body = body
        page.links = {internal(href, path) for href in re.findall(r"\]\(([^)\s]+)\)", body)}
    page.links.discard(None)
    return page


def crawl(client):
    pages = {}
    queue = deque(["/exercises", "/llms.txt", MISSING])
    while queue:
        path = queue.popleft()
        if path not in pages:
            pages[path] = fetch(client, path)
            queue.extend(link for link in pages[path].links if link not in pages)
    return pages


@dataclass
class Site:
    pages: dict  # path → Page
    sitemap: set  # the paths the hub and combination sitemaps list
    plural: dict  # exercise path → whether its name reads as plural
    empty_hubs: set  # hub paths (and their copies) without a published exercise

    def html(self):
        return [page for page in self.pages.values() if page.kind == "html"]

    def exercises(self):
        return [page for page in self.html() if page.path.startswith("/exercise/")]

    def listings(self):
        return [page for page in self.html() if page.path.startswith("/exercises")]

    def copy(self, page):
        return self.pages[page.path.partition("?")[0] + ".md"].body


# The crawl checks generated wording, which no database changes, and it renders ~2,500 pages:
# it runs in the SQLite pass only, which keeps the PostgreSQL pass within its time budget
# (tests/test_site_walk.py walks every page type on both databases).
pytestmark = pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the wording crawl runs in the SQLite pass (its text does not depend on the database)",
)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The starter library, crawled once; nothing it writes outlives the module."""
    from exercises.models import FACETS, BodyPart, Exercise
    from exercises.sitemaps import hubs_with_exercises

    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(SITE_URL=SITE, PAGE_CACHE_SECONDS=0):
            # A browser test run before on this worker empties the database when it ends.
            if not BodyPart.objects.exists():
                call_command("import_exercises", FIXTURES / "taxonomy.json", verbosity=0)
            for name in ("free-exercise-db.json", "spine-stretch.json"):
                call_command("import_exercises", FIXTURES / name, verbosity=0)
            plural = {e.get_absolute_url(): e.is_plural for e in Exercise.objects.published()}
            empty_hubs = set()
            for model in FACETS:
                full = [hub.pk for hub in hubs_with_exercises(model)]
                for taxon in model.objects.exclude(pk__in=full):
                    empty_hubs |= {taxon.get_absolute_url(), taxon.get_markdown_url()}
            client = Client()
            pages = crawl(client)
            sitemap = set()
            for section in SITEMAP_SECTIONS:
                xml = client.get(section).content.decode()
                sitemap |= {urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", xml)}
        transaction.set_rollback(True)
    return Site(pages, sitemap, plural, empty_hubs)


def check_the_crawl_reaches_every_exercise_and_every_page_answers(site):
    assert len(site.exercises()) == len(site.plural) > 870
    indexed = [page for page in site.html() if not page.robots]
    copies = {page.path for page in site.pages.values() if page.kind == "markdown"}
    assert [
        page.path
        for page in indexed
        if page.path not in copies
        and page.path.replace("?", ".md?", 1) not in copies
        and f"{page.path}.md" not in copies
    ] == []
    assert [(p.path, p.status) for p in site.pages.values() if p.status != 200] == [(MISSING, 404)]


def check_no_page_asks_a_question_twice(site):
    repeated = {}
    for page in site.exercises():
        faq_page = next(node for node in page.graph if node["@type"] == "FAQPage")
        assert [q["name"] for q in faq_page["mainEntity"]] == page.questions, page.path
        faq_copy = site.copy(page).split("\n## FAQ\n", 1)[1].split("\n## ", 1)[0]
        assert re.findall(r"^### (.+)$", faq_copy, flags=re.M) == page.questions, page.path
        if max(Counter(map(question_key, page.questions)).values()) > 1:
            repeated[page.path] = page.questions
    assert repeated == {}


def promised(text):
    """The sections words mention at all."""
    lowered = text.lower()
    return {key for key, words in SECTION_WORDS.items() if any(w in lowered for w in words)}


def check_no_exercise_title_or_description_promises_a_section_it_lacks(site):
    overclaims = {
        page.path: (page.title, page.description)
        for page in site.exercises()
        if (promised(page.title) | promised(page.description)) - page.sections
    }
    assert overclaims == {}


# A claim about listed exercises: “12 with a and b” says exactly that many have them; any other
# mention of a section (“each with a and b”, “Step-by-Step Guides”) says all of them do.
COUNTED = re.compile(r"\b(\d+) with ((?:[a-z-]+ ?)+(?: and (?:[a-z-]+ ?)+)*)")


def claims(text):
    """[(how many, or None for all, section)] that words make about listed exercises."""
    found = [(int(n), key) for n, words in COUNTED.findall(text) for key in promised(words)]
    return found + [(None, key) for key in promised(COUNTED.sub("", text))]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # What the pages said before issue 13: every section, for every exercise.
        (
            "7 back exercises with step-by-step instructions, pro tips, common mistakes and "
            "answers to common questions.",
            [(None, "how-to"), (None, "pro-tips"), (None, "mistakes")],
        ),
        ("Deadlift: How to Do It, Muscles Worked and Tips", [(None, "how-to"), (None, "pro-tips")]),
        (
            "933 exercises, each with the muscles it works; 928 with step-by-step instructions, "
            "14 with pro tips, 1 with common mistakes.",
            [(928, "how-to"), (14, "pro-tips"), (1, "mistakes")],
        ),
        ("5 with pro tips and common mistakes", [(5, "pro-tips"), (5, "mistakes")]),
        ("Back Exercises: 7 Step-by-Step Guides", [(None, "how-to")]),
        ("Exercise Library: 933 Guides", []),
    ],
)
def test_the_crawl_reads_what_words_promise(words, expected):
    assert sorted(claims(words), key=str) == sorted(expected, key=str)


def broken_claims(texts, members, has):
    """The claims of these texts that the member exercises' pages do not keep."""
    wrong = []
    for text in texts:
        for number, key in claims(text):
            having = sum(key in has[path] for path in members)
            if having != (len(members) if number is None else number):
                wrong.append((text, key, number, having))
    return wrong


def check_no_listing_promises_what_its_exercises_lack(site):
    has = {page.path: page.sections for page in site.exercises()}
    members = {}  # listing → its exercises over all its pages, from each page's ItemList
    for page in site.listings():
        (items,) = [node for node in page.graph if node["@type"] == "ItemList"]
        paths = [urlsplit(item["url"]).path for item in items["itemListElement"]]
        members.setdefault(page.path.partition("?")[0], []).extend(paths)
    assert len(members["/exercises"]) == len(site.plural)
    wrong = {}
    for page in site.listings():
        listed = members[page.path.partition("?")[0]]
        problems = broken_claims([page.title, page.description, page.lead], listed, has)
        if problems:
            wrong[page.path] = problems
    assert wrong == {}


def check_llms_txt_promises_only_what_the_library_has(site):
    has = {page.path: page.sections for page in site.exercises()}
    summary = site.pages["/llms.txt"].body.split("\n> ", 1)[1].split(". Every page")[0]
    assert summary.startswith(f"Forge is an exercise library: {len(has)} exercises, each with ")
    assert broken_claims([summary], list(has), has) == []


SINGULAR_FORMS = (
    r"\b(?:does|is|Is|was|has) the {name}\b",
    r"\bThe {name} (?:is|primarily targets|works|has)\b",
    r"^{name}: How to Do It\b",
)


def check_no_singular_verb_names_a_plural_exercise(site):
    plural = [page for page in site.exercises() if site.plural[page.path]]
    assert len(plural) > 100
    mistakes = []
    for page in plural:
        texts = [page.title, page.text, site.copy(page), json.dumps(page.graph)]
        for form in SINGULAR_FORMS:
            pattern = re.compile(form.format(name=re.escape(page.h1)), re.M)
            mistakes += [(page.path, form) for text in texts if pattern.search(text)]
    assert mistakes == []


def check_no_page_links_to_an_empty_hub(site):
    assert "/exercises/cardio" in site.empty_hubs  # the starter library has no cardio
    links = [(page.path, link) for page in site.pages.values() for link in page.links]
    assert [(page, link) for page, link in links if link in site.empty_hubs] == []


def check_the_sitemap_lists_no_empty_hub_and_no_catch_all_combination(site):
    assert "/exercises/back/barbell" in site.sitemap
    assert not site.sitemap & site.empty_hubs
    combination = re.compile(r"/exercises/(?!equipment/)[a-z-]+/other(\?page=\d+)?")
    assert [path for path in site.sitemap if combination.fullmatch(path)] == []
    other = [page for page in site.html() if combination.fullmatch(page.path)]
    assert other, "the crawl reaches combination hubs with other equipment"
    assert {page.robots for page in other} == {"noindex,follow"}
    assert {page.h1 for page in other} >= {"Leg Exercises with Other Equipment"}


def check_every_exercise_page_ends_with_its_copy_s_call_to_action(site):
    endings = {page.ending for page in site.exercises()}
    assert endings == {"Get a personalized workout plan with [Forge](https://forgetrainer.ai)."}
    for page in site.exercises():
        assert site.copy(page).endswith(f"\n---\n\n{page.ending}\n"), page.path


CHECKS = [value for name, value in list(globals().items()) if name.startswith("check_")]


def test_the_starter_library_reads_honestly_on_every_page(site, db):
    # `db` (unused here) is what makes pytest-django set up the test database when this module
    # runs alone: it creates only the databases that the collected tests ask for.
    failures = {}
    for check in CHECKS:
        try:
            check(site)
        except AssertionError as error:
            failures[check.__name__] = str(error)[:2000]
    assert failures == {}

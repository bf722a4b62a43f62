"""Security headers, and trainer-written text escaped in every format the site serves it in."""

import json
import runpy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from exercises.models import (
    FAQ,
    BodyPart,
    Category,
    CommonMistake,
    Difficulty,
    Equipment,
    Exercise,
    Muscle,
    ProTip,
    Step,
)
from exercises.templatetags.markdown import md_block, md_inline

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "forge" / "settings.py"

# Closes a <script> (or a JSON-LD block), injects markup and event handlers, breaks out of
# attribute values, ends CDATA sections and opens HTML comments, and tries Markdown links.
HOSTILE = (
    "</script><script>alert(1)</script> <img src=x onerror=alert(1)> "
    "\"quotes\" 'single' ]]> <!-- & [link](javascript:alert(1)) <https://evil.example/>"
)
# Search terms are reflected into the page, and are at most 100 characters; taxonomy names 60.
HOSTILE_QUERY = "</script><img src=x onerror=alert(1)>\"'<!--]]>"
HOSTILE_NAME = "</script><img src=x onerror=alert(1)>\"'<!--]]> [x](y)"


# --- Headers -------------------------------------------------------------------------------


def csp_directives(header):
    """{directive: [values]} from a Content-Security-Policy header."""
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


PUBLIC_PAGES = [
    "/exercises",
    "/exercises/back",
    "/exercises.md",
    "/exercise/spine-stretch",
    "/exercise/spine-stretch.md",
    "/exercise/no-such-exercise",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
@pytest.mark.parametrize("visit", ["first", "cached"])
def test_public_pages_send_a_strict_content_security_policy(client, spine_stretch, url, visit):
    response = client.get(url)
    if visit == "cached":
        response = client.get(url)
    assert response.status_code in (200, 404)
    policy = csp_directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    for directive in ("script-src", "style-src", "img-src"):
        assert policy[directive] == ["'self'"], directive
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "nonce-" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", [*PUBLIC_PAGES, "/admin/login/"])
def test_every_response_sends_the_other_security_headers(client, spine_stretch, url):
    first = client.get(url)
    again = client.get(url)  # public pages now come from the page cache
    for response in (first, again):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        features = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()"
    if url in PUBLIC_PAGES:  # the admin's nonce changes every time
        assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


@pytest.mark.parametrize(
    "url",
    ["/exercises", "/exercises/back", "/exercise/spine-stretch", "/exercise/spine-stretch.md"],
)
def test_a_304_from_the_page_cache_carries_the_security_headers_of_the_200(
    client, spine_stretch, url
):
    first = client.get(url)
    from_cache = client.get(url, headers={"if-none-match": first["ETag"]})

    assert from_cache.status_code == 304
    for name in SECURITY_HEADERS:
        assert from_cache[name] == first[name], name
    assert from_cache["Cache-Control"] == first["Cache-Control"]
    assert not from_cache.has_header("Content-Length") or from_cache["Content-Length"] == "0"


@pytest.mark.parametrize(
    "url", ["/sitemap.xml", "/sitemap-exercises.xml", "/llms.txt", "/robots.txt", "/exercises"]
)
@pytest.mark.parametrize("method", ["options", "trace", "post", "put", "delete"])
def test_crawler_files_answer_only_get_and_head(client, spine_stretch, url, method):
    client.get(url)  # stored in the page cache first
    response = getattr(client, method)(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert b"<urlset" not in response.content and b"Spine Stretch" not in response.content


MALFORMED_SESSION_KEYS = [
    "abcdefgh\x00ijklmnop",
    "\x00" * 32,
    "abc\x07def\x1bghijklmnopqrstuvwxyz12",
    "z" * 5000,
    "../../etc/passwd-long-enough",
    "séssïön-këy-wîth-äccénts-ïn-ït",
]


@pytest.mark.parametrize("key", MALFORMED_SESSION_KEYS)
@pytest.mark.parametrize(
    "url", ["/exercises", "/exercise/spine-stretch", "/sitemap.xml", "/admin/", "/admin/login/"]
)
def test_a_malformed_session_cookie_is_no_session(client, spine_stretch, url, key):
    """Whatever the session cookie holds, no page answers 500, and the key never reaches the
    database (PostgreSQL refuses a NUL byte in a query): the visitor is anonymous."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.cookies[settings.SESSION_COOKIE_NAME] = key
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code in (200, 302)
    if url.startswith("/admin/") and response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")  # anonymous
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_real_session_still_signs_in(client, spine_stretch, django_user_model):
    staff = django_user_model.objects.create_superuser("editor", password="x-long-password-1")
    client.force_login(staff)

    assert client.get("/admin/").status_code == 200


def test_public_pages_are_byte_identical_between_requests(client, spine_stretch):
    """No per-request nonce or token: a cached copy and its headers stay valid."""
    first, second = client.get("/exercise/spine-stretch"), client.get("/exercise/spine-stretch")
    assert first.content == second.content
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]


def test_admin_has_its_own_policy_with_a_nonce_for_its_inline_tags(admin_client):
    response = admin_client.get("/admin/exercises/exercise/add/")
    header = response["Content-Security-Policy"]
    policy = csp_directives(header)
    nonce = next(v for v in policy["script-src"] if v.startswith("'nonce-"))[7:-1]
    assert f'nonce="{nonce}"'.encode() in response.content
    assert policy["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in header
    # A fresh nonce every time: the admin is never cached.
    again = admin_client.get("/admin/exercises/exercise/add/")["Content-Security-Policy"]
    assert again != header


def test_production_settings_turn_on_https_only_protections(monkeypatch):
    for name, value in {
        "FORGE_ENV": "production",
        "SECRET_KEY": "p" * 60,
        "ALLOWED_HOSTS": "forgetrainer.ai",
        "SITE_URL": "https://forgetrainer.ai",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    production = runpy.run_path(str(SETTINGS_FILE))
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SECURE_CSP"] == settings.SECURE_CSP
    middleware = production["MIDDLEWARE"]
    assert middleware.index("django.middleware.csp.ContentSecurityPolicyMiddleware") < (
        middleware.index("forge.middleware.AdminContentSecurityPolicyMiddleware")
    ), "the admin override must run before the CSP middleware reads it"


# --- Escaping ------------------------------------------------------------------------------


class Page(HTMLParser):
    """What a browser would build from the markup: elements, attributes, text, script bodies."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.text = []
        self.scripts = []  # (attributes, body)
        self._script = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "script":
            self._script = (attrs, [])
        self.text.extend(value for value in attrs.values() if value)

    def handle_endtag(self, tag):
        if tag == "script" and self._script:
            attrs, body = self._script
            self.scripts.append((attrs, "".join(body)))
            self._script = None

    def handle_data(self, data):
        if self._script:
            self._script[1].append(data)
        else:
            self.text.append(data)

    @property
    def all_text(self):
        return " ".join(" ".join(self.text).split())

    def json_ld(self):
        return [body for attrs, body in self.scripts if attrs.get("type") == "application/ld+json"]


def strings_in(data):
    """Every string anywhere in parsed JSON."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)


def assert_no_injected_markup(html):
    """Only the site's own elements: no injected tag, handler or script survives escaping."""
    page = Page(html)
    tags = {tag for tag, _ in page.elements}
    assert "img" not in tags
    for tag, attrs in page.elements:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"<{tag}> has event handler attributes {handlers}"
        if tag == "script":
            assert attrs.get("src", "").startswith(settings.STATIC_URL) or (
                attrs.get("type") == "application/ld+json"
            ), f"unexpected script {attrs}"
        assert not str(attrs.get("href", "")).startswith("javascript:")
    for _attrs, body in page.scripts:
        # Inside a <script>, "</" can end the block and "<!--" changes how it is parsed.
        assert "</" not in body and "<!--" not in body, "a script block holds raw markup"
    return page


def check_json_ld(page, *expected):
    """Every JSON-LD block parses, and each expected string comes back intact in one of them."""
    blocks = page.json_ld()
    found = set()
    for body in blocks:
        found.update(strings_in(json.loads(body)))
    text = " ".join(found)
    for string in expected:
        assert string in text, f"{string!r} missing from the JSON-LD"
    return blocks


@pytest.fixture
def hostile_exercise(taxonomy):
    """An exercise whose every trainer-written field is hostile."""
    back = BodyPart.objects.get(slug="back")
    back.intro = HOSTILE
    back.save()
    category = Category.objects.get(slug="strength")
    category.name = HOSTILE_NAME
    category.save()
    exercise = Exercise.objects.create(
        name=HOSTILE,
        slug="hostile",
        quick_answer=HOSTILE,
        body_part=back,
        equipment=Equipment.objects.get(slug="barbell"),
        target_muscle=Muscle.objects.get(slug="lower-back"),
        difficulty=Difficulty.objects.get(slug="beginner"),
        category=category,
        status=Exercise.Status.PUBLISHED,
    )
    Step.objects.create(exercise=exercise, text=f"Step: {HOSTILE}", position=1)
    ProTip.objects.create(exercise=exercise, text=f"Tip: {HOSTILE}", position=1)
    CommonMistake.objects.create(exercise=exercise, text=f"Mistake: {HOSTILE}", position=1)
    FAQ.objects.create(
        exercise=exercise, question=f"Question {HOSTILE}", answer=f"Answer {HOSTILE}", position=1
    )
    return exercise


def test_exercise_page_shows_hostile_text_as_text(client, hostile_exercise):
    response = client.get("/exercise/hostile")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    page = assert_no_injected_markup(html)
    for text in ("Step:", "Tip:", "Mistake:", "Question", "Answer"):
        assert f"{text} {HOSTILE}" in page.all_text, text
    assert HOSTILE_NAME in page.all_text  # the category, a trainer-named taxonomy value
    h1 = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert Page(h1).all_text == HOSTILE


def test_exercise_json_ld_keeps_hostile_text_inside_its_strings(client, hostile_exercise):
    page = assert_no_injected_markup(client.get("/exercise/hostile").content.decode())
    blocks = check_json_ld(page, HOSTILE, f"Step: {HOSTILE}")
    assert any('"FAQPage"' in block for block in blocks)
    check_json_ld(page, f"Question {HOSTILE}", f"Answer {HOSTILE}")


@pytest.mark.parametrize("url", ["/exercises/back", "/exercises/equipment/barbell", "/exercises"])
def test_listing_pages_show_hostile_names_and_intros_as_text(client, hostile_exercise, url):
    page = assert_no_injected_markup(client.get(url).content.decode())
    assert HOSTILE in page.all_text
    assert check_json_ld(page, HOSTILE), "no JSON-LD on the page"


def test_a_hostile_search_is_reflected_as_text(client, hostile_exercise):
    response = client.get("/exercises", {"q": HOSTILE_QUERY})
    assert response.status_code == 200
    page = assert_no_injected_markup(response.content.decode())
    search_box = next(attrs for tag, attrs in page.elements if attrs.get("id") == "browse-q")
    assert search_box["value"] == HOSTILE_QUERY
    check_json_ld(page)


def test_a_hostile_path_on_the_not_found_page_is_not_reflected_as_markup(client, taxonomy):
    response = client.get("/exercise/%3Cscript%3Ealert(1)%3C/script%3E")
    assert response.status_code == 404
    assert_no_injected_markup(response.content.decode())


def rendered_markdown(text):
    """The Markdown as a CommonMark renderer (raw HTML allowed) turns it into HTML."""
    return MarkdownIt("commonmark").render(text)


def assert_markdown_is_inert(markdown):
    html = rendered_markdown(markdown)
    page = assert_no_injected_markup(html)
    tags = {tag for tag, _ in page.elements}
    assert not tags & {"script", "img", "style", "iframe"}, tags
    for tag, attrs in page.elements:
        if tag == "a":  # only the site's own links and its call to action
            assert attrs["href"].startswith((settings.SITE_URL, settings.CTA_URL)), attrs
    return page


def test_exercise_markdown_neutralises_hostile_text(client, hostile_exercise):
    response = client.get("/exercise/hostile.md")
    assert response.status_code == 200
    page = assert_markdown_is_inert(response.content.decode())
    # The visitor still reads exactly what the trainer wrote.
    for text in ("Step:", "Tip:", "Mistake:", "Question", "Answer"):
        assert f"{text} {HOSTILE}" in page.all_text, text


@pytest.mark.parametrize("url", ["/exercises/back.md", "/exercises.md"])
def test_listing_markdown_neutralises_hostile_names(client, hostile_exercise, url):
    response = client.get(url)
    assert response.status_code == 200
    page = assert_markdown_is_inert(response.content.decode())
    assert HOSTILE in page.all_text


def test_llms_txt_neutralises_hostile_taxonomy_names(client, hostile_exercise):
    response = client.get("/llms.txt")
    assert response.status_code == 200
    page = assert_markdown_is_inert(response.content.decode())
    assert HOSTILE_NAME in page.all_text


# Markdown syntax, HTML and the characters around them, mixed with any text.
markdownish = (
    st.lists(
        st.sampled_from(
            [*"\\`*_~[]<>#+|=-.)!&:/ \n\t0123456789", "<script>", "</script>", "~~~", "```"]
            + ["1.", "[x](javascript:y)", "<http://e.x>", "![i](x)", "&lt;", "<!--", "]]>"]
            + ["    ", "\n\n", "***", "---", "===", "> ", "- ", "+ ", "* ", "| a |"]
        )
        | st.text(max_size=5),
        max_size=30,
    ).map("".join)
    | st.text()
)
only_text = hypothesis_settings(max_examples=500, derandomize=True, database=None, deadline=None)


def paragraphs_of_text(markdown):
    """True when CommonMark reads the Markdown as plain paragraphs of text and nothing else."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    for token in tokens:
        if token.type not in ("paragraph_open", "inline", "paragraph_close"):
            return False
        if token.type == "inline" and {c.type for c in token.children} - {"text", "softbreak"}:
            return False
    return True


@only_text
@given(text=markdownish)
def test_md_inline_output_is_only_ever_text(text):
    """No heading, list, quote, code, emphasis, link, image or HTML from any trainer text."""
    assert paragraphs_of_text(md_inline(text)), md_inline(text)


@only_text
@given(text=markdownish)
def test_md_block_output_is_only_ever_paragraphs_of_text(text):
    assert paragraphs_of_text(md_block(text)), md_block(text)

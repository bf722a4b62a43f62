"""Bad input never becomes a 500: hypothesis throws junk query strings and paths at the site.

Every response must be 2xx, 3xx or 4xx, and every redirect must stay on the site. The test
client is told not to re-raise view exceptions, so a crash shows up as the 500 page a visitor
would see, with its traceback in the failure message. The examples are derandomized, so every
run tries the same inputs.
"""

import json
import traceback
from pathlib import Path
from urllib.parse import quote, quote_from_bytes, urlencode

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises.filters import SORTS
from exercises.interchange.importer import import_library
from exercises.models import FACET_MODELS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

fuzz = settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module", autouse=True)
def starter_sample(django_db_setup, django_db_blocker):
    """The taxonomy, the Spine Stretch and every 20th starter exercise (45 in all: two pages of
    results and the legs + barbell combination hub), loaded once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_exercises", FIXTURES / "taxonomy.json", verbosity=0)
        call_command("import_exercises", FIXTURES / "spine-stretch.json", verbosity=0)
        starter = json.loads((FIXTURES / "free-exercise-db.json").read_text(encoding="utf-8"))
        import_library(starter[::20])
        cache.clear()
        yield
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture(scope="module")
def visitor():
    return Client(raise_request_exception=False)


def assert_answered_safely(response, url):
    """Not a server error, and a redirect never leaves the site."""
    if response.status_code >= 500:
        error = "".join(traceback.format_exception(*response.exc_info[:3]))
        pytest.fail(f"{response.status_code} for {url!r}\n{error}")
    assert response.status_code >= 200
    if 300 <= response.status_code < 400:
        location = response["Location"]
        # "//host" and "/\host" are read by browsers as another host.
        assert location.startswith("/") and location[1:2] not in ("/", "\\"), (url, location)


# --- Strategies ----------------------------------------------------------------------------

KNOWN_VALUES = [
    *("back", "legs", "barbell", "bodyweight", "lower-back", "beginner", "strength", "cardio"),
    *(value for value, _ in SORTS),
    *("1", "2", "3", "0", "-1", "01", "999999", "9999999999999999999999", "1e3", " 2", "２", "²"),
    *("BACK", "back-", "-back", "back--legs", "back\n", "equipment", "%", "%00", "\x00", ""),
    # Search syntax of PostgreSQL's full-text and trigram search, and of LIKE.
    *("a & b | !c", '"unclosed', "-", "or", "the", "squat:*", "<->", "((", "\\", "%_", "'"),
]
PARAMETERS = [*FACET_MODELS, "q", "sort", "page"]

values = st.one_of(
    st.sampled_from(KNOWN_VALUES),
    st.text(max_size=40),  # any unicode, NUL included
    st.binary(max_size=30).map(lambda raw: raw.decode("utf-8", "replace")),
    st.builds(lambda char, n: char * n, st.sampled_from("a-é%\x00 "), st.integers(90, 20_000)),
)
parameters = st.lists(
    st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=12), values), max_size=12
)
encoded_query = parameters.map(urlencode)
# What reaches the server from a hand-typed address: stray %, &, =, ; and raw UTF-8.
raw_query = st.one_of(
    st.text(alphabet="abcpqsortmuleg_=&;%+.,-0123456789zZ/?[]'\"<>", max_size=80),
    st.binary(max_size=40).map(lambda raw: quote_from_bytes(raw, safe="=&%")),
    st.text(max_size=40).map(lambda text: quote(text, safe="=&%+")),
)
queries = encoded_query | raw_query

segment = st.one_of(
    st.sampled_from(["back", "legs", "barbell", "spine-stretch", "equipment", "muscle", ".md"]),
    st.from_regex(r"\A[a-z0-9-]{1,30}\Z"),
    st.text(max_size=30).map(lambda text: quote(text, safe="")),
    st.binary(max_size=20).map(lambda raw: quote_from_bytes(raw, safe="")),
    st.sampled_from(["%", "%zz", "%c0%af", "%ff%fe", "%00", "..", "%2e%2e", "%2F", "a" * 5000]),
)
paths = st.builds(
    lambda root, parts, suffix: root + "/".join(parts) + suffix,
    st.sampled_from(["/exercises/", "/exercise/", "/Exercises/", "/exercise//", "//", "/%5C"]),
    st.lists(segment, min_size=1, max_size=4),
    st.sampled_from(["", ".md", "/", ".MD", ".md/"]),
)

PAGES = [
    "/exercises",  # the library and its search and pagination
    "/exercises.md",
    "/exercises/back",  # a body part hub
    "/exercises/beginner",  # a difficulty hub (same address space)
    "/exercises/equipment/barbell",
    "/exercises/legs/barbell",  # a combination hub
    "/exercises/legs/barbell.md",
]


# --- Properties ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
@settings(fuzz, max_examples=60)  # per page
@given(query=queries)
def test_any_query_string_gets_an_answer_that_is_not_an_error(visitor, page, query):
    url = f"{page}?{query}"
    assert_answered_safely(visitor.get(url), url)


@pytest.mark.django_db
@fuzz
@given(parameters=parameters, method=st.sampled_from(["get", "head"]))
def test_any_search_and_page_combination_gets_an_answer(visitor, parameters, method):
    url = "/exercises?" + urlencode([("q", "squat"), *parameters, ("page", "2")])
    assert_answered_safely(getattr(visitor, method)(url), url)


@pytest.mark.django_db
@settings(fuzz, max_examples=300)
@given(path=paths, query=st.just("") | queries)
def test_any_path_under_exercises_gets_an_answer(visitor, path, query):
    url = f"{path}?{query}" if query else path
    assert_answered_safely(visitor.get(url), url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/exercises?page=2",
        "/exercises/legs/barbell",
        "/exercise/spine-stretch.md",
        "/exercises?q=curl&sort=difficulty",
    ],
)
def test_the_sample_library_has_what_the_properties_rely_on(visitor, url):
    """Guards against a fuzz run that only ever sees 404s."""
    assert visitor.get(url).status_code == 200

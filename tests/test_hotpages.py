"""Hot pages kept in each app server process's memory (forge/hotpages.py): answered before Django
runs, byte for byte what Django answers, and never older than the last edit, in any process.

Each `Process` is what one gunicorn worker runs: forge.wsgi's HotPages around its own Django
WSGI handler, with memory of its own; they share the database and the page cache, as app servers
do. Assertions count how many requests reached Django, never seconds.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import make_exercise
from wsgi import Counting, call

from exercises.models import Exercise
from forge import hotpages
from forge.hotpages import HotPages


class Process:
    """One app server process: its memory of hot pages in front of its own Django."""

    def __init__(self):
        self.django = Counting()
        self.application = HotPages(self.django)

    def get(self, path, method="GET", **headers):
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_HOST": "testserver",
            **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
        }
        status, headers, content = call(self.application, environ)
        return int(status.split()[0]), headers, content


@pytest.fixture
def processes(taxonomy, settings, django_capture_on_commit_callbacks):
    """Two app server processes sharing the database and an empty page cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "hot-pages-tests",
        }
    }
    settings.PAGE_CACHE_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=True):
        make_exercise("Rack Pull", equipment="barbell")
        make_exercise("Good Morning", equipment="barbell")
    return Process(), Process()


PAGES = [
    "/exercise/rack-pull",
    "/exercises",
    "/exercises/back",
    "/exercise/rack-pull.md",
    "/exercises/back.md",
]


def test_a_hot_page_is_answered_without_django_byte_for_byte(processes):
    process, _ = processes
    for path in PAGES:
        first = process.get(path)
        calls = process.django.calls
        with CaptureQueriesContext(connection) as queries:
            again = process.get(path)

        assert process.django.calls == calls, f"{path} reached Django again"
        assert again == first
        assert first[0] == 200
        assert len(queries) == 1  # the content version, as a page cache hit


def test_a_compressed_copy_is_kept_apart(processes):
    process, _ = processes
    plain = process.get("/exercises")
    gzipped = process.get("/exercises", accept_encoding="gzip")
    calls = process.django.calls

    assert process.get("/exercises", accept_encoding="gzip") == gzipped
    assert process.get("/exercises") == plain
    assert gzipped[1]["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain[1]
    assert process.django.calls == calls


def test_an_edit_through_one_process_shows_on_the_next_request_of_another(
    processes, django_capture_on_commit_callbacks
):
    editing, serving = processes
    for path in PAGES:
        assert serving.get(path)[0] == 200
        serving.get(path)
    editing.get("/exercise/rack-pull")
    calls = serving.django.calls

    with django_capture_on_commit_callbacks(execute=True):
        exercise = Exercise.objects.get(slug="rack-pull")
        exercise.name = "Block Pull"
        exercise.save()

    for path in PAGES:
        status, _, body = serving.get(path)
        assert status == 200
        assert b"Block Pull" in body, f"{path} is stale in the other process"
    assert serving.django.calls == calls + len(PAGES)
    assert b"Block Pull" in editing.get("/exercise/rack-pull")[2]


def test_unpublishing_retires_every_process_copy_at_once(
    processes, django_capture_on_commit_callbacks
):
    for process in processes:
        for path in PAGES:
            process.get(path)

    with django_capture_on_commit_callbacks(execute=True):
        exercise = Exercise.objects.get(slug="rack-pull")
        exercise.status = Exercise.Status.DRAFT
        exercise.save()

    for process in processes:
        assert process.get("/exercise/rack-pull")[0] == 404
        assert process.get("/exercise/rack-pull.md")[0] == 404
        assert b"Rack Pull" not in process.get("/exercises")[2]
        assert b"Rack Pull" not in process.get("/exercises/back")[2]


def test_a_copy_in_memory_answers_conditional_requests_as_django_does(processes, settings):
    process, _ = processes
    status, headers, _ = process.get("/exercise/rack-pull")
    settings.PAGE_CACHE_MEMORY_BYTES = 0
    from_django = Process()  # no memory: PageCacheMiddleware's 304
    settings.PAGE_CACHE_MEMORY_BYTES = 16 * 2**20
    for conditional in (
        {"if_none_match": headers["ETag"]},
        {"if_modified_since": headers["Last-Modified"]},
    ):
        calls = process.django.calls
        answer = process.get("/exercise/rack-pull", **conditional)
        expected = from_django.get("/exercise/rack-pull", **conditional)

        assert process.django.calls == calls
        assert answer[0] == expected[0] == 304
        assert answer[1] == expected[1]
        assert answer[2] == b""
        assert "X-Content-Type-Options" in answer[1]
        assert "Content-Security-Policy" in answer[1]

    assert process.get("/exercise/rack-pull", if_none_match='"other"')[0] == 200
    assert process.django.calls == calls


def test_head_is_answered_from_the_copy_of_the_get(processes):
    process, _ = processes
    process.get("/exercises")
    calls = process.django.calls

    assert process.get("/exercises", method="HEAD")[0] == 200
    assert process.django.calls == calls


def test_signed_in_visitors_other_methods_and_the_admin_always_reach_django(
    processes, admin_client
):
    process, _ = processes
    admin_client.get("/admin/")
    session = admin_client.cookies["sessionid"].value
    for _ in range(2):
        process.get("/exercises")
        process.get("/exercises", cookie=f"sessionid={session}")
        process.get("/exercises", method="POST")
        process.get("/admin/login/")
        process.get("/exercises", if_match='"x"')

    assert process.django.calls == 1 + 2 * 4


def test_a_dead_cache_server_leaves_the_copies_in_memory_working(processes, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    process, _ = processes
    answers = [process.get(path) for path in PAGES * 3]

    assert [status for status, _, _ in answers] == [200] * len(answers)
    assert process.django.calls == len(PAGES)


def test_memory_stays_within_its_bound(processes, settings):
    process, _ = processes
    settings.PAGE_CACHE_MEMORY_BYTES = 100_000
    for path in PAGES:
        process.get(path)
        process.get(path, accept_encoding="gzip")

    assert 0 < process.application.size <= 100_000
    assert process.application.size == sum(
        len(page.body) for page in process.application.pages.values()
    )


def test_the_cache_off_means_no_copies(processes, settings):
    settings.PAGE_CACHE_SECONDS = 0
    process, _ = processes
    for _ in range(2):
        process.get("/exercises")

    assert process.django.calls == 2
    assert not process.application.pages


def test_unknown_middleware_above_the_page_cache_turns_the_copies_off(settings):
    settings.MIDDLEWARE = ["example.Rewrite", *settings.MIDDLEWARE]

    assert not HotPages.can_serve()
    settings.MIDDLEWARE = settings.MIDDLEWARE[1:]
    assert HotPages.can_serve()
    assert hotpages.PAGE_CACHE in settings.MIDDLEWARE


def test_forge_wsgi_serves_hot_pages():
    from forge.wsgi import application

    assert isinstance(application, HotPages)
    assert application.enabled


def test_a_failed_version_read_is_answered_by_django(processes, monkeypatch):
    """A dropped database connection: the copy is not served blind; Django answers (and its
    request_started replaces the connection)."""
    process, _ = processes
    first = process.get("/exercises")

    def dropped(self):
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(HotPages, "current_version", dropped)
    calls = process.django.calls

    assert process.get("/exercises") == first
    assert process.django.calls == calls + 1

"""The page cache: anonymous pages come whole from the cache, and never outlive the content.

The invalidation tests run against local memory and, when REDIS_TEST_URL names a Redis
database (.ci/run sets it), against Redis, the cache several app servers share.
"""

import gzip
import os

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from factories import make_exercise
from settings_env import BASE_DIR
from workers import redis_test_url

from exercises import caching
from exercises.models import (
    FAQ,
    ContentRevision,
    Equipment,
    Exercise,
    ExerciseAlias,
    Muscle,
    Step,
)
from forge import pagecache

REDIS_TEST_URL = redis_test_url()  # this xdist worker's own database


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache on the given backend, empty, with pages kept for ten minutes."""
    if request.param == "redis":
        if not REDIS_TEST_URL:
            pytest.skip(
                "REDIS_TEST_URL is not set (e.g. redis://127.0.0.1:6379/15); .ci/run sets it"
            )
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_TEST_URL,
                "KEY_PREFIX": f"forge-test-{os.getpid()}",
            }
        }
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "page-cache-tests",
            }
        }
    settings.PAGE_CACHE_SECONDS = 600
    # Pages other tests cached stay in Redis, under content versions that are no longer current.
    return request.param


def cached_exercise(name, status=Exercise.Status.PUBLISHED, steps=1):
    """A back/barbell exercise with steps and an FAQ, so that every list on its page shows."""
    return make_exercise(
        name,
        equipment="barbell",
        difficulty="intermediate",
        status=status,
        quick_answer=f"The {name} in a sentence.",
        steps=[f"Set up for the {name}."]
        + [f"Step {n} of the {name}." for n in range(2, steps + 1)],
        faqs=[(f"Why do the {name}?", "It is good.")],
    )


@pytest.fixture
def rack_pull(taxonomy, page_cache, django_capture_on_commit_callbacks):
    """A published exercise among others on its hubs, and a draft."""
    with django_capture_on_commit_callbacks(execute=True):
        cached_exercise("Good Morning")
        # Enough steps to pass the publish gate, so a test can publish it from the admin.
        cached_exercise("Hidden Row", status=Exercise.Status.DRAFT, steps=3)
        return cached_exercise("Rack Pull")


def exercise_pages(exercise):
    """Every page that shows the exercise: its page, its Markdown copy, its hubs, the library."""
    return [
        exercise.get_absolute_url(),
        exercise.get_markdown_url(),
        exercise.body_part.get_absolute_url(),
        exercise.equipment.get_absolute_url(),
        exercise.target_muscle.get_absolute_url(),
        "/exercises",
        "/exercises.md",
    ]


def queries_for(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    return response, len(queries)


# A stored page costs one query: the content version it is checked against (forge.pagecache).
CACHED_PAGE_QUERIES = 1


def warm(client, paths):
    """Visit each page twice: the second visit must come from the cache."""
    for path in paths:
        first = client.get(path)
        assert first.status_code == 200, path
        second, count = queries_for(client, path)
        assert count <= CACHED_PAGE_QUERIES, f"{path} was not served from the cache"
        assert second.content == first.content


# --- What is cached, and how ------------------------------------------------------------------


def test_a_cached_page_is_byte_identical_with_the_same_headers(client, rack_pull):
    for path in exercise_pages(rack_pull):
        first = client.get(path)
        second, count = queries_for(client, path)

        assert count <= CACHED_PAGE_QUERIES
        assert second.status_code == 200
        assert second.content == first.content
        assert dict(second.headers) == dict(first.headers)


def test_a_markdown_copy_keeps_its_content_type_and_canonical_link(client, rack_pull):
    first = client.get(rack_pull.get_markdown_url())
    second, count = queries_for(client, rack_pull.get_markdown_url())

    assert count <= CACHED_PAGE_QUERIES
    assert second["Content-Type"] == "text/markdown; charset=utf-8"
    assert second["Link"] == first["Link"]
    assert 'rel="canonical"' in second["Link"]


def test_compressed_and_plain_copies_are_cached_apart(client, rack_pull):
    path = "/exercises"
    gzipped = client.get(path, headers={"accept-encoding": "gzip, br"})
    plain = client.get(path)
    again_gzipped, gzipped_queries = queries_for(client, path, headers={"accept-encoding": "gzip"})
    again_plain, plain_queries = queries_for(client, path)

    assert gzipped["Content-Encoding"] == again_gzipped["Content-Encoding"] == "gzip"
    assert again_gzipped.content == gzipped.content
    assert gzip.decompress(gzipped.content) == plain.content == again_plain.content
    assert not again_plain.has_header("Content-Encoding")
    assert gzipped_queries <= CACHED_PAGE_QUERIES
    assert plain_queries <= CACHED_PAGE_QUERIES


def test_head_is_answered_from_the_page_get_cached(client, rack_pull):
    client.get(rack_pull.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        response = client.head(rack_pull.get_absolute_url())
    count = len(queries)

    assert response.status_code == 200
    assert count <= CACHED_PAGE_QUERIES


def test_signed_in_staff_bypass_the_cache_and_their_previews_stay_private(
    client, rack_pull, django_user_model
):
    draft = Exercise.objects.get(name="Hidden Row")
    warm(client, ["/exercises"])
    staff = django_user_model.objects.create_superuser("editor", password="x-long-password-1")
    staff_client = type(client)()
    staff_client.force_login(staff)

    page, count = queries_for(staff_client, "/exercises")
    preview = staff_client.get(draft.get_absolute_url())

    assert page.status_code == 200
    assert count > 0  # rendered for them, not taken from the cache
    assert preview.status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_an_anonymous_session_cookie_still_gets_cached_pages(client, rack_pull):
    warm(client, ["/exercises"])
    client.cookies["sessionid"] = "not-a-session"

    response, count = queries_for(client, "/exercises")

    assert response.status_code == 200
    assert count <= CACHED_PAGE_QUERIES  # a key Django never makes is not looked up


@pytest.mark.parametrize(
    "path", ["/exercise/no-such-exercise", "/exercises/nowhere", "/exercises?page=99"]
)
def test_not_found_pages_are_not_cached(client, rack_pull, path):
    assert client.get(path).status_code == 404
    response, count = queries_for(client, path)

    assert response.status_code == 404
    assert count > 0


def test_redirects_are_not_cached(client, rack_pull):
    rack_pull.slug = "block-pull"
    rack_pull.save()

    for _ in range(2):
        response, count = queries_for(client, "/exercise/rack-pull")
        assert response.status_code == 301
        assert response["Location"] == "/exercise/block-pull"
        assert count > 0


def test_other_methods_are_never_cached(client, rack_pull):
    client.get("/exercises")

    assert client.post("/exercises").status_code == 405


def test_a_cache_restored_from_before_an_edit_serves_no_old_page(
    client, rack_pull, django_capture_on_commit_callbacks
):
    """The content version lives in the database: stored pages put back as they were before
    an edit (a restored snapshot, a lagging replica taking over) are not current any more."""
    pages = exercise_pages(rack_pull)
    warm(client, pages)
    keys = [pagecache.page_key(RequestFactory().get(path)) for path in pages]
    snapshot = cache.get_many(keys)
    assert len(snapshot) == len(pages)

    with django_capture_on_commit_callbacks(execute=True):
        rack_pull.status = Exercise.Status.DRAFT
        rack_pull.save()
    cache.set_many(snapshot)

    assert client.get(pages[0]).status_code == 404
    for path in pages[2:]:
        assert b"Rack Pull" not in client.get(path).content, path


def test_a_page_stays_fresh_when_the_cache_is_emptied(client, rack_pull):
    warm(client, ["/exercises"])
    Exercise.objects.filter(pk=rack_pull.pk).update(name="Block Pull")  # sends no signal
    caching.content_changed()  # as the importer does after such writes
    cache.clear()

    assert b"Block Pull" in client.get("/exercises").content


def test_pages_are_served_when_the_cache_is_down(client, taxonomy, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }

    assert client.get("/exercises").status_code == 200


# --- Instant invalidation: the very next request shows every change ---------------------------


def rename(exercise):
    exercise.name = "Block Pull"
    exercise.save()


def edit_step(exercise):
    step = exercise.steps.get()
    step.text = "Set the bar on blocks at knee height."
    step.save()


def add_faq(exercise):
    FAQ.objects.create(
        exercise=exercise, position=2, question="Is a block pull a rack pull?", answer="Nearly."
    )


def edit_faq(exercise):
    FAQ.objects.filter(exercise=exercise).get().delete()
    add_faq(exercise)


def rename_equipment(exercise):
    barbell = exercise.equipment
    barbell.name = "Olympic Barbell"
    barbell.save()


def add_secondary_muscle(exercise):
    exercise.secondary_muscles.add(Muscle.objects.get(slug="hamstrings"))


def add_alias(exercise):
    ExerciseAlias.objects.create(exercise=exercise, name="Block Pull")


EVERYWHERE = ["page", "markdown", "body part hub", "equipment hub", "muscle hub", "library"]
ON_THE_PAGE = ["page", "markdown"]


@pytest.mark.parametrize(
    ("edit", "text", "where"),
    [
        (rename, "Block Pull", EVERYWHERE),
        (edit_step, "Set the bar on blocks at knee height.", ON_THE_PAGE),
        (add_faq, "Is a block pull a rack pull?", ON_THE_PAGE),
        (edit_faq, "Is a block pull a rack pull?", ON_THE_PAGE),
        (rename_equipment, "Olympic Barbell", EVERYWHERE),
        (add_secondary_muscle, "Hamstrings", ON_THE_PAGE),
        (add_alias, "Also known as Block Pull", ON_THE_PAGE),
    ],
)
def test_an_edit_shows_on_the_very_next_request(
    client, rack_pull, django_capture_on_commit_callbacks, edit, text, where
):
    pages = dict(
        zip(
            ["page", "markdown", "body part hub", "equipment hub", "muscle hub", "library"],
            exercise_pages(rack_pull),
            strict=False,
        )
    )
    warm(client, pages.values())

    with django_capture_on_commit_callbacks(execute=True):
        edit(rack_pull)

    for name in where:
        response = client.get(pages[name])
        assert response.status_code == 200, name
        assert text in response.content.decode(), f"{name} ({pages[name]}) is stale"


def test_unpublishing_removes_the_exercise_everywhere_at_once(
    client, rack_pull, django_capture_on_commit_callbacks
):
    pages = exercise_pages(rack_pull)
    warm(client, pages)

    with django_capture_on_commit_callbacks(execute=True):
        rack_pull.status = Exercise.Status.DRAFT
        rack_pull.save()

    assert client.get(pages[0]).status_code == 404
    assert client.get(pages[1]).status_code == 404
    for path in pages[2:]:
        assert b"Rack Pull" not in client.get(path).content, path


def test_publishing_in_the_admin_shows_the_exercise_at_once(
    client, admin_client, rack_pull, django_capture_on_commit_callbacks
):
    draft = Exercise.objects.get(name="Hidden Row")
    warm(client, ["/exercises", "/exercises/back", "/exercises/equipment/barbell"])
    assert client.get(draft.get_absolute_url()).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/exercises/exercise/",
            {"action": "publish", "_selected_action": [draft.pk]},
        )
    assert response.status_code == 302

    assert client.get(draft.get_absolute_url()).status_code == 200
    for path in ["/exercises", "/exercises/back", "/exercises/equipment/barbell"]:
        assert b"Hidden Row" in client.get(path).content, path


def test_deleting_answers_gone_at_once(client, rack_pull, django_capture_on_commit_callbacks):
    pages = exercise_pages(rack_pull)
    warm(client, pages)

    with django_capture_on_commit_callbacks(execute=True):
        rack_pull.delete()

    assert client.get(pages[0]).status_code == 410
    for path in pages[2:]:
        assert b"Rack Pull" not in client.get(path).content, path


def revision_writes(queries):
    return [q["sql"] for q in queries if 'UPDATE "exercises_contentrevision"' in q["sql"]]


def test_deleting_many_exercises_replaces_the_content_version_once(
    client, rack_pull, django_capture_on_commit_callbacks
):
    """A queryset's delete sends a signal per row (each exercise's steps and FAQs too): the
    content version is replaced once for all of them, and the pages are fresh at once."""
    pages = ["/exercises", "/exercises/back", rack_pull.get_absolute_url()]
    warm(client, pages)

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        _, per_model = Exercise.objects.filter(equipment__slug="barbell").delete()

    assert per_model[Step._meta.label] == 1 + 3 + 1 and per_model[FAQ._meta.label] == 3
    assert len(revision_writes(queries)) == 1
    assert client.get(pages[2]).status_code == 410
    for path in pages[:2]:
        page = client.get(path).content
        assert b"Rack Pull" not in page and b"Good Morning" not in page, path


def test_deleting_only_drafts_keeps_the_content_version(client, rack_pull):
    warm(client, ["/exercises"])
    before = caching.content_version()

    with CaptureQueriesContext(connection) as queries:
        Exercise.objects.filter(status=Exercise.Status.DRAFT).delete()

    assert not revision_writes(queries)
    assert caching.content_version() == before


def test_a_page_rendered_before_the_commit_is_dropped_after_it(
    client, rack_pull, django_capture_on_commit_callbacks
):
    """Another server may render the old rows between the save and the commit: it reads the
    content version as committed before the edit, so what it cached then is never served."""
    path = rack_pull.get_absolute_url()
    request = RequestFactory().get(path)
    before_the_edit = pagecache.page_version(request)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rename(rack_pull)
        stale = HttpResponse(b"the old Rack Pull page")
        cache.set(pagecache.page_key(request), pagecache.freeze(stale, before_the_edit))
        assert b"Block Pull" in client.get(path).content
    for callback in callbacks:
        callback()

    assert b"Block Pull" in client.get(path).content


def test_every_model_of_the_app_changes_the_content_version():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    models = [m for m in apps.get_app_config("exercises").get_models() if m is not ContentRevision]
    assert Exercise in models and Step in models
    for model in models:
        assert post_save.has_listeners(model), model
        assert post_delete.has_listeners(model), model


def test_importing_a_library_changes_the_generation(taxonomy, page_cache, client):
    from django.core.management import call_command

    warm(client, ["/exercises"])
    fixture = BASE_DIR / "fixtures" / "spine-stretch.json"
    call_command("import_exercises", fixture, verbosity=0, status="published")

    assert b"Spine Stretch" in client.get("/exercises").content


# --- The middleware's rules -------------------------------------------------------------------


@pytest.fixture
def counting_view(db, page_cache):
    """A public view behind the page cache that counts its calls and answers what it is told."""
    calls = []

    def make(**headers):
        def view(request):
            calls.append(request)
            return HttpResponse(b"<p>page</p>", headers=headers)

        # Like a browse page, whose query string is its state (params=None).
        return pagecache.PageCacheMiddleware(pagecache.public_page(params=None)(view))

    make.calls = calls
    return make


def anonymous(path="/exercises", **extra):
    return RequestFactory().get(path, **extra)


def test_only_responses_of_public_views_are_cached(db, page_cache):
    calls = []

    def view(request):
        calls.append(request)
        return HttpResponse(b"<p>not marked</p>")

    middleware = pagecache.PageCacheMiddleware(view)
    middleware(anonymous())
    middleware(anonymous())

    assert len(calls) == 2


def test_a_cached_page_answers_conditional_requests_without_the_view(counting_view):
    view = counting_view(ETag='"v1"', **{"Last-Modified": "Tue, 24 Nov 2026 08:00:00 GMT"})
    view(anonymous())

    by_etag = view(anonymous(HTTP_IF_NONE_MATCH='"v1"'))
    by_date = view(anonymous(HTTP_IF_MODIFIED_SINCE="Tue, 24 Nov 2026 09:00:00 GMT"))
    changed = view(anonymous(HTTP_IF_NONE_MATCH='"v0"'))

    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag["ETag"] == '"v1"'
    assert changed.status_code == 200
    assert len(counting_view.calls) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Vary": "Accept"},
        {"Cache-Control": "private"},
        {"Cache-Control": "no-store"},
    ],
)
def test_responses_that_are_not_for_everyone_are_not_cached(counting_view, headers):
    view = counting_view(**headers)
    view(anonymous())
    view(anonymous())

    assert len(counting_view.calls) == 2


def test_a_response_setting_a_cookie_is_not_cached(db, page_cache):
    calls = []

    def view(request):
        calls.append(request)
        response = HttpResponse(b"<p>page</p>")
        response.set_cookie("seen", "1")
        return response

    cached_view = pagecache.PageCacheMiddleware(pagecache.public_page()(view))
    cached_view(anonymous())
    cached_view(anonymous())

    assert len(calls) == 2


def test_a_long_address_is_cached_under_a_short_key(counting_view):
    """Keys are hashed, so a long canonical state is stored like any other: a long query
    string no longer forces a render on every request."""
    view = counting_view()
    path = "/exercises?equipment=" + "&equipment=".join(f"value-{n:03}" for n in range(60))
    assert len(path) > 512
    view(anonymous(path))
    view(anonymous(path))

    assert len(counting_view.calls) == 1


@pytest.mark.parametrize("path", ["/exercises?q=rack", "/exercises.md?q=rack"])
def test_searches_are_not_stored(client, rack_pull, path):
    """Any text makes a new search: `?q=<random>` must not fill the page cache."""
    first = client.get(path)
    again, count = queries_for(client, path)

    assert first.status_code == again.status_code == 200
    assert b"Rack Pull" in again.content
    assert count > CACHED_PAGE_QUERIES  # rendered again
    assert again["Cache-Control"] == first["Cache-Control"]
    assert "public" in again["Cache-Control"]


def test_keys_stay_short_whatever_the_address(rf):
    key = pagecache.page_key(rf.get("/exercises?q=" + "é" * 400))

    assert len(key) < 100


def test_page_cache_seconds_zero_turns_the_cache_off(counting_view, settings):
    settings.PAGE_CACHE_SECONDS = 0
    view = counting_view()
    view(anonymous())
    view(anonymous())

    assert len(counting_view.calls) == 2


# --- Settings ---------------------------------------------------------------------------------


def test_production_without_redis_shares_a_file_cache_between_workers(load_settings, tmp_path):
    production = {
        "FORGE_ENV": "production",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "forgetrainer.ai",
        "SITE_URL": "https://forgetrainer.ai",
    }
    default = load_settings(**production, CACHE_DIR=str(tmp_path))["CACHES"]["default"]
    redis = load_settings(**production, REDIS_URL="redis://10.0.0.5:6379/0")["CACHES"]["default"]

    assert default["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert default["LOCATION"] == str(tmp_path)
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_page_cache_seconds_come_from_the_environment(load_settings):
    assert load_settings()["PAGE_CACHE_SECONDS"] == 24 * 60 * 60
    assert load_settings(PAGE_CACHE_SECONDS="0")["PAGE_CACHE_SECONDS"] == 0


# --- Drafts leave no trace in public responses ------------------------------------------------


def public_snapshot(client, paths):
    """What a visitor (or a crawler revalidating) sees at each address."""
    snapshot = {}
    for path in paths:
        response = client.get(path)
        snapshot[path] = (
            response.status_code,
            response.content,
            response.get("ETag"),
            response.get("Last-Modified"),
        )
    return snapshot


def test_a_draft_changes_no_public_response(
    client, spine_stretch, django_capture_on_commit_callbacks
):
    """Making, editing and deleting a draft, even under a taxonomy value no published exercise
    uses, leaves every public page, ETag and crawler file as it was."""
    unused = Equipment.objects.exclude(exercises__isnull=False).first()
    paths = [
        "/exercises",
        "/exercises.md",
        "/exercises/back",
        unused.get_absolute_url(),
        unused.get_markdown_url(),
        spine_stretch.get_absolute_url(),
        spine_stretch.get_markdown_url(),
        "/sitemap.xml",
        "/sitemap-exercises.xml",
        "/sitemap-hubs.xml",
        "/llms.txt",
    ]
    before = public_snapshot(client, paths)

    with django_capture_on_commit_callbacks(execute=True):
        draft = make_exercise(
            "Hidden Row",
            equipment=unused.slug,
            status=Exercise.Status.DRAFT,
            steps=["Set up for the row."],
            faqs=[("Why row?", "It is good.")],
        )
        draft.name = "Hidden Bent Row"
        draft.slug = "hidden-bent-row"
        draft.save()
        edit_step(draft)
        add_faq(draft)
        draft.secondary_muscles.add(Muscle.objects.get(slug="hamstrings"))
    assert public_snapshot(client, paths) == before

    with django_capture_on_commit_callbacks(execute=True):
        draft.delete()
    assert public_snapshot(client, paths) == before


def test_publishing_changes_the_public_etags(
    client, spine_stretch, django_capture_on_commit_callbacks
):
    """The other side of the test above: a published change does change them."""
    before = client.get("/exercises")["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        make_exercise("Visible Row")

    assert client.get("/exercises")["ETag"] != before


def test_redis_waits_briefly_and_is_bypassed_after_a_failure(load_settings):
    from django.core.exceptions import ImproperlyConfigured

    default = load_settings(REDIS_URL="redis://10.0.0.5:6379/0")
    slow = load_settings(REDIS_URL="redis://10.0.0.5:6379/0", REDIS_TIMEOUT="1.5")

    assert default["CACHES"]["default"]["OPTIONS"] == {
        "socket_connect_timeout": 0.25,
        "socket_timeout": 0.25,
    }
    assert slow["CACHES"]["default"]["OPTIONS"]["socket_timeout"] == 1.5
    assert default["PAGE_CACHE_BYPASS_SECONDS"] == 10
    for bad in ("0", "soon", "-1"):
        with pytest.raises(ImproperlyConfigured, match="REDIS_TIMEOUT"):
            load_settings(REDIS_URL="redis://10.0.0.5:6379/0", REDIS_TIMEOUT=bad)

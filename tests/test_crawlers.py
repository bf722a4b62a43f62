"""What crawlers rely on besides the pages: robots.txt, llms.txt, addresses that never break,
and HTTP caching (conditional GET, Cache-Control, byte-identical anonymous responses)."""

import re

import pytest
from django.test.signals import template_rendered
from django.utils.http import http_date
from factories import make_exercise
from protego import Protego

from exercises.models import (
    BodyPart,
    Category,
    Difficulty,
    Equipment,
    Exercise,
    HubSlug,
    Muscle,
    Step,
)

SITE = "https://forge.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


# robots.txt


@pytest.fixture
def robots(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return Protego.parse(response.content.decode())


@pytest.mark.parametrize(
    "path",
    [
        "/exercises",
        "/exercises.md",
        "/exercises?page=2",
        "/exercises/back",
        "/exercises/back?page=2",
        "/exercises/back.md",
        "/exercises/equipment/ez-bar",
        "/exercises/back/barbell",
        "/exercises/back/barbell?page=3",
        "/exercise/spine-stretch",
        "/exercise/spine-stretch.md",
        "/llms.txt",
        "/sitemap.xml",
    ],
)
def test_robots_lets_googlebot_crawl_every_indexable_page(robots, path):
    assert robots.can_fetch(f"{SITE}{path}", "Googlebot")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/exercises/exercise/",
        "/exercises?body_part=back&difficulty=beginner",
        "/exercises?q=row",
        "/exercises?sort=recent",
        "/exercises/back?sort=name",
        "/exercises?body_part=back&page=2",
        "/exercises.md?body_part=back&difficulty=beginner",
    ],
)
def test_robots_keeps_googlebot_out_of_the_admin_and_filter_combinations(robots, path):
    assert not robots.can_fetch(f"{SITE}{path}", "Googlebot")


def test_robots_points_at_the_sitemap_on_the_public_origin(robots):
    assert list(robots.sitemaps) == [f"{SITE}/sitemap.xml"]


def test_every_robots_group_repeats_every_rule(client, db):
    """A crawler obeys only its most specific group: a group for a named bot must not drop
    any rule of the general one."""
    groups = re.split(r"\n\s*\n", client.get("/robots.txt").content.decode())
    rule_sets = [
        {line for line in group.splitlines() if line.startswith(("Allow:", "Disallow:"))}
        for group in groups
        if "User-agent:" in group
    ]
    assert rule_sets
    assert all(rules == rule_sets[0] for rules in rule_sets)


# llms.txt

LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def test_llms_txt_follows_the_llmstxt_format(client, library):
    response = client.get("/llms.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "# Forge"
    summary = next(line for line in lines[1:] if line)
    assert summary.startswith("> Forge is an exercise library: 13 exercises")
    sections = [line[3:] for line in lines if line.startswith("## ")]
    assert sections == [
        "Library",
        "Body parts",
        "Equipment",
        "Target muscles",
        "Difficulty levels",
        "Categories",
        "Optional",
    ]
    # Inside the sections, only “- [name](url): note” lines.
    first_section = lines.index("## Library")
    for line in lines[first_section:]:
        if line and not line.startswith("## "):
            assert re.fullmatch(r"- \[[^\]]+\]\(https://forge\.example/\S+\.md\): .+", line), line


def test_llms_txt_lists_every_hub_with_exercises_by_its_markdown_copy(client, library):
    body = client.get("/llms.txt").content.decode()
    links = {url: name for name, url in LINK.findall(body)}

    # Each hub is named by its heading, as its page and Markdown copy are.
    assert links[f"{SITE}/exercises/back.md"] == "Back Exercises"
    assert links[f"{SITE}/exercises/equipment/barbell.md"] == "Barbell Exercises"
    assert links[f"{SITE}/exercises/muscle/lower-back.md"] == "Lower Back Exercises"
    assert links[f"{SITE}/exercises/intermediate.md"] == "Intermediate Exercises"
    assert links[f"{SITE}/exercises/category/powerlifting.md"] == "Powerlifting Exercises"
    assert links[f"{SITE}/exercises/back/barbell.md"] == "Barbell Back Exercises"
    assert "- [Back Exercises](https://forge.example/exercises/back.md): 7 exercises" in body
    assert (
        "- [Hamstring Exercises](https://forge.example/exercises/muscle/hamstrings.md): "
        "1 exercise\n"
    ) in body
    # Hubs without published exercises are left out (Neck has none; legs/dumbbell has 4).
    assert f"{SITE}/exercises/neck.md" not in links
    assert f"{SITE}/exercises/legs/dumbbell.md" not in links


def test_every_link_in_llms_txt_answers_200(client, library):
    body = client.get("/llms.txt").content.decode()
    urls = [url for _, url in LINK.findall(body)]

    assert len(urls) > 15
    for url in urls:
        assert url.startswith(SITE)
        response = client.get(url.removeprefix(SITE))
        assert response.status_code == 200, url


def test_llms_txt_lists_each_facets_hubs_in_the_sidebars_order(client, library):
    body = client.get("/llms.txt").content.decode()
    section = body.split("## Difficulty levels\n\n")[1].split("\n\n")[0]
    # Beginner, Intermediate, Advanced: the difficulty's own order, as the filter panel has it.
    names = [name for name, _ in LINK.findall(section)]
    expected = [
        difficulty.heading
        for difficulty in Difficulty.objects.all()
        if difficulty.exercises.filter(status=Exercise.Status.PUBLISHED).exists()
    ]
    assert names == expected
    assert len(names) > 1


def test_llms_txt_counts_follow_an_edit_at_once(
    client, library, django_capture_on_commit_callbacks
):
    # Its counts are shared with the browse pages under the content version (shared_counts):
    # a published exercise shows in them on the next request, after a browse page read them.
    client.get("/exercises/muscle/hamstrings")
    line = "- [Hamstring Exercises](https://forge.example/exercises/muscle/hamstrings.md): "
    assert line + "1 exercise\n" in client.get("/llms.txt").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        make_exercise("Nordic Curl", muscle="hamstrings")
    body = client.get("/llms.txt").content.decode()
    assert line + "2 exercises\n" in body
    assert "> Forge is an exercise library: 14 exercises" in body


# Links that never break: slug history and 410.


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


def test_every_earlier_exercise_slug_redirects_to_the_current_page_and_copy(client, library):
    deadlift = library["Deadlift"]
    rename(deadlift, "conventional-deadlift")
    rename(Exercise.objects.get(pk=deadlift.pk), "barbell-deadlift")

    for old in ("deadlift", "conventional-deadlift"):
        html = client.get(f"/exercise/{old}")
        assert html.status_code == 301
        assert html["Location"] == "/exercise/barbell-deadlift"
        markdown = client.get(f"/exercise/{old}.md")
        assert markdown.status_code == 301
        assert markdown["Location"] == "/exercise/barbell-deadlift.md"
    assert client.get("/exercise/barbell-deadlift").status_code == 200


def test_a_deleted_exercise_answers_410_gone(client, library):
    library["Deadlift"].delete()

    assert client.get("/exercise/deadlift").status_code == 410
    assert client.get("/exercise/deadlift.md").status_code == 410


HUB_RENAMES = [
    # (model, old slug, new slug, old path, new path)
    (BodyPart, "back", "upper-body-back", "/exercises/back", "/exercises/upper-body-back"),
    (Difficulty, "beginner", "novice", "/exercises/beginner", "/exercises/novice"),
    (
        Equipment,
        "barbell",
        "olympic-barbell",
        "/exercises/equipment/barbell",
        "/exercises/equipment/olympic-barbell",
    ),
    (
        Muscle,
        "lower-back",
        "erectors",
        "/exercises/muscle/lower-back",
        "/exercises/muscle/erectors",
    ),
    (
        Category,
        "strength",
        "strength-training",
        "/exercises/category/strength",
        "/exercises/category/strength-training",
    ),
]


@pytest.mark.parametrize(("model", "old", "new", "old_path", "new_path"), HUB_RENAMES)
def test_a_renamed_hub_redirects_from_its_old_address(
    client, library, model, old, new, old_path, new_path
):
    rename(model.objects.get(slug=old), new)

    assert client.get(new_path).status_code == 200
    html = client.get(old_path)
    assert html.status_code == 301
    assert html["Location"] == new_path
    markdown = client.get(f"{old_path}.md")
    assert markdown.status_code == 301
    assert markdown["Location"] == f"{new_path}.md"
    # The page number (and any other query) comes along.
    paged = client.get(f"{old_path}?page=2")
    assert paged.status_code == 301
    assert paged["Location"] == f"{new_path}?page=2"


def test_every_earlier_hub_slug_redirects(client, library):
    equipment = rename(Equipment.objects.get(slug="barbell"), "bar")
    rename(Equipment.objects.get(pk=equipment.pk), "olympic-bar")

    for old in ("barbell", "bar"):
        response = client.get(f"/exercises/equipment/{old}")
        assert response.status_code == 301
        assert response["Location"] == "/exercises/equipment/olympic-bar"


def test_renaming_a_hub_back_makes_its_slug_live_again(client, library):
    back = rename(BodyPart.objects.get(slug="back"), "posterior")
    rename(BodyPart.objects.get(pk=back.pk), "back")

    assert client.get("/exercises/back").status_code == 200
    assert client.get("/exercises/posterior")["Location"] == "/exercises/back"
    assert list(HubSlug.objects.values_list("facet", "slug")) == [("body_part", "posterior")]


@pytest.mark.parametrize(
    ("model", "old", "new", "location"),
    [
        (BodyPart, "back", "posterior", "/exercises/posterior/barbell"),
        (Equipment, "barbell", "bar", "/exercises/back/bar"),
    ],
)
def test_a_combination_hub_redirects_when_either_part_is_renamed(
    client, library, model, old, new, location
):
    rename(model.objects.get(slug=old), new)

    response = client.get("/exercises/back/barbell")
    assert response.status_code == 301
    assert response["Location"] == location
    markdown = client.get("/exercises/back/barbell.md")
    assert markdown["Location"] == f"{location}.md"
    assert client.get(location).status_code == 200


def test_a_deleted_hub_forgets_its_old_addresses(client, taxonomy):
    rings = rename(Equipment.objects.get(slug="rings"), "gymnastic-rings")
    rings.delete()

    assert not HubSlug.objects.exists()
    assert client.get("/exercises/equipment/rings").status_code == 404


def test_an_unknown_hub_slug_is_still_not_found(client, library):
    assert client.get("/exercises/nowhere").status_code == 404
    assert client.get("/exercises/equipment/nowhere").status_code == 404
    assert client.get("/exercises/back/nowhere").status_code == 404


# HTTP caching.

CONDITIONAL_PAGES = [
    "/exercises",
    "/exercises?page=2",
    "/exercises.md",
    "/exercises/back",
    "/exercises/back.md",
    "/exercises/intermediate",
    "/exercises/equipment/barbell",
    "/exercises/muscle/lower-back",
    "/exercises/category/strength",
    "/exercises/back/barbell",
    "/exercises/back/barbell.md",
    "/exercise/deadlift",
    "/exercise/deadlift.md",
]


@pytest.fixture
def big_library(library):
    """Enough published exercises for a second library page."""
    for number in range(20):
        make_exercise(f"Filler {number:02}", body_part="legs", muscle="quads")
    return library


@pytest.fixture
def rendered_every_time(settings):
    """Turn the page cache off: every response is rendered (or answered 304) by the view."""
    settings.PAGE_CACHE_SECONDS = 0


def renders(client, path, **headers):
    """The response and the templates rendered to make it."""
    rendered = []

    def record(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        response = client.get(path, headers=headers)
    finally:
        template_rendered.disconnect(record)
    return response, rendered


@pytest.mark.parametrize("path", CONDITIONAL_PAGES)
def test_pages_answer_if_none_match_with_304_without_rendering(
    client, big_library, rendered_every_time, path, django_assert_max_num_queries
):
    first = client.get(path)
    assert first.status_code == 200
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)

    with django_assert_max_num_queries(1):
        again, rendered = renders(client, path, if_none_match=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert rendered == []
    assert again["ETag"] == etag


@pytest.mark.parametrize("path", CONDITIONAL_PAGES)
def test_pages_answer_if_modified_since_with_304(client, big_library, rendered_every_time, path):
    first = client.get(path)
    last_modified = first.get("Last-Modified")
    if "?" in path:
        assert last_modified is None or path.endswith("?page=2")
    if last_modified is None:
        return

    again, rendered = renders(client, path, if_modified_since=last_modified)
    assert again.status_code == 304
    assert again.content == b""
    assert rendered == []


def test_the_exercise_page_is_modified_when_the_exercise_or_its_names_change(client, library):
    deadlift = library["Deadlift"]
    first = client.get("/exercise/deadlift")
    assert first["Last-Modified"] == http_date(deadlift.updated.timestamp())

    Step.objects.create(exercise=deadlift, text="Stand tall.", position=9)
    deadlift.save()  # the admin saves the exercise with its inlines
    after_edit = client.get("/exercise/deadlift", headers={"if_none_match": first["ETag"]})
    assert after_edit.status_code == 200
    assert "Stand tall." in after_edit.content.decode()

    # A rename of its target muscle shows on the page: the page is modified.
    muscle = Muscle.objects.get(pk=deadlift.target_muscle_id)
    muscle.name = "Erectors"
    muscle.save()
    renamed = client.get(
        "/exercise/deadlift",
        headers={"if_none_match": after_edit["ETag"]},
    )
    assert renamed.status_code == 200
    assert renamed["Last-Modified"] == http_date(muscle.updated.timestamp())


def test_a_hub_is_modified_when_a_member_changes_and_its_etag_when_anything_does(client, library):
    first = client.get("/exercises/back")
    assert first["Last-Modified"] == http_date(
        max(
            BodyPart.objects.get(slug="back").updated,
            *Exercise.objects.published()
            .filter(body_part__slug="back")
            .values_list("updated", flat=True),
        ).timestamp()
    )

    # A chest exercise changes the back hub's sidebar counts, not its own list: a new ETag,
    # the same Last-Modified.
    push_up = library["Push Up"]
    push_up.status = Exercise.Status.DRAFT
    push_up.save()
    second = client.get("/exercises/back", headers={"if_none_match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]

    deadlift = library["Deadlift"]
    deadlift.name = "Conventional Deadlift"
    deadlift.save()
    third = client.get("/exercises/back", headers={"if_none_match": second["ETag"]})
    assert third.status_code == 200
    assert third["Last-Modified"] == http_date(
        Exercise.objects.get(pk=deadlift.pk).updated.timestamp()
    )


def test_a_deleted_exercise_changes_every_etag(client, library):
    first = client.get("/exercises/back")
    library["Deadlift"].delete()

    again = client.get("/exercises/back", headers={"if_none_match": first["ETag"]})
    assert again.status_code == 200
    assert "Deadlift" not in again.content.decode()


def test_a_cached_page_answers_304_too(client, big_library):
    etag = client.get("/exercises/back")["ETag"]

    again, rendered = renders(client, "/exercises/back", if_none_match=etag)
    assert again.status_code == 304
    assert rendered == []


def test_each_address_has_its_own_etag(client, big_library):
    paths = ["/exercises", "/exercises?page=2", "/exercises.md", "/exercises/back"]
    etags = {client.get(path)["ETag"] for path in paths}

    assert len(etags) == len(paths)


def test_redirects_and_errors_carry_no_validators(client, library):
    for path, status in [
        ("/exercises/back?page=1", 301),
        ("/exercises/back?page=9", 404),
        ("/exercises/nowhere", 404),
        ("/exercise/nowhere", 404),
        ("/exercise/hidden-back-extension", 404),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        assert "ETag" not in response
        assert "Last-Modified" not in response


@pytest.mark.parametrize("path", [*CONDITIONAL_PAGES, "/exercises?body_part=back&q=row"])
def test_anonymous_responses_are_public_and_byte_identical(
    client, big_library, rendered_every_time, path
):
    first = client.get(path)
    second = client.get(path)

    assert first.status_code == 200
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert not first.cookies
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert "nonce" not in first.content.decode()


def test_a_staff_draft_preview_is_never_cached(client, library, django_user_model):
    staff = django_user_model.objects.create_superuser("trainer", "t@example.com", "x")
    client.force_login(staff)

    response = client.get("/exercise/hidden-back-extension")

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response

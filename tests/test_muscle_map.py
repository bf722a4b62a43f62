"""The muscle map: the exercise page's highlighted muscles, the library's and the muscle hubs'
map of links, the trainer's map region (admin and library files), and the drawing itself.

Counts refer to the library fixture described in tests/factories.py.
"""

import json
from importlib import import_module
from io import StringIO

import pytest
from conftest import FIXTURES
from django.core.management import CommandError, call_command
from factories import html, make_exercise, text
from test_query_budgets import BROWSE_BUDGET, EXERCISE_BUDGET

from exercises.bodymap import DRAWING_FILE, REGION_CHOICES, drawing
from exercises.models import Exercise, Muscle

REGIONS = drawing().regions


def region_states(response):
    """{region: state} of every region the page's map draws, read from each path's class."""
    paths = html(response).select("svg.body-map path.body-map__region")
    by_path = {path: region for region, path in REGIONS.items()}
    states = {}
    for element in paths:
        (state,) = [
            c.split("--")[1] for c in element["class"] if c.startswith("body-map__region--")
        ]
        states[by_path[element["d"]]] = state
    return states


def map_links(response):
    """[(accessible name, href, aria-current)] of the map's links, in keyboard order."""
    links = html(response).select("nav.muscle-map svg a")
    return [(a["aria-label"], a["href"], a.get("aria-current")) for a in links]


def unmap(slug):
    Muscle.objects.filter(slug=slug).update(map_region="")


# The exercise page ----------------------------------------------------------------------------


def test_exercise_page_highlights_the_target_strongly_and_the_secondary_lightly(
    client, spine_stretch
):
    response = client.get("/exercise/spine-stretch")

    states = region_states(response)
    assert states.pop("lower_back") == "target"
    assert states.pop("hamstrings") == states.pop("glutes") == "secondary"
    assert set(states.values()) == {"idle"}
    assert len(states) == len(REGION_CHOICES) - 3
    figure = html(response).select_one("section.muscles-worked figure.muscle-map")
    svg = figure.svg
    assert svg["role"] == "img"
    assert svg["aria-label"] == (
        "Front and back body map of the muscles Spine Stretch works: target muscle Lower Back "
        "(solid, outlined); secondary muscles Hamstrings and Glutes (hatched)."
    )
    legend = [text(li) for li in figure.select("figcaption li")]
    assert legend == ["Target muscle: Lower Back", "Also works: Hamstrings, Glutes"]
    # The legend's keys are drawn like the regions: solid for the target, hatched for the rest.
    keys = [li.rect["class"] for li in figure.select("figcaption li")]
    assert keys == [["body-map__region--target"], ["body-map__region--secondary"]]
    assert svg.find("pattern", id="body-map-hatch") is not None


def test_the_map_does_not_change_the_markdown_copy(client, spine_stretch):
    markdown = client.get("/exercise/spine-stretch.md").content.decode()
    assert "map" not in markdown.lower()


def test_exercise_page_with_the_map_keeps_its_query_budget(
    client, spine_stretch, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/exercise/spine-stretch")
    with django_assert_max_num_queries(EXERCISE_BUDGET):
        response = client.get("/exercise/spine-stretch")
    assert "lower_back" in region_states(response)


def test_a_target_muscle_without_a_region_is_named_as_not_on_the_map(client, spine_stretch):
    unmap("lower-back")

    response = client.get("/exercise/spine-stretch")

    assert response.status_code == 200
    states = region_states(response)
    assert "target" not in states.values()
    assert states["hamstrings"] == states["glutes"] == "secondary"
    figure = html(response).select_one("figure.muscle-map")
    assert "Lower Back" not in figure.svg["aria-label"]
    legend = [text(li) for li in figure.select("figcaption li")]
    assert "Target muscle: Lower Back (not on the map)" in legend


def test_no_map_when_none_of_the_exercise_muscles_is_on_it(client, spine_stretch):
    for slug in ("lower-back", "hamstrings", "glutes"):
        unmap(slug)

    response = client.get("/exercise/spine-stretch")

    assert response.status_code == 200
    assert html(response).select("svg.body-map") == []
    assert "Muscles worked" not in response.text


def test_a_secondary_muscle_that_is_also_the_target_is_drawn_once_as_the_target(client, taxonomy):
    make_exercise("Odd One", muscle="quads", secondary=["quads", "glutes"])

    states = region_states(client.get("/exercise/odd-one"))

    assert states["quads"] == "target"
    assert states["glutes"] == "secondary"


# The library and the muscle hubs ------------------------------------------------------------


def published_counts():
    return {
        muscle: Exercise.objects.published().filter(target_muscle=muscle).count()
        for muscle in Muscle.objects.all()
    }


def test_library_map_links_every_muscle_with_exercises_to_its_hub(client, library):
    response = client.get("/exercises")

    expected = {}
    order = [region for region, _ in REGION_CHOICES]
    for muscle, count in published_counts().items():
        if count:
            noun = "exercise" if count == 1 else "exercises"
            expected[muscle.map_region] = (
                f"{muscle.name}: {count} {noun}",
                f"/exercises/muscle/{muscle.slug}",
                None,
            )
    assert map_links(response) == [expected[region] for region in order if region in expected]
    assert ("Hamstrings: 1 exercise", "/exercises/muscle/hamstrings", None) in map_links(response)
    assert ("Lower Back: 5 exercises", "/exercises/muscle/lower-back", None) in map_links(response)
    states = region_states(response)
    assert {r for r, s in states.items() if s == "link"} == set(expected)
    # Muscles without published exercises are drawn but are no links to empty hubs.
    assert states["biceps"] == "empty"
    note = text(html(response).select_one("nav.muscle-map .map-legend"))
    assert "No exercises yet: Abductors, Abs, Adductors, Biceps" in note
    assert "Serratus" in note and "Lower Back" not in note


def test_every_map_link_leads_to_a_hub_with_that_many_exercises(client, library):
    for name, href, _ in map_links(client.get("/exercises")):
        hub = client.get(href)
        assert hub.status_code == 200
        count = int(name.split(": ")[1].split()[0])
        assert hub.context["page_obj"].paginator.count == count, name


def test_muscle_hub_marks_its_muscle_as_current(client, library):
    response = client.get("/exercises/muscle/quads")

    current = [link for link in map_links(response) if link[2]]
    assert current == [("Quads: 3 exercises", "/exercises/muscle/quads", "page")]
    assert region_states(response)["quads"] == "current"
    assert region_states(response)["lower_back"] == "link"
    assert "Quads, this page's muscle." in text(html(response).select_one("nav.muscle-map"))


@pytest.mark.parametrize(
    "path",
    [
        "/exercises/back",  # another facet's hub: its muscle counts are filtered
        "/exercises/equipment/barbell",
        "/exercises?muscle=quads&muscle=chest",
        "/exercises?muscle=quads&difficulty=beginner",
        "/exercises?q=row",
    ],
)
def test_no_map_where_its_counts_would_not_be_the_hubs(client, library, path):
    response = client.get(path)
    assert response.status_code == 200
    assert html(response).select("nav.muscle-map") == []


@pytest.mark.parametrize(
    "path", ["/exercises", "/exercises?sort=recent", "/exercises/muscle/quads"]
)
def test_pages_with_the_map_keep_their_query_budget(
    client, library, settings, django_assert_max_num_queries, path
):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(path)
    with django_assert_max_num_queries(BROWSE_BUDGET):
        response = client.get(path)
    assert map_links(response)


def test_a_muscle_without_a_region_is_linked_below_the_map(client, library):
    unmap("lower-back")

    response = client.get("/exercises/muscle/lower-back")

    assert response.status_code == 200
    assert "lower_back" not in [label for label, *_ in map_links(response)]
    assert region_states(response)["lower_back"] == "idle"
    off_map = html(response).select("nav.muscle-map p.map-legend")[-1]
    assert text(off_map) == "Not on the map: Lower Back (5)"
    assert off_map.a["href"] == "/exercises/muscle/lower-back"
    assert off_map.a["aria-current"] == "page"


def test_a_hub_of_a_muscle_without_exercises_has_no_link_to_itself(client, library):
    response = client.get("/exercises/muscle/biceps")

    assert response.status_code == 200
    assert region_states(response)["biceps"] == "empty"
    assert not [link for link in map_links(response) if link[2]]


# The trainer's map region ---------------------------------------------------------------------


def test_the_migration_maps_the_starter_muscles_as_the_taxonomy_file_does():
    migration = import_module("exercises.migrations.0018_muscle_map_region")
    taxonomy = json.loads((FIXTURES / "taxonomy.json").read_text())
    in_file = {muscle["slug"]: muscle["map_region"] for muscle in taxonomy["muscles"]}
    assert in_file == migration.STARTER_REGIONS
    assert len(set(in_file.values())) == len(in_file) == 19


def test_every_starter_muscle_is_on_the_map(taxonomy):
    assert not Muscle.objects.filter(map_region="").exists()


def test_admin_offers_the_regions_with_help_and_names_the_holder_of_a_taken_one(
    admin_client, taxonomy
):
    lats = Muscle.objects.get(slug="lats")
    url = f"/admin/exercises/muscle/{lats.pk}/change/"
    form = html(admin_client.get(url)).find("select", attrs={"name": "map_region"})
    assert [o["value"] for o in form.find_all("option")] == ["", *(r for r, _ in REGION_CHOICES)]
    options = {o["value"]: text(o) for o in form.find_all("option")}
    assert options["lats"] == "Lats (back, below the shoulder blades) — Lats"
    assert options["shins"] == "Shins (front and outer lower leg) — free"
    assert form.find("option", selected=True)["value"] == "lats"
    assert "Each region shows one muscle" in admin_client.get(url).text

    data = {"name": "Lats", "slug": "lats", "body_part": lats.body_part_id, "intro": lats.intro}
    response = admin_client.post(url, data | {"map_region": "traps"})
    assert response.status_code == 200
    assert "“Traps” is already drawn in this region" in response.text
    assert Muscle.objects.get(pk=lats.pk).map_region == "lats"


def test_a_trainer_puts_a_new_muscle_on_the_map(admin_client, taxonomy, client):
    Muscle.objects.filter(slug="serratus").update(map_region="")
    core = Muscle.objects.get(slug="abs").body_part
    response = admin_client.post(
        "/admin/exercises/muscle/add/",
        {
            "name": "Obliques",
            "slug": "obliques",
            "body_part": core.pk,
            "map_region": "obliques",
            "intro": "",
        },
    )
    assert response.status_code == 302
    make_exercise("Side Plank", muscle="obliques")

    links = map_links(client.get("/exercises"))

    assert ("Obliques: 1 exercise", "/exercises/muscle/obliques", None) in links


def run_import(path):
    call_command("import_exercises", path, stdout=StringIO(), stderr=StringIO())


def taxonomy_file(tmp_path, change):
    data = json.loads((FIXTURES / "taxonomy.json").read_text())
    change(data["muscles"])
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(data))
    return path


def test_export_and_import_keep_the_map_regions(taxonomy, tmp_path):
    out = StringIO()
    call_command("export_exercises", "-", stdout=out, stderr=StringIO())
    muscles = json.loads(out.getvalue())["muscles"]
    assert {m["slug"]: m["map_region"] for m in muscles}["lats"] == "lats"
    assert list(muscles[0]) == ["name", "slug", "body_part", "map_region", "intro"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m[0].update(map_region="elbow"), "map_region: Value 'elbow' is not a valid"),
        (
            lambda m: m[1].update(map_region="abductors"),
            'map_region "abductors" is already used by muscles[0]',
        ),
        (lambda m: m[0].update(map_region=7), "map_region must be a string"),
    ],
)
def test_a_bad_map_region_in_a_file_is_refused_and_nothing_written(
    no_taxonomy, tmp_path, change, message
):
    with pytest.raises(CommandError) as error:
        run_import(taxonomy_file(tmp_path, change))
    assert message in str(error.value)
    assert not Muscle.objects.exists()


def test_a_file_cannot_take_a_region_another_muscle_holds(taxonomy, tmp_path):
    path = taxonomy_file(
        tmp_path,
        lambda m: m.append(
            {"name": "Obliques", "slug": "obliques", "body_part": "core", "map_region": "abs"}
        ),
    )
    with pytest.raises(
        CommandError, match='map_region "abs" is already the region of the muscle "abs"'
    ):
        run_import(path)
    assert not Muscle.objects.filter(slug="obliques").exists()


def test_an_update_from_a_file_without_map_regions_keeps_them(taxonomy, tmp_path):
    """A library file from before the muscle map has no `map_region`: --update changes what
    the file says (an intro) and keeps every muscle's region, and does not call it a change."""

    def older_file(muscles):
        for muscle in muscles:
            muscle.pop("map_region")
            if muscle["slug"] == "lats":
                muscle["intro"] = "The broad muscles of the back."

    out = StringIO()
    path = taxonomy_file(tmp_path, older_file)
    call_command("import_exercises", path, "--update", stdout=out, stderr=StringIO())
    assert "  muscle Lats: intro\n" in out.getvalue()
    assert "map_region" not in out.getvalue()
    lats = Muscle.objects.get(slug="lats")
    assert (lats.map_region, lats.intro) == ("lats", "The broad muscles of the back.")
    assert not Muscle.objects.filter(map_region="").exists()


def test_an_explicit_empty_map_region_clears_it_on_update(taxonomy, tmp_path):
    path = taxonomy_file(
        tmp_path, lambda muscles: [m.update(map_region="") for m in muscles if m["slug"] == "lats"]
    )
    out = StringIO()
    call_command("import_exercises", path, "--update", stdout=out, stderr=StringIO())
    assert "  muscle Lats: map_region\n" in out.getvalue()
    assert Muscle.objects.get(slug="lats").map_region == ""
    assert Muscle.objects.get(slug="traps").map_region == "traps"


def test_a_file_without_map_regions_still_imports(no_taxonomy, tmp_path):
    run_import(taxonomy_file(tmp_path, lambda muscles: [m.pop("map_region") for m in muscles]))
    assert Muscle.objects.count() == 19
    assert set(Muscle.objects.values_list("map_region", flat=True)) == {""}


# The drawing ----------------------------------------------------------------------------------


def test_every_region_has_a_drawing_and_the_licence_travels_with_it():
    assert list(REGIONS) == [region for region, _ in REGION_CHOICES]
    assert all(path.startswith("M") and path.endswith(("Z", "z")) for path in REGIONS.values())
    credit = drawing().credit
    licence = DRAWING_FILE.with_name(credit["licence_file"]).read_text()
    assert licence.startswith("MIT License") and f"Copyright (c) 2020 {credit['author']}" in licence


@pytest.mark.parametrize("path", ["/exercise/spine-stretch", "/exercises"])
def test_every_map_credits_the_drawing_it_is_adapted_from(client, spine_stretch, path):
    credit = html(client.get(path)).select_one(".muscle-map .map-credit")
    assert text(credit) == (
        "Body drawing adapted from react-body-highlighter by GV79 (MIT licence)."
    )
    assert credit.a["href"] == "https://github.com/GV79/react-body-highlighter"


def test_the_muscle_list_finds_the_muscles_not_on_the_map(admin_client, taxonomy):
    unmap("neck")

    response = admin_client.get("/admin/exercises/muscle/?map_region__isempty=1")

    assert [text(a) for a in html(response).select("#result_list tbody th a")] == ["Neck"]


# What the map costs a page -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/exercise/spine-stretch", "/exercises", "/exercises/muscle/lats"]
)
def test_the_map_keeps_pages_small_and_within_the_strict_csp(client, spine_stretch, path):
    """Pages stay far below 100 KB, and the map is styled by class only: the public pages'
    CSP allows no style attribute or inline style sheet."""
    response = client.get(path)

    assert len(response.content) < 100_000
    assert "style-src 'self'" in response["Content-Security-Policy"]
    map_html = str(html(response).select_one(".muscle-map"))
    assert "style=" not in map_html and "<style" not in map_html and "<script" not in map_html
    assert len(map_html) < 12_000  # the drawing (5 KB of paths) and its links and legend

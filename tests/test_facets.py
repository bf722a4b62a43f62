"""The facet registry (exercises.models.FACETS): each facet, in the registry's order, wherever
the site lists facets — the library's filters and sidebar, hubs and their old addresses,
llms.txt and the library file.

Counts refer to the library fixture described in tests/factories.py.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from factories import card_names, html, text

from exercises.models import BROWSE_FACETS, FACETS, Exercise

# Deadlift: back, barbell, lower back, advanced, powerlifting.
SAMPLE = "Deadlift"


def published_names(field, taxon):
    exercises = Exercise.objects.published().filter(**{field: taxon})
    return sorted(exercises.values_list("name", flat=True))


@pytest.mark.parametrize("model", FACETS, ids=lambda model: model.facet)
def test_every_facet_filters_the_library_and_answers_at_its_hub(client, library, model):
    taxon = getattr(library[SAMPLE], model.exercise_field)
    expected = published_names(model.exercise_field, taxon)

    response = client.get("/exercises", {model.facet: taxon.slug}, follow=True)

    # One value of one facet is that value's hub.
    assert response.redirect_chain == [(taxon.get_absolute_url(), 301)]
    assert card_names(response) == expected
    assert text(html(response).h1) == f"{taxon.name} Exercises"
    markdown = client.get(taxon.get_markdown_url())
    assert markdown.status_code == 200
    assert f"{len(expected)} exercise" in markdown.content.decode()


def test_the_sidebar_has_a_group_per_facet_in_registry_order(client, library):
    sidebar = html(client.get("/exercises")).find("aside", id="filters")

    # The taxonomy's facets, and the muscles worked beside the target muscle.
    assert [text(h3) for h3 in sidebar.select("section.facet h3")] == [
        model.label for model in BROWSE_FACETS
    ]


@pytest.mark.parametrize("model", FACETS, ids=lambda model: model.facet)
def test_a_renamed_value_of_every_facet_keeps_its_old_address(client, library, model):
    taxon = getattr(library[SAMPLE], model.exercise_field)
    old_url = taxon.get_absolute_url()
    taxon.slug = f"renamed-{taxon.slug}"
    taxon.save()

    response = client.get(old_url)

    assert response.status_code == 301
    assert response["Location"] == taxon.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200
    assert [old.slug for old in taxon.old_slugs.all()] == [old_url.rsplit("/", 1)[-1]]


def test_llms_txt_has_a_section_per_facet_in_registry_order(client, library):
    lines = client.get("/llms.txt").content.decode().splitlines()

    sections = [line[3:] for line in lines if line.startswith("## ")]
    assert sections == ["Library", *(model.plural for model in FACETS), "Optional"]


def test_the_library_file_has_a_list_per_facet_in_the_documented_order(library):
    out = StringIO()
    call_command("export_exercises", "-", stdout=out, stderr=StringIO())
    data = json.loads(out.getvalue())

    # docs/library-format.md: ranked lists, then muscles (they name their body part), then the
    # rest; an exercise names its value of each facet, its secondary muscles after the target.
    assert list(data) == [
        "format",
        "version",
        "body_parts",
        "difficulties",
        "muscles",
        "equipment",
        "categories",
        "exercises",
    ]
    assert all(data[key] for key in list(data)[2:])
    record = next(r for r in data["exercises"] if r["name"] == SAMPLE)
    assert list(record) == [
        "name",
        "slug",
        "status",
        "quick_answer",
        "body_part",
        "equipment",
        "target_muscle",
        "secondary_muscles",
        "difficulty",
        "category",
        "steps",
        "pro_tips",
        "common_mistakes",
        "faqs",
    ]
    assert [record[model.exercise_field] for model in FACETS] == [
        getattr(library[SAMPLE], model.exercise_field).slug for model in FACETS
    ]

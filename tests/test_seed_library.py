"""manage.py seed_library: a synthetic library of any size, for benchmarks and trials."""

import pytest
from django.core.management import CommandError
from factories import card_names, command_output

from exercises.models import Exercise


def seed(*args):
    return command_output("seed_library", *args)


def test_seed_library_adds_complete_exercises_that_visitors_can_browse(taxonomy, client):
    output = seed("--exercises", "40")

    exercises = Exercise.objects.all()
    assert exercises.count() == 40
    drafts = exercises.filter(status=Exercise.Status.DRAFT).count()
    assert output == f"Added 40 synthetic exercises ({drafts} of them drafts).\n"
    for exercise in exercises.prefetch_related("steps", "pro_tips", "common_mistakes", "faqs"):
        assert exercise.quick_answer.startswith(f"The {exercise.name} is a ")
        assert len(exercise.steps.all()) >= 4
        assert exercise.pro_tips.all() and exercise.common_mistakes.all() and exercise.faqs.all()
    # The published ones are on the library's pages, the drafts are not.
    published = exercises.filter(status=Exercise.Status.PUBLISHED).order_by("name").first()
    response = client.get("/exercises", {"q": published.name})
    assert published.name in card_names(response)
    assert client.get(published.get_absolute_url()).status_code == 200


def test_the_same_seed_builds_the_same_library_and_names_are_never_reused(taxonomy):
    seed("--exercises", "25", "--seed", "3")
    first = sorted(Exercise.objects.values_list("name", "status"))
    Exercise.objects.all().delete()
    seed("--exercises", "25", "--seed", "3")
    assert sorted(Exercise.objects.values_list("name", "status")) == first

    seed("--exercises", "25", "--seed", "3")
    names = list(Exercise.objects.values_list("name", flat=True))
    assert len(names) == 50 == len(set(names))


def test_seed_library_needs_the_taxonomy(no_taxonomy):
    with pytest.raises(CommandError, match="import fixtures/taxonomy.json first"):
        seed("--exercises", "5")
    assert not Exercise.objects.exists()


def test_seed_library_refuses_a_count_below_one(taxonomy):
    with pytest.raises(CommandError, match="--exercises must be 1 or more"):
        seed("--exercises", "0")

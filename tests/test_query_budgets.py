"""Query budgets: every public page type runs a fixed number of queries, whatever the size.

Each page is rendered uncached at 30 and at 500 exercises; its query count must be the same
at both sizes (no N+1) and within its budget: 7 for an exercise page (its “Swap for”
query included), 11 for a browse page with all its facet counts and the count of what
its exercises have; sitemap sections and llms.txt 10. A page from the page
cache costs one query: the content version it is checked against, kept in the database so
that no cache restore can revive a retired page (forge/pagecache.py).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exercises.models import (
    BodyPart,
    Category,
    Difficulty,
    Equipment,
    Exercise,
    ExerciseSecondaryMuscle,
    Muscle,
)
from exercises.synthetic import build_library

# 6 until issue 12: “Swap for” on the exercise page (one query).
EXERCISE_BUDGET = 7
# 10 until issue 13: the words of a listing count what its exercises' pages have (one query).
BROWSE_BUDGET = 11
SITEMAP_BUDGET = 10
# The index asks each section for its page count and its newest lastmod, and the hub and
# combination sections build their items for each question (6 + 1 queries twice).
SITEMAP_INDEX_BUDGET = 16
CACHED_BUDGET = 1


def pages():
    """{page type: (path, budget)} for the current library."""
    published = Exercise.objects.published().order_by("pk")
    exercise = published.first()
    muscle = Muscle.objects.filter(targeted_by__in=published).first()
    category = Category.objects.filter(exercises__in=published).first()
    difficulty = Difficulty.objects.filter(exercises__in=published).first()
    equipment = Equipment.objects.get(slug="barbell")
    return {
        "library": ("/exercises", BROWSE_BUDGET),
        "library, page 2": ("/exercises?page=2", BROWSE_BUDGET),
        "body-part hub": ("/exercises/back", BROWSE_BUDGET),
        "difficulty hub": (difficulty.get_absolute_url(), BROWSE_BUDGET),
        "equipment hub": (equipment.get_absolute_url(), BROWSE_BUDGET),
        "muscle hub": (muscle.get_absolute_url(), BROWSE_BUDGET),
        "category hub": (category.get_absolute_url(), BROWSE_BUDGET),
        "combination hub": ("/exercises/back/barbell", BROWSE_BUDGET),
        "two facets": (
            "/exercises?body_part=back&equipment=barbell&equipment=dumbbell",
            BROWSE_BUDGET,
        ),
        "search": ("/exercises?q=row", BROWSE_BUDGET),
        "search with a facet": ("/exercises?q=curl&equipment=dumbbell", BROWSE_BUDGET),
        # SQLite corrects the typo; both say "Did you mean" when nothing matches.
        "search with a typo": ("/exercises?q=dedlift", BROWSE_BUDGET),
        "search without results": ("/exercises?q=zzqq%20xxyy", BROWSE_BUDGET),
        "sorted": ("/exercises?sort=difficulty", BROWSE_BUDGET),
        "library .md": ("/exercises.md", BROWSE_BUDGET),
        "hub .md": ("/exercises/back.md", BROWSE_BUDGET),
        "combination .md": ("/exercises/back/barbell.md", BROWSE_BUDGET),
        "exercise page": (exercise.get_absolute_url(), EXERCISE_BUDGET),
        "exercise .md": (exercise.get_markdown_url(), EXERCISE_BUDGET),
        "sitemap index": ("/sitemap.xml", SITEMAP_INDEX_BUDGET),
        "sitemap of exercises": ("/sitemap-exercises.xml", SITEMAP_BUDGET),
        "sitemap of hubs": ("/sitemap-hubs.xml", SITEMAP_BUDGET),
        "sitemap of combinations": ("/sitemap-combinations.xml", SITEMAP_BUDGET),
        "llms.txt": ("/llms.txt", SITEMAP_BUDGET),
        "robots.txt": ("/robots.txt", 0),
    }


def count_queries(client, paths):
    counts = {}
    for page_type, (path, _) in paths.items():
        client.get(path)  # anything fetched once per process (e.g. content types) is done
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (page_type, path, response.status_code)
        counts[page_type] = len(queries)
    return counts


@pytest.fixture
def uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def back_with_barbell(taxonomy):
    """Enough back exercises with a barbell for a combination hub at any size."""
    back, barbell = BodyPart.objects.get(slug="back"), Equipment.objects.get(slug="barbell")
    muscle = Muscle.objects.get(slug="upper-back")
    for index in range(5):
        Exercise.objects.create(
            name=f"Barbell Row Variation {index}",
            slug=f"barbell-row-variation-{index}",
            body_part=back,
            equipment=barbell,
            target_muscle=muscle,
            difficulty=Difficulty.objects.get(slug="beginner"),
            category=Category.objects.get(slug="strength"),
            status=Exercise.Status.PUBLISHED,
        )


def test_every_page_type_has_a_fixed_query_budget(client, uncached, back_with_barbell):
    build_library(25)  # 30 exercises with the five above: two pages
    paths = pages()
    small = count_queries(client, paths)

    build_library(470, seed=2)
    assert Exercise.objects.count() == 500
    large = count_queries(client, paths)

    grew = {page: (small[page], large[page]) for page in paths if small[page] != large[page]}
    over = {
        page: (large[page], budget) for page, (_, budget) in paths.items() if large[page] > budget
    }
    assert not grew, f"query counts that grow with the library (30 → 500): {grew}"
    assert not over, f"over budget (queries, budget): {over}"


def test_every_page_type_is_served_from_the_cache(client, back_with_barbell):
    build_library(25)
    for page_type, (path, _) in pages().items():
        first = client.get(path)
        with CaptureQueriesContext(connection) as queries:
            second = client.get(path)

        assert second.status_code == 200, page_type
        if "q=" in path:  # searches are never stored (any text would make a new entry)
            assert len(queries) > CACHED_BUDGET, f"{page_type} ({path}) was stored"
            continue
        assert len(queries) <= CACHED_BUDGET, f"{page_type} ({path}) is not cached"
        assert second.content == first.content


def test_an_exercise_page_fetches_its_lists_in_one_query(client, uncached, taxonomy):
    exercise = build_library(1)[0]
    exercise.status = Exercise.Status.PUBLISHED
    exercise.save()

    with CaptureQueriesContext(connection) as queries:
        response = client.get(exercise.get_absolute_url())

    assert response.status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    lists = [statement for statement in sql if '"exercises_step"' in statement]
    assert len(lists) == 1
    assert all(table in lists[0] for table in ("protip", "commonmistake", "faq"))
    steps = list(exercise.steps.all())
    assert [s.text for s in response.context["exercise"].steps.all()] == [s.text for s in steps]


def test_prefetched_lists_keep_their_order_and_parent(taxonomy, django_assert_num_queries):
    exercise = build_library(1)[0]
    exercise.steps.filter(position=1).update(position=9)
    expected = {
        kind: [item.pk for item in getattr(exercise, kind).all()]
        for kind in ("steps", "pro_tips", "common_mistakes", "faqs")
    }

    # The exercise, its secondary muscles, its four lists together, and its media.
    with django_assert_num_queries(4):
        loaded = Exercise.objects.for_detail().get(pk=exercise.pk)
    with django_assert_num_queries(0):
        found = {kind: [item.pk for item in getattr(loaded, kind).all()] for kind in expected}
        parents = {item.exercise.pk for item in loaded.faqs.all()}

    assert found == expected
    assert parents == {exercise.pk}


def test_facet_counts_are_computed_by_the_database(client, uncached, taxonomy):
    """A facet count is one aggregate query per facet, not a Python loop over exercises."""
    build_library(60)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/exercises")

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    groups = response.context["browse"].facet_groups()
    published = Exercise.objects.published().count()
    secondary = ExerciseSecondaryMuscle.objects.filter(exercise__status="published").count()
    for group in groups:
        # Every exercise has exactly one value of each facet; it works its target muscle
        # and each of its secondary muscles (never its target again).
        expected = published + secondary if group.name == "works" else published
        assert sum(option.count for option in group.options) == expected, group.name
    assert len(counts) >= len(groups)


def brute_force_related(exercise, limit=6):
    """The ranking related_to() promises, computed in Python over every published exercise."""
    secondary = {m.pk for m in exercise.ordered_secondary_muscles}

    def similarity(other):
        shared = {link.muscle_id for link in other.secondary_muscle_links.all()} & secondary
        return (
            16 * (other.target_muscle_id == exercise.target_muscle_id)
            + 8 * (other.body_part_id == exercise.body_part_id)
            + 4 * (other.equipment_id == exercise.equipment_id)
            + 2 * (other.difficulty_id == exercise.difficulty_id)
            + len(shared)
        )

    others = Exercise.objects.published().exclude(pk=exercise.pk)
    others = others.prefetch_related("secondary_muscle_links")
    ranked = sorted(others, key=lambda other: (-similarity(other), other.name))
    return [other.name for other in ranked[:limit]]


def test_related_exercises_are_the_best_ranked_of_the_whole_library(taxonomy):
    build_library(150)
    exercises = list(Exercise.objects.published().for_detail().order_by("?")[:12])
    lonely = Exercise.objects.published().filter(secondary_muscle_links__isnull=True).first()
    exercises.append(Exercise.objects.for_detail().get(pk=lonely.pk))
    # Few exercises share this one's target muscle: the others must be ranked too.
    rare = build_library(1, seed=9)[0]
    rare.target_muscle = Muscle.objects.get(slug="neck")
    rare.status = Exercise.Status.PUBLISHED
    rare.save()
    exercises.append(Exercise.objects.for_detail().get(pk=rare.pk))

    for exercise in exercises:
        found = [e.name for e in Exercise.objects.published().for_listing().related_to(exercise)]
        assert found == brute_force_related(exercise), exercise.name
        assert len(found) == 6


def test_the_exercise_pages_compiled_queries_answer_what_the_orm_does(taxonomy):
    """The related exercises and “Swap for” run compiled once per shape (the number of
    secondary muscles): for every exercise, with trainers' pins and exclusions too, they give
    the rows the ORM builds for it, and edits made after a shape was compiled show at once."""
    from exercises.models import ExerciseSubstitute
    from exercises.models.compiled import CompiledQuery
    from exercises.views import related_to, substitutes_of

    build_library(120)
    exercises = list(Exercise.objects.published().for_detail().order_by("pk"))
    CompiledQuery.compiled.clear()

    def rows(results):
        return [
            (e.pk, e.name, e.equipment.name, getattr(e, "pinned", None), e.thumbnail_url)
            if hasattr(e, "thumbnail_hash")
            else (e.pk, e.name, e.equipment.name, e.pinned)
            for e in results
        ]

    def check(exercise):
        for shape, build in (("related", related_to), ("substitutes", substitutes_of)):
            assert rows(CompiledQuery.run(shape, build, exercise)) == rows(build(exercise))

    for exercise in exercises:
        check(exercise)
    shapes = {key[1] for key in CompiledQuery.compiled}
    assert len(shapes) > 1
    assert all(query.usable for query in CompiledQuery.compiled.values())

    # After the shapes are compiled: a pin and an exclusion, and a renamed related exercise.
    first = next(e for e in exercises if len(substitutes_of(e)) > 1)
    computed = [e.pk for e in substitutes_of(first)]
    pinned = next(e for e in exercises if e.pk not in computed and e.pk != first.pk)
    ExerciseSubstitute.objects.create(exercise=first, substitute=pinned, choice="pin")
    ExerciseSubstitute.objects.create(exercise=first, substitute_id=computed[0], choice="exclude")
    renamed = related_to(first)[0]
    Exercise.objects.filter(pk=renamed.pk).update(name="Aaa Renamed")
    first = Exercise.objects.for_detail().get(pk=first.pk)
    check(first)
    swap = [e.pk for e in CompiledQuery.run("substitutes", substitutes_of, first)]
    assert pinned.pk in swap and computed[0] not in swap
    assert "Aaa Renamed" in [e.name for e in CompiledQuery.run("related", related_to, first)]

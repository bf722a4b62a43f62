"""Hand-made exercises on top of the `taxonomy` fixture, so that every count is known exactly.

`build_library()` creates LIBRARY: 13 published exercises and 2 drafts. Its counts:

    body part   back 7, legs 4, chest 2
    equipment   barbell 6, dumbbell 4, bodyweight 3
    muscle      lower-back 5, quads 3, upper-back 2, chest 2, hamstrings 1
    difficulty  intermediate 6, beginner 5, advanced 2
    category    strength 9, powerlifting 3, mobility 1

Back with barbell has 5 published exercises (a combination hub); legs with dumbbell has 4
published and a draft (not one).
"""

import copy
from io import StringIO

from bs4 import BeautifulSoup
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from settings_env import BASE_DIR

from exercises.models import (
    FACETS,
    FAQ,
    BodyPart,
    Category,
    CommonMistake,
    ContentRevision,
    Difficulty,
    Equipment,
    Exercise,
    ExerciseSecondaryMuscle,
    Muscle,
    ProTip,
    Step,
)

PUBLISHED = Exercise.Status.PUBLISHED
DRAFT = Exercise.Status.DRAFT

# name: (body part, equipment, target muscle, difficulty, category)
LIBRARY = {
    "Barbell Row": ("back", "barbell", "upper-back", "intermediate", "strength"),
    "Deadlift": ("back", "barbell", "lower-back", "advanced", "powerlifting"),
    "Good Morning": ("back", "barbell", "lower-back", "intermediate", "strength"),
    "Pendlay Row": ("back", "barbell", "upper-back", "advanced", "strength"),
    "Rack Pull": ("back", "barbell", "lower-back", "intermediate", "powerlifting"),
    "Superman": ("back", "bodyweight", "lower-back", "beginner", "strength"),
    "Cat Cow": ("back", "bodyweight", "lower-back", "beginner", "mobility"),
    "Goblet Squat": ("legs", "dumbbell", "quads", "beginner", "strength"),
    "Dumbbell Lunge": ("legs", "dumbbell", "quads", "intermediate", "strength"),
    "Romanian Deadlift": ("legs", "dumbbell", "hamstrings", "intermediate", "strength"),
    "Step Up": ("legs", "dumbbell", "quads", "beginner", "strength"),
    "Push Up": ("chest", "bodyweight", "chest", "beginner", "strength"),
    "Bench Press": ("chest", "barbell", "chest", "intermediate", "powerlifting"),
}
DRAFTS = {
    "Bulgarian Split Squat": ("legs", "dumbbell", "quads", "advanced", "strength"),
    "Hidden Back Extension": ("back", "barbell", "lower-back", "beginner", "strength"),
}


# The exercise page's sections, in page order: its h2s, and the Markdown copy's.
EXERCISE_SECTIONS = [
    "Quick answer",
    "How to perform",
    "Pro tips",
    "Common mistakes",
    "FAQ",
    "Related exercises",
]
# The HTML page's h2s: the same, and the muscle map's after the quick answer (the Markdown copy
# leaves the map out: its facts already name the muscles).
EXERCISE_PAGE_SECTIONS = [EXERCISE_SECTIONS[0], "Muscles worked", *EXERCISE_SECTIONS[1:]]
# The reference exercise's FAQ questions: its authored entries first, then the generated ones.
SPINE_STRETCH_QUESTIONS = [
    "What does the Spine Stretch target?",
    "Is this a Pilates exercise?",
    "How often should I do Spine Stretches?",
    "What muscles does the Spine Stretch work?",
    "Is the Spine Stretch good for beginners?",
]


# What an exercise needs to pass the publish gate (exercises/models/completeness.py): a quick
# answer of its own and three steps. make_exercise(name, **PUBLISHABLE).
PUBLISHABLE = {
    "quick_answer": "A controlled movement for the back.",
    "steps": ("Set up.", "Move slowly.", "Return to the start."),
}


# Taxonomy rows by (model, slug), each read once per test: make_exercise names five of them and
# the suite makes thousands of exercises, so these reads were a tenth of its time. Any save or
# delete of a taxon forgets them all, and so does every test's start (conftest.py), since a
# rolled-back transaction sends no signal.
_taxa = {}


def forget_taxa(**kwargs):
    _taxa.clear()


for _model in FACETS:
    post_save.connect(forget_taxa, sender=_model, dispatch_uid=f"factories-{_model.__name__}-save")
    post_delete.connect(forget_taxa, sender=_model, dispatch_uid=f"factories-{_model.__name__}-del")


def taxon(model, value):
    """A taxonomy row given by slug, or the row itself. Each call returns its own copy of the
    row, as a query would."""
    if isinstance(value, model):
        return value
    if (model, value) not in _taxa:
        _taxa[model, value] = model.objects.get(slug=value)
    return copy.copy(_taxa[model, value])


def make_exercise(
    name,
    *,
    body_part="back",
    equipment="bodyweight",
    muscle="lower-back",
    difficulty="beginner",
    category="strength",
    status=PUBLISHED,
    slug=None,
    quick_answer="",
    secondary=(),
    steps=(),
    tips=(),
    mistakes=(),
    faqs=(),
    **fields,
):
    """One exercise. Taxonomy values are given by slug (or as rows), ordered content as lists of
    text; any other Exercise field by name."""
    exercise = Exercise.objects.create(
        name=name,
        slug=slug or name.lower().replace(" ", "-"),
        quick_answer=quick_answer,
        body_part=taxon(BodyPart, body_part),
        equipment=taxon(Equipment, equipment),
        target_muscle=taxon(Muscle, muscle),
        difficulty=taxon(Difficulty, difficulty),
        category=taxon(Category, category),
        status=status,
        **fields,
    )
    for position, muscle_slug in enumerate(secondary):
        ExerciseSecondaryMuscle.objects.create(
            exercise=exercise, muscle=taxon(Muscle, muscle_slug), position=position
        )
    for model, texts in ((Step, steps), (ProTip, tips), (CommonMistake, mistakes)):
        model.objects.bulk_create(
            model(exercise=exercise, text=text, position=position)
            for position, text in enumerate(texts)
        )
    FAQ.objects.bulk_create(
        FAQ(exercise=exercise, question=question, answer=answer, position=position)
        for position, (question, answer) in enumerate(faqs)
    )
    return exercise


def build_library():
    """LIBRARY as published exercises plus DRAFTS; {name: exercise}."""
    exercises = {}
    for status, specs in ((PUBLISHED, LIBRARY), (DRAFT, DRAFTS)):
        for name, (body_part, equipment, muscle, difficulty, category) in specs.items():
            exercises[name] = make_exercise(
                name,
                body_part=body_part,
                equipment=equipment,
                muscle=muscle,
                difficulty=difficulty,
                category=category,
                status=status,
                quick_answer=f"The {name.lower()} is a staple movement.",
            )
    return exercises


BACK_MUSCLES = ["lower-back", "upper-back", "lats", "traps"]
DIFFICULTIES = ["beginner", "intermediate", "advanced"]
CATEGORIES = ["strength", "mobility", "powerlifting"]


def make_back_barbell_exercises(count, start=0):
    """`count` full back/barbell exercises (steps, tips, mistakes, FAQs, two secondary
    muscles), varied in muscle, difficulty and category, for query-count comparisons."""
    exercises = []
    for number in range(start, start + count):
        exercises.append(
            make_exercise(
                f"Back Barbell {number:03}",
                equipment="barbell",
                muscle=BACK_MUSCLES[number % len(BACK_MUSCLES)],
                difficulty=DIFFICULTIES[number % len(DIFFICULTIES)],
                category=CATEGORIES[number % len(CATEGORIES)],
                quick_answer="A pull for the back.",
                secondary=["hamstrings", "glutes"] if number % 2 else ["biceps", "forearms"],
                steps=["Set up.", "Pull.", "Lower."],
                tips=["Brace first."],
                mistakes=["Rounding the back."],
                faqs=[("How heavy?", "Start light.")],
            )
        )
    return exercises


def command_output(name, *args):
    """Run a management command; return what it printed (its progress on stderr dropped)."""
    out = StringIO()
    call_command(name, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def shared_rows(django_db_blocker, build):
    """Rows that a group of tests reads, written once for the group by `build()`: in a module-
    or class-scoped fixture, `yield from shared_rows(django_db_blocker, build)` yields what
    `build()` returns.

    The rows live in a transaction rolled back after the group; each test runs in a savepoint
    inside it, so what one test writes never reaches the next. As after `django_db_setup`, no
    content version is stored: each test makes its own, so no test is answered with pages
    another one cached.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        # A browser test run before on this worker empties the database when it ends.
        if not BodyPart.objects.exists():
            call_command("import_exercises", BASE_DIR / "fixtures" / "taxonomy.json", verbosity=0)
        built = build()
        ContentRevision.objects.all().delete()
        yield built
        transaction.set_rollback(True)


# Reading pages as a visitor sees them.


def html(response):
    """The response's HTML, parsed."""
    return BeautifulSoup(response.content, "html.parser")


def text(element):
    """An element's visible text with whitespace collapsed."""
    return " ".join(element.get_text(" ").split())


def card_names(response):
    """The names on the result cards, in page order."""
    return [text(a) for a in html(response).select(".cards .card__title a")]

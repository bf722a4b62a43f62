"""A synthetic exercise library of any size, built from the real taxonomy with bulk_create.

Names, steps, tips, mistakes and FAQs read like the real ones ("Incline Dumbbell Bicep Curl"),
so that search, page sizes and facet spreads behave as they would with a real library. The same
seed always builds the same library (`manage.py seed_library`). The benchmark, the load test and
the query-budget tests build their libraries with it.
"""

import random
from itertools import product

from django.db import transaction
from django.utils.text import slugify

from exercises.caching import content_changed
from exercises.models import (
    FAQ,
    Category,
    CommonMistake,
    Difficulty,
    Equipment,
    Exercise,
    ExerciseSecondaryMuscle,
    Muscle,
    ProTip,
    Step,
)

# Movements by target muscle; each name is "<modifiers> <equipment> <movement>".
MOVEMENTS = {
    "abductors": ["Hip Abduction", "Lateral Walk", "Side-Lying Leg Raise"],
    "abs": ["Crunch", "Sit-Up", "Leg Raise", "Plank", "Rollout"],
    "adductors": ["Hip Adduction", "Copenhagen Plank", "Sumo Squat"],
    "biceps": ["Bicep Curl", "Hammer Curl", "Preacher Curl", "Chin-Up"],
    "calves": ["Calf Raise", "Seated Calf Raise", "Jump"],
    "cardiovascular": ["Sprint", "Jumping Jack", "Burpee", "Mountain Climber"],
    "chest": ["Bench Press", "Fly", "Push-Up", "Dip"],
    "forearms": ["Wrist Curl", "Reverse Curl", "Farmer's Walk"],
    "glutes": ["Hip Thrust", "Glute Bridge", "Kickback"],
    "hamstrings": ["Romanian Deadlift", "Leg Curl", "Good Morning", "Deadlift"],
    "lats": ["Pull-Up", "Pulldown", "Pullover", "Row"],
    "lower-back": ["Back Extension", "Deadlift", "Superman", "Good Morning"],
    "neck": ["Neck Flexion", "Neck Extension", "Shrug"],
    "quads": ["Squat", "Lunge", "Leg Extension", "Step-Up", "Split Squat"],
    "serratus": ["Scapular Push-Up", "Punch", "Wall Slide"],
    "shoulders": ["Overhead Press", "Lateral Raise", "Front Raise", "Arnold Press"],
    "traps": ["Shrug", "Upright Row", "Face Pull"],
    "triceps": ["Triceps Extension", "Skull Crusher", "Pushdown", "Close-Grip Press"],
    "upper-back": ["Bent-Over Row", "Reverse Fly", "Seal Row", "Inverted Row"],
}
MODIFIERS = [
    "",
    "Incline",
    "Decline",
    "Seated",
    "Standing",
    "Kneeling",
    "Lying",
    "Single-Arm",
    "Single-Leg",
    "Alternating",
    "Close-Grip",
    "Wide-Grip",
    "Paused",
    "Tempo",
    "Isometric",
    "Deficit",
    "Banded",
    "Half",
]
STEPS = [
    "Set up with the {equipment} and take a stable stance, feet about hip-width apart.",
    "Brace your core and keep your spine neutral before you start the {movement}.",
    "Move through the full range of motion under control, feeling your {muscle} work.",
    "Pause for a second at the hardest point of the {movement}.",
    "Return slowly to the starting position without losing tension.",
    "Breathe out as you lift and in as you lower.",
    "Repeat for the planned number of repetitions, then switch sides if needed.",
]
TIPS = [
    "Film a set from the side to check your form on the {movement}.",
    "Use a weight you can control for every repetition; the {muscle} grows from tension.",
    "Warm up with one or two light sets before your working sets.",
    "Keep your neck in line with your spine throughout.",
]
MISTAKES = [
    "Rushing the lowering phase of the {movement}.",
    "Letting the lower back round under load.",
    "Using momentum instead of the {muscle} to move the weight.",
    "Holding your breath for the whole set.",
]
FAQS = [
    (
        "How many sets and reps of the {name} should I do?",
        "Two to four sets of eight to twelve repetitions suit most people; go heavier with "
        "fewer repetitions for strength.",
    ),
    (
        "What can I use instead of a {equipment}?",
        "Most variations of the {movement} work with another load: a resistance band, a "
        "dumbbell or your body weight.",
    ),
    (
        "How often should I train the {muscle}?",
        "Two or three times a week with a rest day between sessions works well for most people.",
    ),
]


def synthetic_names(count, rng):
    """Up to `count` new, unique (name, target muscle slug, movement, equipment slug) tuples,
    for the muscles and equipment the database has."""
    equipment = list(Equipment.objects.values_list("slug", "name"))
    muscles = set(Muscle.objects.values_list("slug", flat=True))
    combos = [
        (first, second, muscle, movement, eq)
        for (muscle, movements), eq in product(MOVEMENTS.items(), equipment)
        if muscle in muscles
        for movement in movements
        for first, second in product(MODIFIERS, MODIFIERS)
        if first < second or not first
    ]
    rng.shuffle(combos)
    taken = set(Exercise.objects.values_list("name", flat=True))
    names = {}
    for first, second, muscle, movement, (eq_slug, eq_name) in combos:
        equipment_word = "" if eq_slug in ("bodyweight", "other") else eq_name
        words = [w for w in (first, second, equipment_word, movement) if w]
        name = " ".join(words)
        if name not in names and name not in taken:
            names[name] = (muscle, movement, eq_slug)
            if len(names) == count:
                break
    return [(name, *rest) for name, rest in names.items()]


@transaction.atomic
def build_library(count, *, seed=1, draft_share=0.05):
    """Add `count` exercises (about 5% drafts) with their lists; return the new exercises."""
    rng = random.Random(seed)
    muscles = {m.slug: m for m in Muscle.objects.all()}
    equipment = {e.slug: e for e in Equipment.objects.all()}
    difficulties = list(Difficulty.objects.all())
    categories = list(Category.objects.all())
    strength = next((c for c in categories if c.slug == "strength"), categories[0])

    exercises, extras = [], []
    for name, muscle_slug, movement, eq_slug in synthetic_names(count, rng):
        muscle = muscles[muscle_slug]
        words = {
            "name": name,
            "movement": movement.lower(),
            "muscle": muscle.lower_name,
            "equipment": equipment[eq_slug].lower_name,
        }
        exercises.append(
            Exercise(
                name=name,
                slug=slugify(name),
                quick_answer=f"The {name} is a {movement.lower()} variation that builds the "
                f"{muscle.lower_name} with the {equipment[eq_slug].lower_name}.",
                body_part_id=muscle.body_part_id,
                equipment=equipment[eq_slug],
                target_muscle=muscle,
                difficulty=rng.choice(difficulties),
                category=strength if rng.random() < 0.6 else rng.choice(categories),
                status=Exercise.Status.DRAFT
                if rng.random() < draft_share
                else Exercise.Status.PUBLISHED,
            )
        )
        secondary = rng.sample(
            [m for m in muscles.values() if m is not muscle], k=rng.choice((0, 1, 2, 2, 3))
        )
        lists = {
            Step: rng.sample(STEPS, k=rng.randint(4, 6)),
            ProTip: rng.sample(TIPS, k=rng.randint(2, 3)),
            CommonMistake: rng.sample(MISTAKES, k=rng.randint(2, 3)),
        }
        faqs = rng.sample(FAQS, k=rng.randint(1, 2))
        extras.append((secondary, lists, faqs, words))

    Exercise.objects.bulk_create(exercises, batch_size=1000)
    rows = {model: [] for model in (ExerciseSecondaryMuscle, Step, ProTip, CommonMistake, FAQ)}
    for exercise, (secondary, lists, faqs, words) in zip(exercises, extras, strict=True):
        for position, muscle in enumerate(secondary, start=1):
            rows[ExerciseSecondaryMuscle].append(
                ExerciseSecondaryMuscle(exercise=exercise, muscle=muscle, position=position)
            )
        for model, texts in lists.items():
            for position, text in enumerate(texts, start=1):
                rows[model].append(
                    model(exercise=exercise, position=position, text=text.format(**words))
                )
        for position, (question, answer) in enumerate(faqs, start=1):
            rows[FAQ].append(
                FAQ(
                    exercise=exercise,
                    position=position,
                    question=question.format(**words),
                    answer=answer.format(**words),
                )
            )
    for model, objs in rows.items():
        model.objects.bulk_create(objs, batch_size=2000)
    content_changed()
    return exercises

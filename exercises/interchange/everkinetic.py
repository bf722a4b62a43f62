"""The Everkinetic drawings and exercises (CC BY-SA 4.0), fixtures/everkinetic/.

Two steps:
- `propose_matches()` (everkinetic_matching.py) pairs each Everkinetic exercise with the
  starter exercise it shows, on name *and* equipment *and* muscles; `manage.py
  everkinetic_prepare --propose` writes the proposal as fixtures/everkinetic-matches.csv,
  which a trainer reviews and corrects by hand.
- `import_everkinetic()` follows that reviewed table: it attaches the drawings to the matched
  exercises and imports the unmatched ones as exercises of their own, with their steps and a
  credit for the text (docs/library-format.md).
"""

import re
from pathlib import Path

from django.utils.text import slugify

from .everkinetic_matching import (
    ATTACH,
    CREATOR,
    MATCHES,
    ROOT,
    SKIP,
    SOURCE_URL,
    equipment_of,
    load_exercises,
    muscles_of,
    propose_matches,
    read_matches,
    readable_title,
    similarity,
    write_matches,
)

# Re-exported: the matching helpers are read through this module by the tests and commands.
__all__ = [
    "SOURCE_URL",
    "equipment_of",
    "import_everkinetic",
    "prepare",
    "read_matches",
    "readable_title",
    "similarity",
]

# The drawings are black lines over a white layer that repeats the (white) background: the
# renditions are made on white, so the layer is dropped (about half of every file).
WHITE_LAYER = re.compile(r'<g fill="#(?:FFF|fff|FFFFFF|ffffff)">.*?</g>', re.S)


def optimise_svg(text):
    """A drawing without its white layer; the same picture on a white background."""
    optimised = WHITE_LAYER.sub("", text)
    if "<path" not in optimised:  # nothing but white: keep the file as it was
        return text
    return optimised


def prepare(source, proposals_from=None):
    """Copy the data set from `source` into fixtures/everkinetic (drawings optimised) and,
    given the starter library, write a fresh matching proposal. Returns the files written."""
    source = Path(source)
    (ROOT / "svg").mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("LICENSE.md", "exercises.json"):
        (ROOT / name).write_bytes((source / name).read_bytes())
        written.append(ROOT / name)
    for path in sorted((source / "svg").glob("*.svg")):
        target = ROOT / "svg" / path.name
        target.write_text(optimise_svg(path.read_text(encoding="utf-8")), encoding="utf-8")
        written.append(target)
    if proposals_from is not None:
        write_matches(propose_matches(proposals_from))
        written.append(MATCHES)
    return written


# Everkinetic draws each exercise at rest ("relaxation") and under load ("tension").
POSITIONS = {"relaxation": "Start position", "tension": "End position"}
# Everkinetic gives no level; imported exercises start here and a trainer adjusts them.
DEFAULT_DIFFICULTY = "intermediate"
DEFAULT_CATEGORY = "strength"


def drawing_caption(path):
    stem = Path(path).stem
    return POSITIONS.get(stem.rsplit("-", 1)[-1], "")


def drawing_alt_text(exercise, caption):
    """Alt text for a drawing: what it shows, for someone who cannot see it (“doing the
    Barbell Curl”, “doing Bench Dips”: the exercise's grammatical number)."""
    where = f"the {caption.lower()}" if caption else "one position"
    return f"Line drawing of a person doing {exercise.subject.the}: {where}"


def render_drawing(path):
    """(path, Master, {name: bytes}) of one drawing; run in worker processes."""
    from .. import renditions

    master = renditions.clean_image(Path(path).read_bytes())
    return str(path), master, renditions.make_renditions(master)


def import_everkinetic(progress=None, workers=None):
    """Follow the reviewed table: attach drawings, import unmatched exercises; return counts.

    Idempotent and quick the second time: an exercise that already has an Everkinetic
    drawing gets none (nothing is rendered for it), and an exercise whose slug or name is
    taken is not imported again.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor

    from django.db import transaction

    from .. import renditions
    from ..caching import content_changed
    from ..models import (
        Category,
        Difficulty,
        Equipment,
        Exercise,
        ExerciseMedia,
        ExerciseSecondaryMuscle,
        ExerciseTextCredit,
        MediaLicence,
        Muscle,
        ProTip,
        Step,
    )
    from ..recording import record_exercises

    progress = progress or (lambda iterable, **kwargs: iterable)
    items = load_exercises()
    rows = read_matches()
    counts = {"attached": 0, "imported": 0, "duplicates": 0, "missing": 0, "drawings": 0}
    exercises = {e.slug: e for e in Exercise.objects.all()}
    names = {e.name.lower() for e in exercises.values()}
    have = set(ExerciseMedia.objects.values_list("exercise_id", "content_hash"))
    illustrated = set(
        ExerciseMedia.objects.filter(creator=CREATOR).values_list("exercise_id", flat=True)
    )
    muscles = {m.slug: m for m in Muscle.objects.select_related("body_part")}
    equipment = {e.slug: e for e in Equipment.objects.all()}
    difficulty = Difficulty.objects.get(slug=DEFAULT_DIFFICULTY)
    category = Category.objects.get(slug=DEFAULT_CATEGORY)

    plan = []  # (exercise, item, is_new)
    new = []
    for row in rows:
        item = items.get(row.everkinetic_id)
        if item is None or row.action == SKIP:
            continue
        if row.action == ATTACH:
            exercise = exercises.get(row.forge_slug)
            if exercise is None:
                counts["missing"] += 1  # deleted or renamed since the table was reviewed
            elif exercise.pk in illustrated:
                counts["duplicates"] += 1
            else:
                plan.append((exercise, item, False))
            continue
        name = readable_title(item["title"])
        slug = slugify(name)
        if slug in exercises or name.lower() in names:
            counts["duplicates"] += 1
            continue
        target, *others = muscles_of(item, "primary") or ["abs"]
        kit = sorted(equipment_of(item) & set(equipment)) or ["other"]
        exercise = Exercise(
            name=name,
            slug=slug,
            status=Exercise.Status.PUBLISHED,
            quick_answer=item.get("primer", "").strip(),
            body_part=muscles[target].body_part,
            equipment=equipment[kit[0]],
            target_muscle=muscles[target],
            difficulty=difficulty,
            category=category,
        )
        secondary = list(dict.fromkeys(others + muscles_of(item, "secondary")))
        exercise._everkinetic = (item, [m for m in secondary if m != target])
        exercises[slug] = exercise
        names.add(name.lower())
        new.append(exercise)
        plan.append((exercise, item, True))

    paths = sorted({str(ROOT / p) for _, item, _ in plan for p in item["svg"]})
    rendered = {}
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        results = pool.map(render_drawing, paths, chunksize=8)
        for path, master, files in progress(results, total=len(paths), desc="Drawings"):
            renditions.store(files)
            rendered[path] = master

    with transaction.atomic():
        Exercise.objects.bulk_create(new)
        rows_to_create = {Step: [], ProTip: [], ExerciseSecondaryMuscle: []}
        credits = []
        for exercise in new:
            item, secondary = exercise._everkinetic
            for position, text in enumerate(
                [s.strip() for s in item.get("steps", []) if s.strip()], start=1
            ):
                rows_to_create[Step].append(Step(exercise=exercise, position=position, text=text))
            for position, text in enumerate(
                [t.strip() for t in item.get("tips", []) if t.strip()], start=1
            ):
                rows_to_create[ProTip].append(
                    ProTip(exercise=exercise, position=position, text=text)
                )
            for position, slug in enumerate(secondary, start=1):
                rows_to_create[ExerciseSecondaryMuscle].append(
                    ExerciseSecondaryMuscle(
                        exercise=exercise, muscle=muscles[slug], position=position
                    )
                )
            credits.append(
                ExerciseTextCredit(
                    exercise=exercise,
                    creator=CREATOR,
                    creator_is_organization=True,
                    licence=MediaLicence.CC_BY_SA,
                    source_url=SOURCE_URL,
                )
            )
        for model, objs in rows_to_create.items():
            model.objects.bulk_create(objs)
        ExerciseTextCredit.objects.bulk_create(credits)
        media = []
        touched = set()
        for exercise, item, is_new in plan:
            position = exercise.media.count() if not is_new else 0
            added = False
            for path in item["svg"]:
                master = rendered[str(ROOT / path)]
                if (exercise.pk, master.content_hash) in have:
                    continue
                have.add((exercise.pk, master.content_hash))
                position += 1
                caption = drawing_caption(path)
                row = ExerciseMedia(
                    exercise=exercise,
                    position=position,
                    alt_text=drawing_alt_text(exercise, caption),
                    caption=caption,
                    creator=CREATOR,
                    creator_is_organization=True,
                    licence=MediaLicence.CC_BY_SA,
                    source_url=SOURCE_URL,
                    width=master.width,
                    height=master.height,
                    content_hash=master.content_hash,
                )
                row.image.name = renditions.master_name(master.content_hash, master.extension)
                media.append(row)
                added = True
            if added:
                touched.add(exercise.pk)
                counts["imported" if is_new else "attached"] += 1
        ExerciseMedia.objects.bulk_create(media)
        counts["drawings"] = len(media)
        if touched:
            from django.utils import timezone

            Exercise.objects.filter(pk__in=touched).update(updated=timezone.now())
        # bulk_create sends no signals: tell the page cache and the history themselves.
        content_changed()
        record_exercises(
            {exercise.pk for exercise in new} | touched, "Everkinetic text and drawings imported"
        )
    return counts

"""The Everkinetic drawings and exercises (CC BY-SA 4.0), fixtures/everkinetic/.

Two steps, both here:
- `propose_matches()` pairs each Everkinetic exercise with the starter exercise it shows, on
  name *and* equipment *and* muscles; `manage.py everkinetic_matches` writes the proposal as
  fixtures/everkinetic-matches.csv, which a trainer reviews and corrects by hand.
- `import_everkinetic()` follows that reviewed table: it attaches the drawings to the matched
  exercises and imports the unmatched ones as exercises of their own, with their steps and a
  credit for the text (docs/library-format.md).
"""

import csv
import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

ROOT = Path(settings.BASE_DIR) / "fixtures" / "everkinetic"
MATCHES = Path(settings.BASE_DIR) / "fixtures" / "everkinetic-matches.csv"
SOURCE_URL = "https://github.com/everkinetic/data"
CREATOR = "Everkinetic"
CSV_FIELDS = ["everkinetic_id", "everkinetic_title", "action", "forge_slug", "note"]
# What a row of the table tells the import to do.
ATTACH, IMPORT, SKIP = "attach", "import", "skip"

MUSCLES = {
    "triceps brachii": "triceps",
    "biceps brachii": "biceps",
    "bicpes": "biceps",
    "deltoid": "shoulders",
    "deltoideus (clavicula)": "shoulders",
    "should": "shoulders",
    "ischiocrural muscles": "hamstrings",
    "pectoralis major": "chest",
    "gastrocnemius": "calves",
    "soleus": "calves",
    "quadriceps": "quads",
    "forearm": "forearms",
    "forerm": "forearms",
    "glutaeus maximus": "glutes",
    "latissimus dorsi": "lats",
    "abdominals": "abs",
    "core": "abs",
    "obliques": "abs",
    "erector spinae": "lower-back",
    "trapezius": "traps",
    "hip abductors": "abductors",
    "upper back": "upper-back",
    "back": "upper-back",
}
# Everkinetic's equipment words → the Forge equipment they can be. A bench, a bar to hang from
# or parallel bars alone make a body-weight exercise (as free-exercise-db files them).
EQUIPMENT = {
    "barbell": {"barbell"},
    "dumbbell": {"dumbbell"},
    "dumbbells": {"dumbbell"},
    "cable": {"cable"},
    "v-bar": {"cable"},
    "body": {"bodyweight"},
    "machine": {"machine"},
    "smith machine": {"smith-machine", "machine"},
    "t-bar machine": {"machine", "barbell"},
    "machine: butterfly": {"machine"},
    "machine: bench press": {"machine"},
    "machine: chest": {"machine"},
    "chest machine": {"machine"},
    "exercise band": {"resistance-band"},
    "exercise ball": {"stability-ball"},
    "swiss ball": {"stability-ball"},
    "stability ball": {"stability-ball"},
    "bosu ball": {"stability-ball", "other"},
    "medicine ball": {"medicine-ball"},
    "weight plate": {"weight-plate", "other"},
    "weight": {"weight-plate", "other"},
    "towel": {"other"},
    "balance board": {"other"},
}
SUPPORTS = {
    "flat bench",
    "bench",
    "bench: incline",
    "bench: decline",
    "bench: hyperextension",
    "bar",
    "wide bar",
    "pull-up bar",
    "parallel bars",
}
# Words that differ between the two data sets but name the same thing.
WORDS = {
    "dumbbells": "dumbbell",
    "db": "dumbbell",
    "bb": "barbell",
    "deadlifts": "deadlift",
    "pushup": "push up",
    "pushups": "push up",
    "situp": "sit up",
    "situps": "sit up",
    "pullup": "pull up",
    "chinup": "chin up",
    "ez": "ez",
    "e": "",
    "z": "",
    "flyes": "fly",
    "flies": "fly",
    "flye": "fly",
    "raises": "raise",
    "extensions": "extension",
    "curls": "curl",
    "rows": "row",
    "presses": "press",
    "lunges": "lunge",
    "squats": "squat",
    "shrugs": "shrug",
    "crunches": "crunch",
    "kickbacks": "kickback",
    "standing": "",
    "seated": "seated",
    "the": "",
    "with": "",
    "and": "",
    "on": "",
    "a": "",
    "exercise": "",
    "flys": "fly",
    "s": "",
    "using": "",
    "to": "",
    "an": "",
    "grips": "grip",
    "grip": "",
    "version": "",
    "attachment": "",
    # The equipment is compared on its own, and the muscles: in a name they only add noise.
    "dumbbell": "",
    "barbell": "",
    "cable": "",
    "machine": "",
    "band": "",
    "bands": "",
    "olympic": "",
    "biceps": "",
    "bicep": "",
    "triceps": "",
    "tricep": "",
    "calves": "calf",
}
# Words that make a variant: two names must agree on all of them ("Incline" and "Decline"
# bench presses, a "Hammer" curl and a plain one are different drawings).
QUALIFIERS = {
    "incline",
    "decline",
    "flat",
    "seated",
    "lying",
    "kneeling",
    "bent",
    "hammer",
    "reverse",
    "preacher",
    "spider",
    "drag",
    "concentration",
    "close",
    "wide",
    "narrow",
    "one",
    "single",
    "alternate",
    "rear",
    "front",
    "side",
    "lateral",
    "overhead",
    "hack",
    "zottman",
    "zercher",
    "sumo",
    "stiff",
    "romanian",
    "upright",
    "inner",
    "pronated",
    "supinated",
    "squat",
    "press",
    "raise",
    "curl",
    "row",
    "fly",
    "extension",
    "pullover",
    "shrug",
    "lunge",
    "deadlift",
    "crunch",
    "kickback",
    "pushdown",
    "dip",
    "calf",
    "military",
    "floor",
    "jump",
    "split",
    "step",
    "high",
    "low",
    "cross",
    "twist",
    "bridge",
    "plank",
    "ez",
    "smith",
    "rope",
}
SAME_QUALIFIER = {
    "single": "one",
    "alternating": "alternate",
    "delt": "rear",
    "deltoid": "rear",
    "side": "lateral",
}
# Below this, names are not the same exercise even with equipment and muscles in common.
MIN_SIMILARITY = 0.75


@dataclass
class Proposal:
    everkinetic_id: str
    everkinetic_title: str
    action: str
    forge_slug: str
    note: str


def load_exercises():
    """Everkinetic's exercises with drawings, by id."""
    data = json.loads((ROOT / "exercises.json").read_text(encoding="utf-8"))
    return {item["id"]: item for item in data if item.get("svg")}


def name_key(name):
    """A name's words, normalised: "Barbell Dead Lifts" and "Barbell Deadlift" agree."""
    text = name.lower().replace("dead lift", "deadlift").replace("push-up", "push up")
    text = text.replace("e-z", "ez").replace("sit-up", "sit up").replace("pull-up", "pull up")
    words = []
    for word in re.findall(r"[a-z0-9]+", text):
        word = WORDS.get(word, word)
        if word:
            words.extend(word.split())
    return " ".join(sorted(words))


def qualifiers(name):
    words = {SAME_QUALIFIER.get(word, word) for word in name_key(name).split()}
    return words & QUALIFIERS


def similarity(a, b):
    """How alike two names are, 0 to 1; 0 when they differ in a word that makes a variant."""
    if qualifiers(a) != qualifiers(b):
        return 0.0
    # Words in common (a misspelt word still counts: "Zecher"/"Zercher", "Pile"/"Plie").
    words_a, words_b = name_key(a).split(), name_key(b).split()
    if not words_a or not words_b:
        return 0.0
    unmatched = list(words_b)
    common = 0
    for word in words_a:
        for other in unmatched:
            if word == other or difflib.SequenceMatcher(None, word, other).ratio() >= 0.8:
                unmatched.remove(other)
                common += 1
                break
    return 2 * common / (len(words_a) + len(words_b))


def readable_title(title):
    """Everkinetic's "Bench Press: Barbell (Incline)" as a name: "Incline Barbell Bench Press"."""
    match = re.fullmatch(r"\s*([^:]+?)\s*:\s*([^(]+?)\s*(?:\((.+)\))?\s*", title)
    if not match:
        return " ".join(title.split())
    movement, equipment, variant = match.groups()
    variant = " ".join(word.strip() for word in (variant or "").split(","))
    return " ".join(f"{variant} {equipment} {movement}".split())


def equipment_of(item):
    """The Forge equipment an Everkinetic exercise can be filed under."""
    options = set()
    for word in item.get("equipment") or []:
        options |= EQUIPMENT.get(word.strip().lower(), set())
    if not options and all(w.strip().lower() in SUPPORTS for w in item.get("equipment") or []):
        options = {"bodyweight"}
    return options


def muscles_of(item, key):
    return [MUSCLES[m.strip().lower()] for m in item.get(key, []) if m.strip().lower() in MUSCLES]


def propose_matches(starters):
    """A Proposal per Everkinetic exercise; `starters` are (name, slug, equipment slug,
    target muscle slug, secondary muscle slugs) of the starter library."""
    proposals = []
    for ek_id, item in sorted(load_exercises().items()):
        equipment = equipment_of(item)
        primary = set(muscles_of(item, "primary"))
        every = primary | set(muscles_of(item, "secondary"))
        best = None
        for name, slug, forge_equipment, target, secondary in starters:
            if forge_equipment not in equipment:
                continue
            if target not in every and not primary & set(secondary):
                continue
            score = similarity(readable_title(item["title"]), name)
            if best is None or score > best[0]:
                best = (score, name, slug)
        if best and best[0] >= MIN_SIMILARITY:
            score, name, slug = best
            note = f"name {score:.2f} “{name}”, equipment and muscles agree"
            proposals.append(Proposal(ek_id, item["title"], ATTACH, slug, note))
        else:
            note = (
                f"closest with the same equipment and muscles: “{best[1]}” ({best[0]:.2f})"
                if (best)
                else "no starter exercise with the same equipment and muscles"
            )
            proposals.append(Proposal(ek_id, item["title"], IMPORT, "", note))
    # A starter exercise gets the drawings of one Everkinetic exercise: the best named.
    best_for = {}
    for proposal in proposals:
        if proposal.action == ATTACH:
            score = float(proposal.note.split()[1])
            current = best_for.get(proposal.forge_slug)
            if current is None or score > current[0]:
                best_for[proposal.forge_slug] = (score, proposal)
    for proposal in proposals:
        if proposal.action == ATTACH and best_for[proposal.forge_slug][1] is not proposal:
            proposal.action = IMPORT
            proposal.note = (
                f"a variant: “{proposal.forge_slug}” shows "
                f"{best_for[proposal.forge_slug][1].everkinetic_id} better"
            )
            proposal.forge_slug = ""
    return proposals


def write_matches(proposals, path=MATCHES):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for p in proposals:
            writer.writerow([p.everkinetic_id, p.everkinetic_title, p.action, p.forge_slug, p.note])


def read_matches(path=MATCHES):
    with open(path, newline="", encoding="utf-8") as file:
        return [Proposal(**row) for row in csv.DictReader(file)]


def forge_slug(item):
    return slugify(item["title"])


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


def drawing_alt_text(name, caption):
    """Alt text for a drawing: what it shows, for someone who cannot see it."""
    where = caption.lower() if caption else "a position"
    return f"Line drawing of a person doing the {name}: the {where}"


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
                    alt_text=drawing_alt_text(exercise.name, caption),
                    caption=caption,
                    creator=CREATOR,
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
        # bulk_create sends no signals: tell the page cache itself.
        content_changed()
    return counts

"""Which Everkinetic exercise shows which starter exercise: the proposal and the reviewed table.

`propose_matches()` pairs each Everkinetic exercise with the starter exercise it shows, on name
*and* equipment *and* muscles (names alone pair wrong exercises: "Front Barbell Raises" with
"Front Dumbbell Raise"); the proposal is written as fixtures/everkinetic-matches.csv, which a
trainer reviews and corrects by hand, and `read_matches()` reads it back for the import.
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

"""The muscle map's drawing: a front and a back view of a body, cut into regions.

The outlines come from react-body-highlighter (MIT licence; LICENSE.react-body-highlighter
beside this file), with a few regions split or drawn for Forge (docs/muscle-map.md). A muscle
is placed on the map by naming one region (Muscle.map_region); musclemap.py decides how each
page shows them.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# The regions, in drawing and keyboard order: top to bottom, front before back. Each label
# says where the region is, for the trainer choosing one in the admin.
REGION_CHOICES = [
    ("neck", "Neck (front of the neck)"),
    ("traps", "Traps (back, from the neck to the shoulder blades)"),
    ("shoulders", "Shoulders (front and back)"),
    ("chest", "Chest"),
    ("heart", "Heart (a symbol on the chest, for cardio)"),
    ("upper_back", "Upper back (back, beside the shoulder blades)"),
    ("lats", "Lats (back, below the shoulder blades)"),
    ("biceps", "Biceps (front of the upper arm)"),
    ("triceps", "Triceps (back of the upper arm)"),
    ("forearms", "Forearms"),
    ("serratus", "Serratus (front, the side of the ribs)"),
    ("abs", "Abs"),
    ("obliques", "Obliques (front, the side of the waist)"),
    ("lower_back", "Lower back"),
    ("abductors", "Hip abductors (outer hip)"),
    ("glutes", "Glutes"),
    ("adductors", "Adductors (inner thigh)"),
    ("quads", "Quads (front of the thigh)"),
    ("hamstrings", "Hamstrings (back of the thigh)"),
    ("calves", "Calves (back and inner lower leg)"),
    ("shins", "Shins (front and outer lower leg)"),
]
REGION_LABELS = dict(REGION_CHOICES)
DRAWING_FILE = Path(__file__).with_name("drawing.json")


@dataclass(frozen=True)
class Drawing:
    """Both views in one coordinate space (the back view to the right of the front one): the
    parts that are no region (head, knees) and each region's SVG path."""

    view_box: str
    back_offset: int
    body: str
    regions: dict
    credit: dict  # the work it is adapted from: work, author, url, licence, licence_file

    @property
    def width(self):
        return int(self.view_box.split()[2])

    @property
    def height(self):
        return int(self.view_box.split()[3])

    @property
    def view_labels(self):
        """("Front", x) and ("Back", x): each view's name, centred under it (views are 100
        wide)."""
        return [("Front", 50), ("Back", self.back_offset + 50)]

    @property
    def label_y(self):
        return self.height - 3


@cache
def drawing():
    data = json.loads(DRAWING_FILE.read_text())
    return Drawing(
        data["view_box"], data["back_offset"], data["body"], data["regions"], data["credit"]
    )

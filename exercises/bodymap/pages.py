"""What the muscle map shows on each page: the muscles an exercise works (exercise pages), or
every muscle as a link to its hub (the library and the muscle hubs).

Both take muscles the page has already loaded, so the map costs no query of its own.
"""

from dataclasses import dataclass

from django.utils.text import get_text_list

from . import drawing


@dataclass(frozen=True)
class Area:
    """One region as a page draws it: its path, the muscle drawn there (or None) and its
    state, which names its CSS class (``body-map__region--<state>``)."""

    region: str
    path: str
    muscle: object = None
    state: str = "idle"  # target, secondary; link, current, empty; idle
    url: str = ""
    label: str = ""  # a link's accessible name, e.g. “Lats: 57 exercises”


def names(muscles):
    return get_text_list([muscle.name for muscle in muscles], "and")


class ExerciseMap:
    """The exercise's target muscle strongly highlighted and its secondary muscles lightly,
    every other region in the body's colour. Muscles without a region are named in the
    legend as not on the map."""

    def __init__(self, exercise):
        self.exercise = exercise
        self.target = exercise.target_muscle
        self.secondary = [m for m in exercise.ordered_secondary_muscles if m != self.target]
        states = {m.map_region: "secondary" for m in self.secondary if m.map_region}
        if self.target.map_region:
            states[self.target.map_region] = "target"
        by_region = {m.map_region: m for m in [*self.secondary, self.target] if m.map_region}
        self.drawing = drawing()
        self.areas = [
            Area(region, path, by_region.get(region), states.get(region, "idle"))
            for region, path in self.drawing.regions.items()
        ]
        self.off_map = [m for m in [self.target, *self.secondary] if not m.map_region]

    def __bool__(self):
        """A map is drawn only when at least one of the exercise's muscles is on it."""
        return any(m.map_region for m in [self.target, *self.secondary])

    @property
    def description(self):
        """The drawing's text equivalent: which muscles it highlights, and how."""
        parts = []
        if self.target.map_region:
            parts.append(f"target muscle {self.target.name} (solid, outlined)")
        secondary = [m for m in self.secondary if m.map_region]
        if secondary:
            noun = "muscles" if len(secondary) > 1 else "muscle"
            parts.append(f"secondary {noun} {names(secondary)} (hatched)")
        return f"Front and back body map of the muscles {self.exercise.name} works: " + (
            "; ".join(parts) + "."
        )


class NavigationMap:
    """Every muscle on the map as a link to its hub, named with its published count, the
    current hub's muscle marked. A muscle without published exercises is drawn but is no
    link (its hub would be empty); a muscle without a region is listed below the drawing."""

    def __init__(self, muscles, current=None):
        """``muscles``: every muscle, each with its published ``count`` (the library's facet
        values); ``current``: the muscle whose hub this is, or None."""
        self.drawing = drawing()
        by_region = {m.map_region: m for m in muscles if m.map_region}
        self.areas = [
            self._area(region, path, by_region.get(region), current)
            for region, path in self.drawing.regions.items()
        ]
        self.off_map = [m for m in muscles if not m.map_region and m.count]
        self.current = current
        self.empty = [m for m in muscles if m.map_region and not m.count]

    @staticmethod
    def _area(region, path, muscle, current):
        if muscle is None:
            return Area(region, path)
        if not muscle.count:
            return Area(region, path, muscle, "empty")
        state = "current" if current is not None and muscle.pk == current.pk else "link"
        return Area(region, path, muscle, state, muscle.get_absolute_url(), link_label(muscle))


def link_label(muscle):
    count = muscle.count
    return f"{muscle.name}: {count} exercise{'' if count == 1 else 's'}"

"""Where a browse state leads when it is narrow or empty.

- A state that filters on target muscles links the wider state of the exercises that *work*
  those muscles (target or secondary), with its count: a muscle's hub, or the lower back with
  dumbbells, leads to the exercises that only work it as a secondary muscle.
- A state without results names the filters to drop: each state one filter away (the target
  muscle widened to the muscles worked, a facet or the search dropped) that lists exercises,
  with its exact count.

Counts of states one single-valued facet away come free from the facet counts Browse already
read, and those of a single facet value from the counts every page shares (shared_counts);
the others cost one COUNT query each, and only on the pages that show them.
"""

from dataclasses import dataclass

from django.http import QueryDict

from .filters import BrowseState, ExerciseFilter
from .models import FACET_MODELS, Exercise


@dataclass(frozen=True)
class Suggestion:
    label: str
    url: str
    count: int

    @property
    def indexable(self):
        return "?" not in self.url


def state_count(state):
    """How many published exercises a state lists (one COUNT query)."""
    data = QueryDict(mutable=True)
    for facet, slugs in state.facets.items():
        data.setlist(facet, slugs)
    if state.q:
        data["q"] = state.q
    filterset = ExerciseFilter(data, queryset=Exercise.objects.published())
    return filterset.qs.order_by().count() if filterset.is_valid() else 0


def counted(browse, state):
    """How many exercises a nearby state lists: from the counts every page shares when it is
    one facet value (a muscle's hub widened to the muscles worked), else one COUNT query."""
    shared = browse.shared_count(state)
    return state_count(state) if shared is None else shared


def widened_to_works(state):
    """The state with its target muscles as muscles worked instead, or None."""
    muscles = state.facets.get("muscle")
    if not muscles or "works" in state.facets:
        return None
    facets = {facet: slugs for facet, slugs in state.facets.items() if facet != "muscle"}
    return BrowseState({**facets, "works": list(muscles)}, state.q, state.sort)


def also_works(browse):
    """The exercises that work the state's target muscles, when they are more than those
    targeting them: a Suggestion, or None."""
    wider = widened_to_works(browse.state)
    if wider is None:
        return None
    count = counted(browse, wider)
    if count <= browse.total:
        return None
    names = " or ".join(value.lower_name for value in browse.selected_values("muscle"))
    label = f"{count} exercise{'s work' if count > 1 else ' works'} the {names}"
    return Suggestion(label, browse.path(wider), count)


def drop_one(browse):
    """The states one filter away from an empty one that list exercises: the target muscle
    widened to the muscles worked first (it keeps every filter's intent), then the others,
    most results first."""
    state, suggestions = browse.state, []
    wider = widened_to_works(state)
    if wider is not None:
        muscles = browse.selected_values("muscle")
        names = " or ".join(value.lower_name for value in muscles)
        pronoun = "it" if len(muscles) == 1 else "them"
        label = f"Widen to exercises that work the {names}, not only target {pronoun}"
        suggestions.append((label, wider, None))
    for facet in state.facets:
        model = FACET_MODELS[facet]
        names = ", ".join(value.name for value in browse.selected_values(facet))
        without = BrowseState(
            {f: slugs for f, slugs in state.facets.items() if f != facet}, state.q, state.sort
        )
        # Every exercise has one value of a taxonomy facet: the counts of its values under
        # the other filters add up to the state without it.
        values = browse.facet_values[facet]
        free = None if model.secondary_relation else sum(value.count for value in values)
        suggestions.append((f"Drop {model.label.lower()}: {names}", without, free))
    if state.q:
        without = BrowseState(state.facets, "", state.sort)
        suggestions.append((f"Drop the search “{state.q}”", without, None))
    found = []
    for rank, (label, nearby, count) in enumerate(suggestions):
        count = counted(browse, nearby) if count is None else count
        if count:
            url = browse.path(nearby)
            found.append((rank == 0 and wider is not None, Suggestion(label, url, count)))
    found.sort(key=lambda item: (not item[0], -item[1].count))
    return [suggestion for _, suggestion in found]

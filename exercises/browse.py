"""One browse request: filter state → canonical address, facet counts, results page.

Every state of the faceted browse has exactly one address. A state with a single facet value is
its hub (/exercises/back), a body part with one equipment is a combination hub when it has
enough exercises (/exercises/back/barbell), and everything else is the library with query
parameters (/exercises?body_part=back&difficulty=beginner), which is never indexed.
"""

from copy import copy
from dataclasses import dataclass
from functools import cache, cached_property
from math import ceil

from django.core.paginator import EmptyPage, InvalidPage, Paginator
from django.http import Http404, QueryDict

from . import shared_counts
from .bodymap.pages import NavigationMap
from .caching import content_version
from .filters import BrowseState, ExerciseFilter
from .models import FACET_MODELS, FACETS, Exercise
from .paths import Addresses, markdown_path, query_values, state_path, with_page
from .search_box import SearchBox, refused_search, typed_text
from .wording import BrowseWording

# coverage_by_page() counts the taxonomy's hubs (not the muscles worked, which have none).
SHARED_HUBS = {model.facet for model in FACETS}
NO_COVERAGE = {"total": 0, "steps": 0, "pro_tips": 0, "common_mistakes": 0, "faqs": 0}
PAGE_SIZE = 24
MIN_COMBINATION_SIZE = 5
# Numbered page links: the first and last page and one page on each side of the current one,
# "…" for the pages between (1 … 4 5 6 … 37): seven items at most, one row on a phone.
PAGES_ON_EACH_SIDE = 1
PAGES_ON_ENDS = 1


@dataclass
class FacetOption:
    value: object
    count: int
    selected: bool
    url: str

    @property
    def indexable(self):
        return "?" not in self.url


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class PageLinks:
    """Where a page of results links to: its neighbours and the numbered pages (None for a
    gap), each at its one address."""

    previous: str | None
    next: str | None
    numbered: list


@dataclass
class FacetGroup:
    name: str
    label: str
    options: list


class Browse(BrowseWording):
    """Resolve, count and page one browse request; raise Http404 for anything unknown. Its
    words (heading, title, description...) come from BrowseWording."""

    def __init__(self, params, fixed=None, *, combination=False, version=None):
        """``version``: a callable giving the content version (the search's vocabulary is
        kept under it)."""
        self.params = params
        self.version = cache(version or content_version)  # read once, when first needed
        data = params.copy()
        for facet, slug in (fixed or {}).items():
            data.setlist(facet, [slug, *[v for v in data.getlist(facet) if v != slug]])
        queryset = Exercise.objects.published().for_cards()
        self.db = queryset.db
        self.search = SearchBox("", self.version, queryset.db)
        self.filterset = ExerciseFilter(data, queryset=queryset, vocabulary=self.search.vocabulary)
        if not self.filterset.is_valid():
            # A search the box cannot run is answered with why, on the page without it.
            refused = refused_search(self.filterset.form)
            if refused is None:
                raise Http404("Unknown filter value.")
            self.search.refused, self.search.refused_text = refused, typed_text(self.filterset.form)
            data.pop("q")
            self.filterset = ExerciseFilter(
                data, queryset=queryset, vocabulary=self.search.vocabulary
            )
            if not self.filterset.is_valid():
                raise Http404("Unknown filter value.")
        cleaned = self.filterset.form.cleaned_data
        self.state = BrowseState(self.filterset.selected(), cleaned["q"], cleaned["sort"])
        self.search.text = self.state.q
        self.page_number = self._page_number(params.get("page"))

        # Every value of each facet with its count under the other filters: one query per
        # facet, except those counted without any filter (all of them on the library, a
        # hub's own facet), which every such page shares under the content version.
        together = [
            facet
            for facet in FACET_MODELS
            if facet not in self.state.facets and not self._counted_unfiltered(facet)
        ]
        counts = self.filterset.facet_counts(together) if together else {}
        self.facet_values = {
            facet: self._facet_values(facet, counts.get(facet)) for facet in FACET_MODELS
        }
        for facet, slugs in self.state.facets.items():
            known = {value.slug for value in self.facet_values[facet]}
            if not set(slugs) <= known:
                raise Http404(f"Unknown {FACET_MODELS[facet].label.lower()}.")
        self.combinations = shared_counts.combinations(
            self.version(), self.db, MIN_COMBINATION_SIZE
        )
        if combination and tuple(fixed.values()) not in self.combinations:
            raise Http404("Too few exercises for this combination.")

        self.addresses = Addresses()
        self.url = self.path(self.state)
        self.page_url = with_page(self.url, self.page_number)

    def _counted_unfiltered(self, facet):
        """Whether a facet is counted under no filter: no search, no other facet selected."""
        return not self.state.q and not set(self.state.facets) - {facet}

    def _facet_values(self, facet, counts):
        """The facet's values, each with its count: shared when counted under no filter, from
        `counts` ({value id: count}) when counted with the other unselected facets, else
        one query of its own (a selected facet of a state with other filters)."""
        if self._counted_unfiltered(facet):
            return shared_counts.unfiltered_facet_values(self.version(), self.db, facet)
        if counts is None:
            return list(self.filterset.facet_values(facet))
        values = []
        for value in shared_counts.facet_values(self.version(), self.db)[facet]:
            value = copy(value)  # the shared row stays as it is: its count is this page's
            value.count = counts.get(value.pk, 0)
            values.append(value)
        return values

    @staticmethod
    def _page_number(raw):
        if raw is None:
            return 1
        if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
            raise Http404("Not a page number.")
        return int(raw)

    def redirect_to(self, request_path, markdown):
        """Where to send the visitor when the request names this state otherwise than by its
        one address (the view answers 301), or None.

        /exercises/back?body_part=back, ?page=1 and ?q= name a state another way, and so does
        any parameter the browse does not read (?utm_source=x, ?cb=123): it is dropped, so
        that only canonical addresses are rendered and cached, and a random parameter cannot
        force a fresh render.
        """
        if self.search.refused:
            return None  # answered 400 with the message, at the address asked for
        wanted = markdown_path(self.page_url) if markdown else self.page_url
        path, _, query = wanted.partition("?")
        if path != request_path or query_values(self.params) != query_values(QueryDict(query)):
            return wanted
        return None

    @property
    def total(self):
        """How many exercises the state lists, from the body-part counts (no COUNT query):
        every exercise has one body part, so the selected parts' counts, or all of them,
        add up to the state's exercises."""
        selected = self.state.facets.get("body_part")
        return sum(
            value.count
            for value in self.facet_values["body_part"]
            if not selected or value.slug in selected
        )

    def paginate(self, per_page=PAGE_SIZE):
        paginator = Paginator(self.filterset.qs, per_page)
        paginator.count = self.total
        try:
            return paginator.page(self.page_number)
        except (EmptyPage, InvalidPage):
            raise Http404("No such page.") from None

    def page_links(self, page, *, markdown=False):
        """The links from this page of results to the others (the Markdown copies' links for
        a Markdown copy); none when there is only one page."""

        def address(number):
            url = with_page(self.url, number)
            return markdown_path(url) if markdown else url

        if page.paginator.num_pages < 2:
            return PageLinks(None, None, [])
        numbers = page.paginator.get_elided_page_range(
            page.number, on_each_side=PAGES_ON_EACH_SIDE, on_ends=PAGES_ON_ENDS
        )
        return PageLinks(
            previous=address(page.previous_page_number()) if page.has_previous() else None,
            next=address(page.next_page_number()) if page.has_next() else None,
            numbered=[
                None
                if number == Paginator.ELLIPSIS
                else PageLink(number, address(number), number == page.number)
                for number in numbers
            ],
        )

    @cached_property
    def coverage(self):
        """How many exercises this state lists, and how many have steps, pro tips, common
        mistakes and FAQs: what its words may promise (wording.py)."""
        key = self._coverage_key()
        if key is not False:  # the library, a hub or a combination: every page's, shared
            return shared_counts.coverage(self.version(), self.db).get(key, NO_COVERAGE)
        return Exercise.objects.filter(pk__in=self.filterset.qs.values("pk")).coverage()

    def shared_count(self, state):
        """How many exercises a state of one facet value lists, from the counts every page
        shares (no query), or None for any other state."""
        if state.q or len(state.facets) != 1:
            return None
        ((facet, slugs),) = state.facets.items()
        if len(slugs) != 1:
            return None
        values = shared_counts.unfiltered_facet_values(self.version(), self.db, facet)
        return next((value.count for value in values if value.slug == slugs[0]), 0)

    def _coverage_key(self):
        """Where coverage_by_page() counts this state: None for the library (sorted too), a
        hub's (facet, value id), a combination's ("combination", body part id, equipment
        id); False for any other state."""
        facets = self.state.facets
        if self.state.q:
            return False
        if not facets:
            return None
        if self.state.sort or "?" in self.url:
            return False
        if self.hub:
            return (self.hub.facet, self.hub.pk) if self.hub.facet in SHARED_HUBS else False
        if self.combination:
            return ("combination", *(value.pk for value in self.combination))
        return False

    # What the page shows about the state.
    def selected_values(self, facet):
        slugs = self.state.facets.get(facet, [])
        return [value for value in self.facet_values[facet] if value.slug in slugs]

    @property
    def hub(self):
        """The taxonomy value whose hub this page is, or None."""
        if self.state.q or self.state.sort or len(self.state.facets) != 1:
            return None
        ((facet, slugs),) = self.state.facets.items()
        if len(slugs) != 1 or not FACET_MODELS[facet].hub_url_name:
            return None
        return self.selected_values(facet)[0]

    @property
    def combination(self):
        """(body part, equipment) when this page is a combination hub, else None."""
        if "?" in self.url or self.hub or not self.state.facets:
            return None
        return self.selected_values("body_part")[0], self.selected_values("equipment")[0]

    @property
    def is_library(self):
        """The whole library, perhaps sorted: no facet and no search."""
        return not self.state.is_filtered

    @property
    def count(self):
        """How many exercises a clean address lists, from the facet counts; None for the
        query-parameter states."""
        if "?" in self.url:
            return None
        if self.hub:
            return self.hub.count
        if self.combination:
            return self.combinations[tuple(value.slug for value in self.combination)]
        return sum(value.count for value in self.facet_values["body_part"])

    @property
    def num_pages(self):
        return max(1, ceil((self.count or 0) / PAGE_SIZE))

    @property
    def shown_range(self):
        """The numbers of the first and last exercise this page shows (from 1)."""
        first = (self.page_number - 1) * PAGE_SIZE + 1
        return first, min(self.page_number * PAGE_SIZE, self.count)

    @property
    def indexable(self):
        """Clean addresses that list exercises; query-parameter states, empty hubs and the
        combination hubs of the catch-all equipment (a mix of unrelated tools) are not."""
        if self.combination and self.combination[1].is_catch_all:
            return False
        return "?" not in self.url and bool(self.count) and not self.search.refused

    @cached_property
    def muscle_map(self):
        """The muscle map as navigation on the library and the muscle hubs, or None. There,
        and only there, the muscle facet's counts are every published exercise's (a facet is
        counted without its own filter), so each region's count is its hub's."""
        facets = self.state.facets
        if self.state.q or facets.keys() - {"muscle"} or len(facets.get("muscle", [])) > 1:
            return None
        current = self.selected_values("muscle")[0] if facets else None
        return NavigationMap(self.facet_values["muscle"], current)

    def facet_groups(self):
        groups = []
        for facet, values in self.facet_values.items():
            selected = self.state.facets.get(facet, [])
            options = [
                FacetOption(
                    value,
                    value.count,
                    value.slug in selected,
                    self.path(self.state.toggled(facet, value.slug)),
                )
                for value in values
                if value.count or value.slug in selected
            ]
            if options:
                groups.append(FacetGroup(facet, FACET_MODELS[facet].label, options))
        return groups

    @property
    def active_filter_count(self):
        """How many facet values are selected, as the collapsed filter panel counts them."""
        return sum(len(slugs) for slugs in self.state.facets.values())

    def active_filters(self):
        """Chips for each selected value and the search, each with the address without it."""
        chips = []
        for facet in self.state.facets:
            for value in self.selected_values(facet):
                url = self.path(self.state.toggled(facet, value.slug))
                chips.append((f"{FACET_MODELS[facet].label}: {value.name}", url))
        if self.state.q:
            without_q = BrowseState(self.state.facets, "", self.state.sort)
            chips.append((f"Search: {self.state.q}", self.path(without_q)))
        return chips

    def path(self, state):
        """The address of a state near this one (state_path)."""
        return state_path(state, self.combinations, self.addresses)

    def sort_url(self, sort):
        state = BrowseState(self.state.facets, self.state.q, sort)
        return self.path(state)

    @property
    def markdown_url(self):
        return markdown_path(self.url)

"""Paths of the public pages, built without a reverse() per link: a browse state's one
canonical address (state_path), its numbered pages and its Markdown copy's path."""

from itertools import chain
from urllib.parse import urlencode

from django.urls import reverse

from .models import FACET_MODELS


class Addresses:
    """reverse() once per kind of page, then the slugs put in its place: a page lists a link
    for every facet value. A slug (lower-case letters, digits and hyphens) is never quoted,
    so each address is the one reverse() gives."""

    def __init__(self):
        self.pieces = {}

    def __call__(self, name, *slugs):
        pieces = self.pieces.get((name, len(slugs)))
        if pieces is None:
            marks = [f"slug{index}mark" for index in range(len(slugs))]
            rest, pieces = reverse(name, args=marks), []
            for mark in marks:
                piece, rest = rest.split(mark, 1)
                pieces.append(piece)
            pieces.append(rest)
            self.pieces[name, len(slugs)] = pieces
        return "".join(chain.from_iterable(zip(pieces, [*slugs, ""], strict=True)))


def state_path(state, combinations, addresses=None):
    """The path (and query string) that shows a browse state."""
    address = addresses or (lambda name, *slugs: reverse(name, args=slugs))
    facets = state.facets
    if not state.q and not state.sort:
        if len(facets) == 1:
            ((facet, values),) = facets.items()
            hub_url_name = FACET_MODELS[facet].hub_url_name
            if len(values) == 1 and hub_url_name:
                return address(hub_url_name, *values)
        if facets.keys() == {"body_part", "equipment"}:
            pair = (*facets["body_part"], *facets["equipment"])
            if pair in combinations:
                return address("exercises:combination", *pair)
    query = [(facet, slug) for facet in FACET_MODELS for slug in facets.get(facet, [])]
    query += [(name, value) for name, value in (("q", state.q), ("sort", state.sort)) if value]
    path = address("exercises:library")
    return f"{path}?{urlencode(query)}" if query else path


def with_page(url, page_number):
    if page_number == 1:
        return url
    return f"{url}{'&' if '?' in url else '?'}page={page_number}"


def query_values(params):
    """Every parameter of a query with all its values; their order does not count."""
    return {name: params.getlist(name) for name in params}


def markdown_path(url):
    path, sep, query = url.partition("?")
    return f"{path}.md{sep}{query}"

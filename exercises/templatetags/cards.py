"""Result cards (exercises/includes/exercise_card.html), each rendered once per exercise and
page version in each process.

A card shows only the exercise, its taxonomy names and its thumbnail: content the page
version covers (forge.pagecache), as it does the code and templates. A listing page shows 24
of them, and the library's pages, its hubs and their pages show the same exercises again and
again, so a card is rendered again only after a change visitors can see, which replaces the
version for every app server.
"""

import threading

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from forge.pagecache import knows_page_version, page_version

register = template.Library()

CARD_TEMPLATE = "exercises/includes/exercise_card.html"
# Cards kept per process: a few hundred pages' worth (about 1 KB each).
MAX_CARDS = 5000

_kept = {"version": None, "cards": {}}
_lock = threading.Lock()


def kept_cards(version):
    """{(database, exercise id, level): HTML} of this version (emptied when it changes)."""
    if _kept["version"] != version:
        with _lock:
            if _kept["version"] != version:
                _kept["cards"] = {}
                _kept["version"] = version
    return _kept["cards"]


@register.simple_tag(takes_context=True)
def exercise_cards(context, exercises, level=3):
    """The cards of these exercises, in order: what `{% include CARD_TEMPLATE with level=… %}`
    renders for each. Without a page version read for this request, rendered afresh."""
    card = get_template(CARD_TEMPLATE)
    request = getattr(context, "request", None)
    if request is None or not knows_page_version(request):
        cards = {}
    else:
        cards = kept_cards(page_version(request))
    html = []
    for exercise in exercises:
        key = (exercise._state.db, exercise.pk, level)
        rendered = cards.get(key)
        if rendered is None:
            rendered = card.render({"exercise": exercise, "level": level})
            if len(cards) < MAX_CARDS:
                cards[key] = rendered
        html.append(rendered)
    return mark_safe("".join(html))

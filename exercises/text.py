"""Text helpers for generated titles, descriptions and sentences."""

import re

from django.utils.text import Truncator

# Search results show titles of about 60 characters and descriptions of about 160.
TITLE_LIMIT = 60
DESCRIPTION_LIMIT = 160


def fit_title(*candidates):
    """The first title that fits TITLE_LIMIT, else the last (shortest) one."""
    return next((title for title in candidates if len(title) <= TITLE_LIMIT), candidates[-1])


def shorten(text, limit=DESCRIPTION_LIMIT):
    """Whole sentences within the limit; a longer first sentence is cut with an ellipsis."""
    text = " ".join(text.split())
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        longer = f"{kept} {sentence}".strip()
        if len(longer) > limit:
            break
        kept = longer
    return kept or Truncator(text).chars(limit)


def lower_name(name):
    """Lower-case a name for use inside a sentence, keeping acronyms: “EZ Bar” → “EZ bar”."""
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in name.split(" "))

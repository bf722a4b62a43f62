"""Text helpers for generated titles, descriptions and sentences."""

import re
import unicodedata

from django.core.exceptions import ValidationError
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


# C0 and C1 control characters other than tab, newline and carriage return (browsers send
# textarea lines as CRLF), and lone surrogates, which no encoding can write.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def normalize_name(name):
    """A name as stored: Unicode NFC, trimmed, every run of spaces (a non-breaking space
    too) one plain space, so that look-alike names are the same string."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def forbidden_character(text):
    """The first control character or lone surrogate in the text, or None."""
    found = FORBIDDEN_CHARACTERS.search(text)
    return found.group() if found else None


def validate_plain_text(text):
    """Refuse control characters (NUL, BEL, ESC, ...) and lone surrogates in trainer text."""
    character = forbidden_character(text)
    if character is not None:
        raise ValidationError(
            "Remove the invisible control character U+%(code)04X; only letters, punctuation, "
            "spaces, tabs and line breaks are allowed.",
            code="control_character",
            params={"code": ord(character)},
        )

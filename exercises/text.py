"""Text helpers for generated titles, descriptions and sentences."""

import re
import unicodedata
from dataclasses import dataclass

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


# Where a name goes on from the exercise itself to its variant: “Dips - Chest Version”,
# “Bench Press with Chains”, “Calf Raises On A Dumbbell”. The head is what comes before.
VARIANT_WORDS = "with on from off to in into for behind between over across against using and"
VARIANT_START = re.compile(rf"\s+(?:[-–—(]|(?:{'|'.join(VARIANT_WORDS.split())})\b)", re.IGNORECASE)
# Endings of words that end in “s” and yet name one thing: Press, Cross, Biceps, Serratus,
# Series.
SINGULAR_ENDINGS = ("ss", "us", "is", "ceps", "series")


def head_word(name):
    """The last word of a name's head (“Dips” in “Dips - Chest Version”, “Ups” in “Push-Ups”)."""
    head = VARIANT_START.split(name.strip(), maxsplit=1)[0]
    words = re.split(r"[\s/-]+", head.strip())
    return words[-1] if words else ""


def name_is_plural(name):
    """Whether a name reads as plural: its head word ends in “s” but not in one of
    SINGULAR_ENDINGS. “Elbow Dips”, “Push-Ups”, “Hyperextensions (Back Extensions)” are
    plural; “Spine Stretch”, “Bench Press with Chains”, “Good Morning off Pins” are not."""
    word = head_word(name).lower()
    return word.endswith("s") and not word.endswith(SINGULAR_ENDINGS)


@dataclass(frozen=True)
class Subject:
    """An exercise as the subject of a generated sentence: “the Spine Stretch works”, “Elbow
    Dips work” (a plural name takes no article)."""

    name: str
    plural: bool

    @property
    def the(self):
        return self.name if self.plural else f"the {self.name}"

    @property
    def The(self):  # noqa: N802 - the sentence-initial spelling of `the`
        return self.name if self.plural else f"The {self.name}"

    def verb(self, singular, plural):
        return plural if self.plural else singular

    @property
    def is_(self):
        return self.verb("is", "are")

    @property
    def does(self):
        return self.verb("does", "do")

    @property
    def it_is(self):
        return self.verb("It's", "They're")

    @property
    def it(self):
        return self.verb("it", "them")


def question_key(question):
    """A question as compared for sameness: case, accents' encoding, punctuation and spacing
    aside (“What muscles does the Spine-Stretch work” asks “What muscles does the Spine
    Stretch work?”)."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


def validate_has_word(text):
    """Refuse a name made only of punctuation or symbols: nobody types “!!!” to find it."""
    if not any(character.isalnum() for character in text):
        raise ValidationError("Use at least one letter or digit.", code="no_letter_or_digit")


def attributive(name):
    """A name as it stands before a noun: a plural last word made singular (“Legs” → “Leg”
    in “Leg Exercises”, “Calves” → “Calf”, “Plyometrics” → “Plyometric”), words like Biceps,
    Serratus or Press left as they are."""
    *words, last = name.split(" ")
    lower = last.lower()
    if lower.endswith("s") and not lower.endswith(SINGULAR_ENDINGS) and not last.isupper():
        if lower.endswith("ves"):
            last = last[:-3] + ("F" if last[-3].isupper() else "f")
        elif lower.endswith(("ches", "shes", "xes")):
            last = last[:-2]
        elif len(last) > 2:
            last = last[:-1]
    return " ".join([*words, last])

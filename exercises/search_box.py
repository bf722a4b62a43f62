"""What the library page says about its search: a search it cannot run, a corrected search,
whether results are ranked, and “Did you mean …?” when nothing matches."""

from functools import cached_property

from django.db import connections

from . import search_terms
from .search import is_ranked
from .text import FORBIDDEN_CHARACTERS

# The search box's limit (ExerciseFilter.q's max_length): a name or two, never a paste.
MAX_SEARCH_LENGTH = 100


def refused_search(form):
    """Why the submitted search cannot be run, for the visitor, or None when it can (or when
    another parameter is the problem, which answers 404 as before)."""
    errors = form.errors.as_data()
    if set(errors) != {"q"}:
        return None
    codes = {error.code for error in errors["q"]}
    if "max_length" in codes:
        length = len(form.data.get("q", ""))
        return (
            f"Your search has {length} characters; the search box takes up to "
            f"{MAX_SEARCH_LENGTH}. Shorten it to the name or words you are looking for."
        )
    if "null_characters_not_allowed" in codes:
        return "Your search contains an invisible character that cannot be searched. Type it again."
    return None


def typed_text(form):
    """The submitted search as the box shows it again: without control characters, and cut
    to what the box takes."""
    return FORBIDDEN_CHARACTERS.sub("", form.data.get("q", ""))[:MAX_SEARCH_LENGTH]


class SearchBox:
    """The search of one browse request. ``version`` is a callable giving the content version
    the vocabulary is kept under (read once per request, see forge.pagecache.page_version)."""

    def __init__(self, text, version, using="default", refused=None, typed=""):
        self.text = text
        self.version = version
        self.using = using
        self.refused = refused  # the message for a search that could not be run
        self.refused_text = typed  # what the visitor typed, when refused

    @property
    def typed(self):
        """What the search box shows."""
        return self.refused_text if self.refused else self.text

    def vocabulary(self):
        return self.memo_vocabulary

    @cached_property
    def memo_vocabulary(self):
        return search_terms.vocabulary(self.version(), self.using)

    @property
    def ranked(self):
        """Whether results come best match first (the sort's default says “Best match”)."""
        if not self.text:
            return False
        return connections[self.using].vendor == "postgresql" or is_ranked(self.text)

    @cached_property
    def correction(self):
        """The words searched instead of the visitor's (SQLite corrects typos), or None."""
        if not self.text or connections[self.using].vendor == "postgresql":
            return None
        if not is_ranked(self.text):
            return None
        return self.vocabulary().correct(self.text)

    def suggestions(self):
        """The exercises named most like the search, for a search without results."""
        if not self.text:
            return []
        corrected = self.vocabulary().correct(self.text) if is_ranked(self.text) else None
        return self.vocabulary().suggestions(corrected or self.text)

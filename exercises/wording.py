"""The words of a browse page (the library, a hub, a combination hub): its heading, <title>,
meta description, intro and breadcrumbs, worded from what Browse resolved and counted.

They promise only what the listed pages have (docs/wording.md): Browse.coverage counts the
exercises with steps, pro tips and common mistakes, and `contents()` words those counts."""

from django.urls import reverse

from .text import fit_title, lower_name, shorten

# How a title counts a hub's exercises: “Barbell Exercises: 6 Guides by Equipment”. Body-part
# hubs, the library and the combination hubs (None) count step-by-step guides instead (when
# every exercise listed has steps), since “Shoulders” is a body part and a muscle and the two
# titles must differ.
STEP_BY_STEP_COUNT = "{n} Step-by-Step Guide{s}"
GUIDE_COUNT = "{n} Guide{s}"
COUNTED_AS_GUIDES = (None, "body_part")
# How a hub without a trainer's intro counts its exercises, where a facet's own wording reads
# better than the general “{n} exercises in the {name} category”. {modifier} is the name as it
# stands before “exercises” (“leg”), {name} the name in a sentence (“body weight”).
DESCRIPTION_COUNTS = {
    "body_part": "{n} {modifier} exercise{s}",
    "equipment": "{n} exercise{s} you can do with {name}",
    "muscle": "{n} exercise{s} targeting the {name}",
    "difficulty": "{n} {name}-level exercise{s}",
}
# What an exercise page may have besides what every page has (its classification, the
# muscles it works and the generated FAQ), by the key ExerciseQuerySet.coverage() counts.
SECTIONS = {
    "steps": "step-by-step instructions",
    "pro_tips": "pro tips",
    "common_mistakes": "common mistakes",
}
EVERY_PAGE_HAS = "the muscles it works"


def title_count(model, all_steps):
    """How the title of a hub of this facet (None: no hub) counts its exercises;
    `all_steps()` says whether every exercise listed has steps (asked only when it matters)."""
    facet = model.facet if model else None
    if facet in COUNTED_AS_GUIDES:
        return STEP_BY_STEP_COUNT if all_steps() else GUIDE_COUNT
    return f"{{n}} Guide{{s}} by {model.label.title()}"


def description_count(model):
    """How the generated intro of a hub of this facet counts its exercises."""
    return DESCRIPTION_COUNTS.get(model.facet) or (
        f"{{n}} exercise{{s}} in the {{name}} {model.label.lower()}"
    )


def counted(template, n, **words):
    return template.format(n=n, s="" if n == 1 else "s", **words)


def and_list(words):
    """“a”, “a and b”, “a, b and c”."""
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else words[0]


def contents(coverage):
    """What the pages of these exercises have, to follow their count: “, each with
    step-by-step instructions and the muscles it works; 1 with pro tips and common mistakes”.
    Only what every page has comes after “each with”; what some have is counted."""
    total = coverage["total"]
    every = [words for key, words in SECTIONS.items() if coverage[key] == total]
    some = {}
    for key, words in SECTIONS.items():
        if 0 < coverage[key] < total:
            some.setdefault(coverage[key], []).append(words)
    text = (", each with " if total > 1 else " with ") + and_list([*every, EVERY_PAGE_HAS])
    if some:
        text += "; " + ", ".join(f"{n} with {and_list(words)}" for n, words in some.items())
    return text


def library_summary(coverage):
    """The library in one clause, for its intro and llms.txt: “874 exercises, each with …”."""
    return counted("{n} exercise{s}", coverage["total"]) + contents(coverage)


def combination_heading(body_part, equipment):
    """“Barbell Back Exercises”; “Back Exercises with Other Equipment” for the catch-all."""
    if equipment.modifier is None:
        return f"{body_part.modifier} Exercises with {equipment.display_name}"
    return f"{equipment.modifier} {body_part.modifier} Exercises"


class BrowseWording:
    """The words of a browse page, for Browse: it reads the page's `hub`, `combination`,
    `state`, `url`, `count`, `coverage`, `page_number`, `num_pages` and `shown_range`."""

    @property
    def heading(self):
        if self.hub:
            return self.hub.heading
        if self.combination:
            return combination_heading(*self.combination)
        return "Exercise Library"

    @property
    def title(self):
        """The <title> before the site name: unique, with the exact count, within TITLE_LIMIT."""
        page = f" – Page {self.page_number}" if self.page_number > 1 else ""
        if "?" in self.url:
            return f"{self.heading}: filtered results{page}"
        if not self.count:
            return f"{self.heading}{page}"
        return fit_title(f"{self.summary}{page}", f"{self.heading}{page}")

    @property
    def summary(self):
        """Heading and exact count, worded per facet: “Back Exercises: 7 Step-by-Step Guides”."""
        model = type(self.hub) if self.hub else None
        template = title_count(model, lambda: self.coverage["steps"] == self.coverage["total"])
        return f"{self.heading}: " + counted(template, self.count)

    @property
    def intro(self):
        if self.hub:
            return self.hub.intro
        if self.combination:
            body_part, equipment = self.combination
            return (
                f"{body_part.modifier} exercises you can do with {equipment.lower_name}"
                f"{contents(self.coverage)}."
            )
        if not self.state.is_filtered and self.coverage["total"]:
            return (
                f"{library_summary(self.coverage)}. Filter by body part, equipment, muscle, "
                "difficulty or category."
            )
        return ""

    @property
    def description(self):
        """The meta description: the intro, or one made from the counts; page 2 on says which
        exercises it shows."""
        if "?" in self.url:
            return self.intro or f"{self.heading}: exercises matching your filters."
        if not self.count:
            return self.intro or f"{self.heading}: none published yet."
        if self.page_number > 1:
            first, last = self.shown_range
            steps = self.coverage["steps"] == self.coverage["total"]
            return (
                f"{self.summary}, page {self.page_number} of {self.num_pages}: exercises "
                f"{first}–{last}{', each with step-by-step instructions' if steps else ''}."
            )
        return shorten(self.intro or self.generated_intro)

    @property
    def generated_intro(self):
        """What a hub without a trainer's intro says about itself."""
        hub = self.hub
        words = {"name": hub.lower_name, "modifier": lower_name(hub.modifier or hub.name)}
        count = counted(description_count(type(hub)), self.count, **words)
        return f"{count}{contents(self.coverage)}."

    @property
    def breadcrumbs(self):
        crumbs = [("Exercises", reverse("exercises:library"))]
        if self.hub:
            crumbs.append((self.hub.display_name, None))
        elif self.combination:
            body_part, equipment = self.combination
            crumbs += [
                (body_part.display_name, body_part.get_absolute_url()),
                (equipment.display_name, None),
            ]
        elif self.state.is_filtered:
            crumbs.append(("Filtered results", None))
        else:
            crumbs[-1] = ("Exercises", None)
        return crumbs

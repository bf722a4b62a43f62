"""The words of a browse page (the library, a hub, a combination hub): its heading, <title>,
meta description, intro and breadcrumbs, worded from what Browse resolved and counted."""

from django.urls import reverse

from .text import fit_title, shorten

# How a title counts a hub's exercises: “Barbell Exercises: 6 Guides by Equipment”. Body-part
# hubs, the library and the combination hubs (None) count step-by-step guides instead, since
# “Shoulders” is a body part and a muscle and the two titles must differ.
TITLE_COUNTS = {
    None: "{n} Step-by-Step Guide{s}",
    "body_part": "{n} Step-by-Step Guide{s}",
}
# How a hub without a trainer's intro counts its exercises, where a facet's own wording reads
# better than the general “{n} exercises in the {name} category”.
DESCRIPTION_COUNTS = {
    "body_part": "{n} {name} exercise{s}",
    "equipment": "{n} exercise{s} you can do with {name}",
    "muscle": "{n} exercise{s} targeting the {name}",
    "difficulty": "{n} {name}-level exercise{s}",
}
EVERY_PAGE_HAS = (
    "step-by-step instructions, pro tips, common mistakes and answers to common questions"
)


def title_count(model):
    """How the title of a hub of this facet (None: no hub) counts its exercises."""
    facet = model.facet if model else None
    return TITLE_COUNTS.get(facet) or f"{{n}} Guide{{s}} by {model.label.title()}"


def description_count(model):
    """How the generated intro of a hub of this facet counts its exercises."""
    return DESCRIPTION_COUNTS.get(model.facet) or (
        f"{{n}} exercise{{s}} in the {{name}} {model.label.lower()}"
    )


def counted(template, n, **words):
    return template.format(n=n, s="" if n == 1 else "s", **words)


class BrowseWording:
    """The words of a browse page, for Browse: it reads the page's `hub`, `combination`,
    `state`, `url`, `count`, `page_number`, `num_pages` and `shown_range`."""

    @property
    def heading(self):
        if self.hub:
            return f"{self.hub.name} Exercises"
        if self.combination:
            body_part, equipment = self.combination
            return f"{body_part.name} Exercises with {equipment.name}"
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
        return f"{self.heading}: " + counted(title_count(model), self.count)

    @property
    def intro(self):
        if self.hub:
            return self.hub.intro
        if self.combination:
            body_part, equipment = self.combination
            return (
                f"{body_part.name} exercises you can do with {equipment.lower_name}, "
                "each with step-by-step instructions, tips and common mistakes."
            )
        if not self.state.is_filtered:
            return (
                "Every exercise with step-by-step instructions, pro tips, common mistakes "
                "and answers to common questions. Filter by body part, equipment, muscle, "
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
            return (
                f"{self.summary}, page {self.page_number} of {self.num_pages}: exercises "
                f"{first}–{last}, each with step-by-step instructions, pro tips and common "
                "mistakes."
            )
        return shorten(self.intro or self.generated_intro)

    @property
    def generated_intro(self):
        """What a hub without a trainer's intro says about itself."""
        template = description_count(type(self.hub))
        return f"{counted(template, self.count, name=self.hub.lower_name)} with {EVERY_PAGE_HAS}."

    @property
    def breadcrumbs(self):
        crumbs = [("Exercises", reverse("exercises:library"))]
        if self.hub:
            crumbs.append((self.hub.name, None))
        elif self.combination:
            body_part, equipment = self.combination
            crumbs += [(body_part.name, body_part.get_absolute_url()), (equipment.name, None)]
        elif self.state.is_filtered:
            crumbs.append(("Filtered results", None))
        else:
            crumbs[-1] = ("Exercises", None)
        return crumbs

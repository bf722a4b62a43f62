"""A visitor in a real browser: faceted browse, search, pages, an exercise and its FAQ; the
public pages under the site's CSP, keyboard-only use, axe-core and screenshots."""

import re

import pytest

from exercises.models import Exercise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def result_count(page):
    return int(page.locator(".result-count strong").inner_text())


def facet_option(page, group, name):
    """A facet's link, e.g. facet_option(page, "Body part", "Legs")."""
    facet = page.locator(".facet").filter(has=page.get_by_role("heading", name=group, exact=True))
    return facet.locator("a.facet__option").filter(
        has=page.locator(".facet__name", has_text=re.compile(rf"^{re.escape(name)}\b"))
    )


def facet_count(page, group, name):
    return int(facet_option(page, group, name).locator(".facet__count").inner_text())


def card_titles(page):
    return page.locator(".browse__results .card__title").all_inner_texts()


def test_visitor_filters_searches_pages_and_reads_an_exercise(site, page):
    published = Exercise.objects.published()
    legs = published.filter(body_part__slug="legs")
    legs_barbell = legs.filter(equipment__slug="barbell")

    page.goto(f"{site}/exercises")
    assert result_count(page) == published.count() == 45
    assert facet_count(page, "Body part", "Legs") == legs.count()
    barbell_everywhere = facet_count(page, "Equipment", "Barbell")

    # First facet: the body part's hub, with counts under the new filter.
    facet_option(page, "Body part", "Legs").click()
    page.wait_for_url(f"{site}/exercises/legs")
    assert page.get_by_role("heading", level=1).inner_text() == "Leg Exercises"
    assert result_count(page) == legs.count()
    assert len(card_titles(page)) == legs.count()
    assert facet_count(page, "Equipment", "Barbell") == legs_barbell.count() < barbell_everywhere

    # Second facet: the combination hub, every result matching both.
    facet_option(page, "Equipment", "Barbell").click()
    page.wait_for_url(f"{site}/exercises/legs/barbell")
    assert result_count(page) == legs_barbell.count() == 5
    assert sorted(card_titles(page)) == sorted(legs_barbell.values_list("name", flat=True))
    assert page.locator(".chips").get_by_role("link").count() == 3  # two filters, clear all

    # Back to everything, then the second page of results.
    page.get_by_role("link", name="Clear all").click()
    page.wait_for_url(f"{site}/exercises")
    first_page = card_titles(page)
    assert len(first_page) == 24
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(f"{site}/exercises?page=2")
    assert "page 2 of 2" in page.locator(".result-count").inner_text()
    second_page = card_titles(page)
    assert len(second_page) == 45 - 24
    assert not set(first_page) & set(second_page)

    # Search from the header, then open the exercise and read its FAQ.
    page.get_by_role("searchbox", name="Search exercises").first.fill("spine stretch")
    page.get_by_role("searchbox", name="Search exercises").first.press("Enter")
    page.wait_for_url(re.compile(r"/exercises\?q=spine\+stretch"))
    assert "Spine Stretch" in card_titles(page)
    page.get_by_role("link", name="Spine Stretch", exact=True).click()
    page.wait_for_url(f"{site}/exercise/spine-stretch")
    assert page.get_by_role("heading", level=1).inner_text() == "Spine Stretch"
    faq = page.locator("section.faq")
    faq.get_by_role("heading", name="Is this a Pilates exercise?").scroll_into_view_if_needed()
    assert faq.get_by_text("the Spine Stretch forward is a classic Pilates exercise").is_visible()

    assert page.console.messages == []


def test_sort_menu_applies_itself_under_the_content_security_policy(site, page):
    """site.js is a static file, so the strict CSP lets it run."""
    page.goto(f"{site}/exercises/back")
    page.get_by_label("Sort by").select_option("difficulty")
    page.wait_for_url(re.compile(r"/exercises\?body_part=back&.*sort=difficulty"))
    assert page.get_by_label("Sort by").input_value() == "difficulty"
    assert page.console.messages == []


def focused(page):
    return page.evaluate(
        "({cls: document.activeElement.className,"
        " text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href'),"
        " outline: getComputedStyle(document.activeElement).outlineStyle})"
    )


def tab_to(page, wanted, presses=40):
    """Press Tab until the focused element satisfies `wanted`; return what is focused. On the
    library the header and the muscle map's links come first."""
    visited = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        visited.append(focused(page))
        if wanted(visited[-1]):
            return visited[-1]
    pytest.fail(f"Tab never reached it: {[v['text'][:30] for v in visited]}")


def test_keyboard_alone_reaches_and_applies_a_filter(site, page):
    """The filters come before the results: on a wide screen, after the header and the map."""
    page.goto(f"{site}/exercises")
    tab_to(page, lambda element: element["cls"] == "facet__option")
    # Tab on through the next options; each shows a visible focus ring.
    for _ in range(3):
        page.keyboard.press("Tab")
        element = focused(page)
        assert element["cls"] == "facet__option"
        assert element["outline"] != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}{element['href']}")
    assert page.locator("a.facet__option.is-selected").count() == 1


def test_keyboard_alone_opens_the_filter_panel_on_a_phone(site, page):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{site}/exercises")
    toggle = tab_to(page, lambda element: element["text"] == "Filters")
    assert toggle["outline"] != "none"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["cls"] == "facet__option"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/exercises/\w+"))
    assert page.locator("details.filter-panel > summary").inner_text() == "Filters (1)"


PAGES = {
    "library": "/exercises",
    "hub": "/exercises/back",
    "combination": "/exercises/legs/barbell",
    "exercise": "/exercise/spine-stretch",
    "not-found": "/exercise/no-such-exercise",
}


@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible_and_clean_at_phone_and_desktop_widths(
    site, page, axe_source, screenshot, name
):
    response = page.goto(f"{site}{PAGES[name]}")
    assert response.status == (404 if name == "not-found" else 200)
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.evaluate(axe_source)  # evaluated through DevTools, not blocked by the page's CSP
    problems = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        problems += [
            f"{width}px {v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    assert problems == []
    for path in screenshot(page, name):
        assert path.stat().st_size > 0
    messages = [m for m in page.console.messages if "404 (Not Found)" not in m]
    assert messages == []


def test_a_200_character_name_does_not_widen_any_page_on_a_phone(site, page):
    exercise = Exercise.objects.published().select_related("equipment").first()
    exercise.name = "Ü" + "x" * 199  # one unbroken word, the longest name allowed
    exercise.save()
    equipment = exercise.equipment
    equipment.name = "E" * 60
    equipment.save()
    page.set_viewport_size({"width": 390, "height": 900})

    for path in (
        exercise.get_absolute_url(),  # heading, breadcrumbs, facts
        f"/exercises?q={exercise.name[:40]}",  # a result card and the search chip
        equipment.get_absolute_url(),  # a hub's heading, card and facet options
        "/exercises",
    ):
        assert page.goto(f"{site}{path}").status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path

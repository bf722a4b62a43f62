"""The filter panel in a real browser: collapsed above the results on a phone, opened and used
with JavaScript switched off; open beside the results on a wide screen; axe-clean both ways."""

import re
from pathlib import Path

import pytest

from exercises.models import Exercise

PHONE, DESKTOP = 390, 1280  # as tests/e2e/conftest.py
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_without_javascript(browser):
    context = browser.new_context(
        viewport={"width": PHONE, "height": 900}, java_script_enabled=False, locale="en-US"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def option(page, name):
    return page.locator("#filters a.facet__option").filter(
        has=page.locator(".facet__name", has_text=re.compile(rf"^{re.escape(name)}\b"))
    )


def test_on_a_phone_the_panel_opens_and_filters_without_javascript(site, phone_without_javascript):
    page = phone_without_javascript
    page.goto(f"{site}/exercises")
    toggle = page.locator("details.filter-panel > summary")
    first_card = page.locator(".cards .card").first

    # Collapsed, above the first result (below the muscle map on the library).
    assert toggle.inner_text() == "Filters"
    assert not option(page, "Legs").is_visible()
    toggle_box, card_box = toggle.bounding_box(), first_card.bounding_box()
    assert toggle_box["y"] + toggle_box["height"] <= card_box["y"]

    toggle.click()
    assert option(page, "Legs").is_visible()
    option(page, "Legs").click()
    page.wait_for_url(f"{site}/exercises/legs")

    legs = Exercise.objects.published().filter(body_part__slug="legs").count()
    assert page.locator(".result-count strong").inner_text() == str(legs)
    assert page.locator("details.filter-panel > summary").inner_text() == "Filters (1)"
    assert not page.locator("details.filter-panel").get_attribute("open")

    # On a hub without the map the toggle is on the first screen.
    box = page.locator("details.filter-panel > summary").bounding_box()
    assert box["y"] + box["height"] < 900
    # A second facet from the panel: the combination of both.
    page.locator("details.filter-panel > summary").click()
    option(page, "Barbell").click()
    page.wait_for_url(f"{site}/exercises/legs/barbell")
    assert page.locator("details.filter-panel > summary").inner_text() == "Filters (2)"


def test_on_a_wide_screen_the_filters_are_open_without_a_toggle(site, page):
    page.goto(f"{site}/exercises/back")

    assert not page.locator("details.filter-panel > summary").is_visible()
    assert option(page, "Legs").is_visible()
    panel, results = page.locator("details.filter-panel"), page.locator(".browse__results")
    assert panel.bounding_box()["x"] + panel.bounding_box()["width"] <= results.bounding_box()["x"]
    option(page, "Legs").click()
    page.wait_for_url(f"{site}/exercises?body_part=back&body_part=legs")
    assert page.console.messages == []


@pytest.mark.parametrize("path", ["/exercises", "/exercises/back"])
def test_the_panel_is_accessible_collapsed_and_open(site, page, axe_source, path):
    page.goto(f"{site}{path}")
    page.evaluate(axe_source)
    name = "library" if path == "/exercises" else "hub"
    problems = []
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        for state in ("collapsed", "open"):
            if state == "open":
                page.evaluate("document.querySelector('details.filter-panel').open = true")
            else:
                page.evaluate("document.querySelector('details.filter-panel').open = false")
            results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            problems += [
                f"{width}px {state} {v['id']}: {v['help']}"
                for v in results["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"filters-{name}-{width}-{state}.png"))
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []
    assert page.console.messages == []

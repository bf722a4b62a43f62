"""The muscle map in a real browser: a region clicked, or reached with Tab and followed with
Enter, leads to its muscle's hub; the focused region is visibly marked; axe finds nothing on
the pages that draw it."""

import pytest

from exercises.models import Exercise, Muscle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hub_link_name(slug):
    """The map's accessible name for a muscle, from the published exercises it targets."""
    muscle = Muscle.objects.get(slug=slug)
    count = Exercise.objects.published().filter(target_muscle=muscle).count()
    return f"{muscle.name}: {count} exercise{'' if count == 1 else 's'}"


def map_link(page, name):
    return page.locator("nav.muscle-map").get_by_role("link", name=name, exact=True)


# A point inside the region's drawn shape, in page coordinates: a region's links are its
# shapes, and the middle of its box may fall between them (between the two thighs, say).
POINT_INSIDE = """path => {
  const box = path.getBBox(), matrix = path.getScreenCTM();
  for (let y = box.y; y <= box.y + box.height; y += 0.5)
    for (let x = box.x; x <= box.x + box.width; x += 0.5)
      if (path.isPointInFill(new DOMPoint(x, y))) {
        const point = new DOMPoint(x + 0.5, y + 0.5).matrixTransform(matrix);
        return [point.x, point.y];
      }
  return null;
}"""


def click_region(page, link):
    link.scroll_into_view_if_needed()
    x, y = link.locator("path").evaluate(POINT_INSIDE)
    page.mouse.click(x, y)


@pytest.mark.parametrize("width", [390, 1280])
def test_clicking_a_region_opens_its_muscle_hub(site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/exercises")
    name = hub_link_name("quads")

    click_region(page, map_link(page, name))

    page.wait_for_url(f"{site}/exercises/muscle/quads")
    # The hub lists as many exercises as the region's name promised.
    assert name.endswith(f": {page.locator('.result-count strong').inner_text()} exercises")
    current = page.locator('nav.muscle-map a[aria-current="page"]')
    assert current.get_attribute("aria-label") == name
    assert page.console.messages == []


def focused(page):
    return page.evaluate(
        "(() => { const a = document.activeElement;"
        " const path = a.querySelector('path');"
        " return {name: a.getAttribute('aria-label'), href: a.getAttribute('href'),"
        " fill: path && getComputedStyle(path).fill,"
        " stroke: path && getComputedStyle(path).stroke}; })()"
    )


def test_keyboard_reaches_a_region_shows_focus_and_follows_it(site, page):
    page.goto(f"{site}/exercises")
    first = page.locator("nav.muscle-map svg a").first
    resting = first.locator("path").evaluate("p => getComputedStyle(p).fill")
    names = []
    for _ in range(12):  # the skip link, the header and the breadcrumb come first
        page.keyboard.press("Tab")
        names.append(focused(page)["name"])
        if names[-1]:
            break
    else:
        pytest.fail(f"Tab never reached the muscle map: {names}")
    start = focused(page)
    assert start["name"] == first.get_attribute("aria-label")
    # The focused region is filled in the focus colour and outlined, unlike at rest.
    assert start["fill"] != resting
    assert start["stroke"] == "rgb(22, 32, 42)"

    target = hub_link_name("lower-back")
    for _ in range(30):
        if focused(page)["name"] == target:
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"Tab never reached “{target}” on the map")
    href = focused(page)["href"]
    page.keyboard.press("Enter")

    page.wait_for_url(f"{site}{href}")
    assert href == "/exercises/muscle/lower-back"
    assert page.locator('nav.muscle-map a[aria-current="page"]').get_attribute("aria-label") == (
        target
    )


PAGES = {
    "library-map": "/exercises",
    "muscle-hub-map": "/exercises/muscle/lower-back",
    "exercise-map": "/exercise/spine-stretch",
}


@pytest.mark.parametrize("name", PAGES)
def test_pages_with_the_map_are_accessible(site, page, axe_source, screenshot, name):
    response = page.goto(f"{site}{PAGES[name]}")
    assert response.status == 200
    page.evaluate(axe_source)
    problems = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        # Every rule axe has, at every impact: the map must not add even a minor finding.
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        problems += [
            f"{width}px {v['id']} ({v['impact']}): "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in results["violations"]
        ]
        svg = page.locator("svg.body-map").bounding_box()
        assert 0 < svg["width"] <= width - 32  # inside the page's margins, never wider
    assert problems == []
    screenshot(page, name)
    assert page.console.messages == []

"""A trainer in a real browser meets the curation tools: the publish gate refuses an empty
exercise and says what is missing; the dashboard's counts lead to the filtered list."""

import re

import pytest
from conftest import PHONE
from django.contrib.auth.models import User
from test_media import image_bytes
from test_trainer import PASSWORD, log_in, trainer  # noqa: F401  (the Trainers-group account)
from test_trainer_media import media_trainer  # noqa: F401  (... who may edit media)

from exercises import renditions
from exercises.models import BodyPart, Exercise, ExerciseMedia, Muscle
from exercises.models.completeness import PUBLISH_MIN_STEPS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_gate_refuses_an_empty_exercise(site, page, trainer):  # noqa: F811
    log_in(page, site, "/admin/exercises/exercise/add/")
    page.locator("#id_name").fill("Empty Promise")
    page.get_by_role("radio", name="Published").check()
    page.locator("#id_body_part").select_option(label="Back")
    page.locator("#id_category").select_option(label="Mobility")
    page.get_by_role("radio", name="Beginner").check()
    # Target muscle and equipment left empty too: their errors come with the gate's.
    page.locator("input[name=_save]").first.click()
    page.wait_for_load_state()
    top = page.locator("ul.errorlist.nonfield").first.inner_text()
    assert top == (
        "“Empty Promise” cannot be published yet: it needs a quick answer of its own and at "
        f"least {PUBLISH_MIN_STEPS} steps (it has 0; add {PUBLISH_MIN_STEPS} more). Save it "
        "as a draft, or add what is missing first."
    )
    assert not Exercise.objects.filter(name="Empty Promise").exists()
    assert page.console.messages == []


def test_dashboard_count_leads_to_the_filtered_list(site, page, trainer):  # noqa: F811
    log_in(page, site, "/admin/")
    lacking = Exercise.objects.missing("quick_answer").count()
    link = page.locator(".library-gaps tbody tr", has_text="No quick answer").locator("a").first
    assert link.inner_text().split()[0] == str(lacking)
    link.click()
    page.wait_for_url(re.compile(r"missing=quick_answer"))
    assert f"{lacking} exercises" in page.locator("#changelist-form .paginator").inner_text()
    # The list fits the desktop window: no sideways scrolling.
    assert page.evaluate("document.querySelector('#changelist .results').scrollWidth") <= (
        page.evaluate("document.querySelector('#changelist .results').clientWidth")
    )
    assert page.console.messages == []


def test_media_inline_fits_a_phone(site, page, media_trainer, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    exercise = Exercise.objects.published().first()
    for alt in ("Start position", "End position"):
        item = ExerciseMedia(exercise=exercise, alt_text=alt, creator="Forge", licence="cc0")
        item.set_image(renditions.clean_image(image_bytes()))
        item.save()
    path = f"/admin/exercises/exercise/{exercise.pk}/change/"
    log_in(page, site, path)
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.reload()
    # Nothing of a media row runs past the inline's edge (help texts and inputs did).
    overflowing = page.evaluate(
        """(() => { const group = document.querySelector('#media-group');
        const edge = group.getBoundingClientRect().right;
        return [...group.querySelectorAll('*')].filter((e) => {
            const box = e.getBoundingClientRect();
            return box.width && box.right > edge + 0.5;
        }).map((e) => e.outerHTML.slice(0, 80)); })()"""
    )
    assert overflowing == []
    # sortable2's unfocusable arrows are replaced by move buttons (admin_ordering.js); neither
    # the heading nor the buttons cover the row's first field.
    assert not page.locator("#media-group .inline-related h3 .sort").first.is_visible()
    row = page.locator("#media-group .inline-related.has_original").first
    heading = row.locator("h3").bounding_box()
    buttons = row.locator(".order-buttons").bounding_box()
    first_field = row.locator(".form-row").first.bounding_box()
    assert heading["y"] + heading["height"] <= first_field["y"] + 0.5
    assert (
        buttons["y"] + buttons["height"] <= first_field["y"] + 0.5
        or buttons["y"] >= first_field["y"] + first_field["height"] - 0.5
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


@pytest.fixture
def admin_user():
    """An administrator: merging deletes taxonomy, which trainers may not."""
    return User.objects.create_superuser("tess", "tess@example.com", PASSWORD)


def test_admin_merges_a_muscle_and_undoes_it(site, page, admin_user, screenshot):
    stray = Muscle.objects.create(
        name="Erector Spinae", slug="erector-spinae", body_part=BodyPart.objects.get(slug="back")
    )
    moved = list(Exercise.objects.filter(target_muscle__slug="lower-back")[:2])
    for exercise in moved:
        exercise.target_muscle = stray
        exercise.save()
    log_in(page, site, "/admin/exercises/muscle/")
    page.get_by_role("link", name="Erector Spinae").wait_for()
    page.get_by_role("row", name=re.compile("Erector Spinae")).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Merge into another muscle…")
    page.get_by_role("button", name="Run").click()
    page.get_by_label("Merge into this muscle").select_option(label="Lower Back")
    page.get_by_role("button", name="Preview the merge").click()
    preview = page.locator(".merge-preview")
    assert "2 exercises move from “Erector Spinae” to “Lower Back”" in preview.inner_text()
    screenshot(page, "merge-preview")
    page.get_by_role("button", name="Merge into “Lower Back”").click()
    page.wait_for_url(f"{site}/admin/exercises/muscle/")
    assert "Merged the muscle “Erector Spinae”" in page.locator(".messagelist").inner_text()
    assert not Muscle.objects.filter(slug="erector-spinae").exists()
    visitor = page.context.new_page()
    visitor.goto(f"{site}/exercises/muscle/erector-spinae")
    assert visitor.url == f"{site}/exercises/muscle/lower-back"

    # Undo: recover the merged muscle from its deleted versions and save it.
    page.locator(".messagelist").get_by_role("link", name="Recover deleted muscles").click()
    # The deleted muscle's row links its date to the recover form.
    page.get_by_role("row", name=re.compile("Erector Spinae")).get_by_role("link").click()
    page.locator("input[name=_save]").first.click()
    page.wait_for_url(re.compile(r"/admin/exercises/muscle/"))
    assert Muscle.objects.filter(slug="erector-spinae").exists()
    assert set(Exercise.objects.filter(target_muscle__slug="erector-spinae")) == set(moved)
    # A new visitor: browsers remember a 301, so the first one would still be sent on.
    visitor = page.context.browser.new_context().new_page()
    visitor.goto(f"{site}/exercises/muscle/erector-spinae")
    assert visitor.url == f"{site}/exercises/muscle/erector-spinae"
    for exercise in moved:
        assert exercise.name in visitor.locator("main").inner_text()
    visitor.context.close()
    assert page.console.messages == []

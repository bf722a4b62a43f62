"""A trainer in a real browser uploads, credits, orders and deletes an exercise's images, and
the public page shows each change at once; the admin's CSP is enforced throughout."""

import io
import re

import pytest
from PIL import Image
from test_trainer import PASSWORD, trainer  # noqa: F401 (a fixture)

from exercises.models import ExerciseMedia

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHANGE_FORM = re.compile(r"/admin/exercises/exercise/\d+/change/")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(color, size=(480, 360)):
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, "PNG")
    return {"name": "drawing.png", "mimeType": "image/png", "buffer": output.getvalue()}


def add_media_row(page, index, file, alt, caption):
    page.locator("#media-group .add-row a").click()
    page.locator(f"#id_media-{index}-upload").set_input_files(file)
    page.locator(f"#id_media-{index}-alt_text").fill(alt)
    page.locator(f"#id_media-{index}-caption").fill(caption)
    page.locator(f"#id_media-{index}-creator").fill("Everkinetic")
    page.locator(f"#id_media-{index}-licence").select_option("cc-by-sa-4.0")
    page.locator(f"#id_media-{index}-source_url").fill("https://github.com/everkinetic/data")


def save(page):
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(CHANGE_FORM)


def public_alts(visitor, site):
    """The page's image order as a visitor sees it; reload() asks the server again, as a
    browser does once its copy is older than max-age (the server's copy is fresh at once)."""
    if visitor.url.endswith("/exercise/spine-stretch"):
        visitor.reload()
    else:
        visitor.goto(f"{site}/exercise/spine-stretch")
    return [img.get_attribute("alt") for img in visitor.locator(".exercise-media img").all()]


@pytest.fixture
def media_trainer(trainer):  # noqa: F811
    """The trainer, with the media permissions a later migration gives the Trainers group."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = import_module("exercises.migrations.0013_trainers_edit_media")
    migration.grant(apps, SimpleNamespace(connection=connection))
    return trainer


def test_trainer_uploads_orders_credits_and_deletes_media(site, page, media_trainer, screenshot):
    from exercises.models import Exercise

    exercise = Exercise.objects.get(slug="spine-stretch")
    page.goto(f"{site}/admin/exercises/exercise/{exercise.pk}/change/")
    page.get_by_label("Username").fill("tess")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(CHANGE_FORM)

    # A bad upload: a clear error on the row, nothing saved.
    add_media_row(page, 0, {"name": "x.jpg", "mimeType": "image/jpeg", "buffer": b"text"}, "A", "")
    page.locator("input[name=_continue]").first.click()
    page.wait_for_load_state()
    assert "not an image we can read" in page.locator("#media-group").inner_text()
    assert not ExerciseMedia.objects.exists()

    page.goto(f"{site}/admin/exercises/exercise/{exercise.pk}/change/")
    add_media_row(page, 0, png((200, 40, 40)), "Seated, legs straight", "Start position")
    add_media_row(page, 1, png((40, 40, 200)), "Folded forward over the legs", "End position")
    save(page)
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    previews = page.locator("#media-group img.media-preview")
    assert previews.count() == 2
    assert page.locator("#media-group").get_by_text("Everkinetic, CC BY-SA 4.0").count() == 2
    screenshot(page.locator("#media-group").page, "admin-media-inline")

    visitor = page.context.browser.new_page()
    assert public_alts(visitor, site) == ["Seated, legs straight", "Folded forward over the legs"]
    credit = visitor.locator(".exercise-media figcaption").first
    assert credit.get_by_role("link", name="CC BY-SA 4.0").get_attribute("href") == (
        "https://creativecommons.org/licenses/by-sa/4.0/"
    )
    first = visitor.locator(".exercise-media img").first
    assert first.get_attribute("fetchpriority") == "high"
    assert visitor.evaluate("document.querySelector('.exercise-media img').naturalWidth") > 0
    screenshot(visitor, "exercise-with-media")

    # Reorder: the second row goes first, with its keyboard-reachable move button.
    page.get_by_role("button", name="Move image 2 up").click()
    save(page)
    assert public_alts(visitor, site) == ["Folded forward over the legs", "Seated, legs straight"]

    # Delete one.
    page.locator("#media-group .inline-related.has_original").nth(0).locator(
        "input[name$='-DELETE']"
    ).check()
    save(page)
    assert public_alts(visitor, site) == ["Seated, legs straight"]
    assert ExerciseMedia.objects.count() == 1
    assert page.console.messages == []

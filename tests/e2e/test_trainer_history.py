"""A trainer in a real browser reorders steps by dragging and by keyboard, saves, reads the
change in the history, reverts it, and the public page shows the old order at once; a bulk
edit is made and reverted the same way. The admin's CSP is enforced throughout."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from test_trainer import log_in, trainer  # noqa: F401  (the Trainers-group account)

from exercises.models import Equipment, Exercise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def public_steps(browser, site, exercise):
    visitor = browser.new_page()
    visitor.goto(f"{site}{exercise.get_absolute_url()}")
    steps = visitor.locator("ol.steps li").all_inner_texts()
    visitor.close()
    return steps


def steps_group_texts(page):
    return [
        page.locator(f"#{row.get_attribute('id')} textarea").input_value()
        for row in page.locator("#steps-group tbody tr.has_original").all()
    ]


def test_reorder_by_drag_and_keyboard_then_revert_from_the_history(site, page, trainer, screenshot):  # noqa: F811
    exercise = Exercise.objects.get(slug="spine-stretch")
    original = list(exercise.steps.values_list("text", flat=True))
    assert public_steps(page.context.browser, site, exercise) == original  # cached now
    change = f"/admin/exercises/exercise/{exercise.pk}/change/"
    log_in(page, site, change)

    # Drag the third step above the first by its handle (django-admin-sortable2).
    handle = page.locator("#steps-2 td.original p")
    target = page.locator("#steps-0 td.original p")
    handle.drag_to(target, target_position={"x": 5, "y": 2})
    dragged = steps_group_texts(page)
    assert dragged[0] == original[2]
    assert sorted(dragged) == sorted(original)

    # Move the (new) last step up by keyboard: focus its button and press Enter.
    last = len(original)
    button = page.get_by_role("button", name=f"Move step {last} up")
    button.focus()
    page.keyboard.press("Enter")
    expected = dragged[: last - 2] + [dragged[last - 1], dragged[last - 2]]
    assert steps_group_texts(page) == expected
    # The focus stays on the moved row's button, now named after its new place.
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.replace("▲ ", "") == f"Move step {last - 1} up"
    status = page.locator("#steps-group .order-status").text_content()
    assert status == f"step moved to position {last - 1} of {last}. Save to keep it."
    numbers = [page.locator(f"#id_steps-{index}-position").input_value() for index in range(last)]
    assert sorted(numbers, key=int) == [str(n) for n in range(1, last + 1)]
    screenshot(page, "history-change-form-reordered")

    # Leaving now would lose the new order: the browser asks first.
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    with pytest.raises(PlaywrightError, match="ERR_ABORTED"):  # staying on the page
        page.goto(f"{site}/admin/")
    assert asked == ["beforeunload"]
    assert page.url.endswith(change)

    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(f"{site}{change}")
    assert list(exercise.steps.values_list("text", flat=True)) == expected
    assert public_steps(page.context.browser, site, exercise) == expected

    # The history shows the moves, old place → new place.
    page.goto(f"{site}/admin/exercises/exercise/{exercise.pk}/history/")
    newest = page.locator("li.history-entry").first
    assert "by tess" in newest.inner_text()
    assert "moved" in newest.inner_text()
    screenshot(page, "history-list")
    page.locator("li.history-entry").nth(1).locator("a").first.click()
    page.wait_for_url(re.compile(r"/history/\d+/$"))
    preview = page.locator("table.history-changes").last.inner_text()
    assert "moved" in preview
    screenshot(page, "history-version")
    page.get_by_role("button", name="Revert to this version").click()
    page.wait_for_url(f"{site}{change}")
    assert "Reverted to the version saved" in page.locator(".messagelist").inner_text()
    assert steps_group_texts(page) == original

    # The public page shows the reverted order at once (no stale cached copy).
    assert public_steps(page.context.browser, site, exercise) == original
    assert page.console.messages == []


def test_a_bulk_edit_is_confirmed_applied_and_reverted(site, page, trainer, screenshot):  # noqa: F811
    chosen = list(Exercise.objects.published().order_by("name")[:2])
    barbell = Equipment.objects.get(slug="barbell")
    before = {e.pk: e.equipment.name for e in chosen}
    log_in(page, site, "/admin/exercises/exercise/")
    for exercise in chosen:
        page.locator(f"input[name=_selected_action][value='{exercise.pk}']").check()
    page.get_by_label("Action:").select_option(label="Bulk edit selected exercises…")
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Bulk edit exercises"
    screenshot(page, "history-bulk-edit")
    page.get_by_label("Equipment:").select_option(label="Barbell")
    page.get_by_role("button", name="Change 2 exercises").click()
    page.wait_for_url(f"{site}/admin/exercises/exercise/")
    changed = [e for e in chosen if before[e.pk] != "Barbell"]
    assert f"{len(changed)} exercise" in page.locator(".messagelist").inner_text()
    for exercise in chosen:
        exercise.refresh_from_db()
        assert exercise.equipment == barbell

    # Revert one of them from its history: the version before the bulk edit.
    exercise = changed[0]
    page.goto(f"{site}/admin/exercises/exercise/{exercise.pk}/history/")
    assert "Bulk edit: equipment → Barbell." in page.locator("li.history-entry").first.inner_text()
    page.locator("li.history-entry").nth(1).locator("a").first.click()
    page.get_by_role("button", name="Revert to this version").click()
    page.wait_for_url(re.compile(r"/change/$"))
    exercise.refresh_from_db()
    assert exercise.equipment.name == before[exercise.pk]
    visitor = page.context.browser.new_page()
    visitor.goto(f"{site}{exercise.get_absolute_url()}")
    assert before[exercise.pk] in visitor.locator("main").inner_text()
    visitor.close()
    assert page.console.messages == []

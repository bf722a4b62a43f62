"""A trainer in a real browser: logs in, writes an exercise with steps and FAQs in the admin,
publishes it, and finds it on the public site, with the admin's CSP enforced throughout."""

import re
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import connection

from exercises.models import Exercise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture
def trainer():
    """A staff account in the Trainers group, as create_trainer makes it.

    The group comes from a data migration, and the flush after each browser test empties every
    table: make it again the way the migration does, with the same permissions.
    """
    migration = import_module("exercises.migrations.0002_trainers_group")
    migration.create_trainers_group(apps, SimpleNamespace(connection=connection))
    user = User.objects.create_user("tess", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


def log_in(page, site, path):
    """Open `path` as the trainer: through the login page, back to `path`."""
    page.goto(f"{site}{path}")
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("tess")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}{path}")


def choose_autocomplete(page, field, text):
    """Pick a value in one of the admin's autocomplete (select2) fields."""
    page.locator(f"#{field} + .select2").click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def add_inline_row(page, group, fields):
    """Click the inline's “Add another …” link and fill the new row."""
    rows = page.locator(f"#{group}-group tbody tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator(f"#{group}-group .add-row a").click()
    assert rows.count() == before + 1
    for name, value in fields.items():
        page.locator(f"#id_{group}-{before}-{name}").fill(value)


def test_trainer_writes_and_publishes_an_exercise(site, page, trainer):
    log_in(page, site, "/admin/exercises/exercise/add/")

    # The slug fills itself in as the name is typed: the admin's scripts run under its CSP.
    page.locator("#id_name").press_sequentially("Wall Angel Reach")
    assert page.locator("#id_slug").input_value() == "wall-angel-reach"
    page.locator("#id_quick_answer").fill("A gentle mobility drill for the upper back.")
    page.locator("#id_body_part").select_option(label="Back")
    choose_autocomplete(page, "id_target_muscle", "Upper Back")
    choose_autocomplete(page, "id_equipment", "Body Weight")
    page.get_by_role("radio", name="Beginner").check()
    page.locator("#id_category").select_option(label="Mobility")

    # The add form starts with one empty row per inline; more come from “Add another”.
    page.locator("#id_steps-0-text").fill("Stand with your back against a wall.")
    add_inline_row(page, "steps", {"text": "Slide your arms up the wall, then back down."})
    # Three steps and a quick answer: what the publish gate asks for.
    add_inline_row(page, "steps", {"text": "Keep your lower back against the wall."})
    page.locator("#id_faqs-0-question").fill("How many reps should I do?")
    page.locator("#id_faqs-0-answer").fill("Ten slow reps are plenty to start.")
    add_inline_row(
        page,
        "faqs",
        {"question": "Can I do it every day?", "answer": "Yes, it is gentle enough for daily use."},
    )
    page.locator("input[name=_continue]").first.click()
    page.wait_for_url(re.compile(r"/admin/exercises/exercise/\d+/change/"))
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    exercise = Exercise.objects.get(slug="wall-angel-reach")
    assert exercise.status == Exercise.Status.DRAFT
    assert [s.text for s in exercise.steps.all()] == [
        "Stand with your back against a wall.",
        "Slide your arms up the wall, then back down.",
        "Keep your lower back against the wall.",
    ]
    assert exercise.faqs.count() == 2

    # Drafts stay hidden from visitors until they are published.
    visitor = page.context.browser.new_page()
    assert visitor.goto(f"{site}/exercise/wall-angel-reach").status == 404

    # Publish from the change form's actions.
    page.get_by_label("Action:").select_option(label="Publish")
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()
    assert "now published" in page.locator(".messagelist").inner_text()
    exercise.refresh_from_db()
    assert exercise.is_published

    # The exercise list, with its filters and search, shows it as published.
    page.goto(f"{site}/admin/exercises/exercise/?status__exact=published&q=wall+angel+reach")
    row = page.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "Wall Angel Reach" in row.inner_text() and "Published" in row.inner_text()

    # The visitor finds it by searching, and reads the steps and FAQs in order.
    visitor.goto(f"{site}/exercises?q=wall+angel")
    visitor.get_by_role("link", name="Wall Angel Reach").click()
    visitor.wait_for_url(f"{site}/exercise/wall-angel-reach")
    assert visitor.locator("ol.steps li").all_inner_texts() == [
        "Stand with your back against a wall.",
        "Slide your arms up the wall, then back down.",
        "Keep your lower back against the wall.",
    ]
    questions = visitor.locator("section.faq h3").all_inner_texts()
    assert questions[:2] == ["How many reps should I do?", "Can I do it every day?"]
    visitor.close()

    assert page.console.messages == []

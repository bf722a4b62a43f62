"""A trainer in a real browser meets the curation tools: the publish gate refuses an empty
exercise and says what is missing; the dashboard's counts lead to the filtered list."""

import re

import pytest
from test_trainer import PASSWORD, trainer  # noqa: F401  (the Trainers-group account)

from exercises.models import Exercise
from exercises.models.completeness import PUBLISH_MIN_STEPS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, site, path):
    page.goto(f"{site}{path}")
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("tess")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}{path}")


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

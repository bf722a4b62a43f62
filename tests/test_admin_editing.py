"""Editing exercises in the admin: ordering by drag, keyboard or number, the Save draft and
Publish buttons, and the bulk edit with its confirmation page."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from factories import html, make_exercise
from reversion.models import Version
from test_admin_reliability import change_url, history_url, make_trainer, open_form

from exercises.models import Difficulty, Equipment, Exercise

EXERCISES = reverse("admin:exercises_exercise_changelist")
ORDERED = [
    "aliases",
    "secondary_muscle_links",
    "media",
    "steps",
    "pro_tips",
    "common_mistakes",
    "faqs",
]
NOUNS = {
    "aliases": "alias",
    "secondary_muscle_links": "muscle",
    "media": "image",
    "steps": "step",
    "pro_tips": "tip",
    "common_mistakes": "mistake",
    "faqs": "question",
}


@pytest.fixture
def tess(db):
    client = Client()
    client.force_login(make_trainer("tess"))
    return client


# Ordering


def test_every_ordered_list_is_sortable_and_keeps_its_numbers(tess, spine_stretch):
    page = html(tess.get(change_url(spine_stretch)))
    for prefix in ORDERED:
        group = page.select_one(f"#{prefix}-group")
        assert "sortable" in group.fieldset["class"], prefix  # django-admin-sortable2 drags it
        number = group.select_one(f"input[name='{prefix}-__prefix__-position']")
        assert number["type"] == "number"  # typed without JavaScript, set by drag and buttons
        assert "_reorder_" in number["class"]
        assert number["data-order-noun"] == NOUNS[prefix]
    saved = page.select_one("input[name='steps-1-position']")
    assert saved["type"] == "number"
    assert saved["value"] == "2"
    assert saved["aria-label"] == "Position of step 2"
    scripts = [tag["src"] for tag in page.select("script[src]")]
    assert "/static/exercises/admin_ordering.js" in scripts
    assert any("adminsortable2/js/adminsortable2" in src for src in scripts)
    assert any("sortable.css" in tag["href"] for tag in page.select("link[rel=stylesheet]"))


def test_numbers_set_by_a_drag_save_that_order(tess, spine_stretch):
    """A drag or a move button writes 1, 2, 3… in the new order into the position fields."""
    texts = list(spine_stretch.steps.values_list("text", flat=True))
    data = open_form(tess, spine_stretch)
    new_order = [2, 0, 1, 3, 4, 5]  # the third step dragged to the top
    for place, index in enumerate(new_order, start=1):
        data[f"steps-{index}-position"] = str(place)
    assert tess.post(change_url(spine_stretch), data).status_code == 302
    assert list(spine_stretch.steps.values_list("text", flat=True)) == [
        texts[index] for index in new_order
    ]


def test_a_reorder_from_a_stale_form_is_refused(tess, spine_stretch):
    data = open_form(tess, spine_stretch)
    other = open_form(tess, spine_stretch)
    assert tess.post(change_url(spine_stretch), other).status_code == 302
    data["steps-0-position"], data["steps-1-position"] = "2", "1"
    response = tess.post(change_url(spine_stretch), data)
    assert response.status_code == 200
    assert "Someone else saved this exercise" in response.content.decode()


# Save draft and Publish


def test_the_form_has_save_draft_and_publish_after_save(tess, spine_stretch):
    page = html(tess.get(change_url(spine_stretch)))
    names = [button["name"] for button in page.select(".submit-row input[type=submit]")]
    assert names.index("_save") < names.index("_save_draft") < names.index("_publish")
    scripts = [tag["src"] for tag in page.select("script[src]")]
    assert "/static/exercises/admin_unsaved.js" in scripts


def test_publish_saves_the_edits_and_publishes(tess, spine_stretch):
    spine_stretch.status = Exercise.Status.DRAFT
    spine_stretch.save()
    data = open_form(tess, spine_stretch) | {"quick_answer": "A seated stretch."}
    del data["_save"]
    response = tess.post(change_url(spine_stretch), data | {"_publish": "Publish"}, follow=True)
    assert response.redirect_chain[-1][0] == change_url(spine_stretch)
    assert any("is published: visitors see it at" in str(m) for m in response.context["messages"])
    spine_stretch.refresh_from_db()
    assert spine_stretch.is_published
    assert spine_stretch.quick_answer == "A seated stretch."
    # The import, then this save (the draft above was set outside the admin).
    assert Version.objects.get_for_object(spine_stretch).count() == 2


def test_save_draft_unpublishes(tess, spine_stretch, client):
    data = open_form(tess, spine_stretch)
    del data["_save"]
    response = tess.post(
        change_url(spine_stretch), data | {"_save_draft": "Save draft"}, follow=True
    )
    assert any("saved as a draft" in str(m) for m in response.context["messages"])
    spine_stretch.refresh_from_db()
    assert spine_stretch.status == Exercise.Status.DRAFT
    assert client.get(spine_stretch.get_absolute_url()).status_code == 404


def test_publish_names_what_the_gate_misses(tess, taxonomy):
    draft = make_exercise("Bare Draft", status=Exercise.Status.DRAFT, quick_answer="")
    data = open_form(tess, draft)
    del data["_save"]
    response = tess.post(change_url(draft), data | {"_publish": "Publish"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be published yet" in page
    assert "a quick answer of its own" in page
    assert "at least 3 steps" in page
    draft.refresh_from_db()
    assert draft.status == Exercise.Status.DRAFT


# Bulk edit


def select(exercises):
    return {"action": "bulk_edit", "_selected_action": [e.pk for e in exercises]}


def test_bulk_edit_shows_a_confirmation_page(tess, library, django_assert_max_num_queries):
    # The change list's own queries (it is built for the action), the form's four lists and
    # the selection: as many for the whole library as for three.
    with django_assert_max_num_queries(24) as everything:
        assert tess.post(EXERCISES, select(Exercise.objects.all())).status_code == 200
    count = len(everything)
    chosen = list(Exercise.objects.order_by("name")[:3])
    with django_assert_max_num_queries(count):
        response = tess.post(EXERCISES, select(chosen))
    assert response.status_code == 200
    page = html(response)
    assert page.h1.get_text(strip=True) == "Bulk edit exercises"
    rows = page.select("table.bulk-edit-selection tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == [e.name for e in chosen]
    for name in ["body_part", "equipment", "category", "difficulty", "status"]:
        assert page.select_one(f"select[name={name}]") is not None
        assert page.select_one(f"label[for=id_{name}]") is not None
    hidden = [tag["value"] for tag in page.select("input[name=_selected_action]")]
    assert hidden == [str(e.pk) for e in chosen]
    assert page.select_one("input[name=apply]")["value"] == "Change 3 exercises"
    # Nothing changed yet.
    assert not Version.objects.filter(revision__comment__startswith="Bulk edit").exists()


def test_bulk_edit_changes_each_exercise_with_a_revision(tess, library):
    chosen = list(Exercise.objects.order_by("name")[:3])
    barbell = Equipment.objects.get(slug="barbell")
    advanced = Difficulty.objects.get(slug="advanced")
    versions = {e.pk: e.version for e in chosen}
    before = {e.pk: (e.equipment, e.difficulty) for e in chosen}
    data = select(chosen) | {"apply": "1", "equipment": barbell.pk, "difficulty": advanced.pk}
    response = tess.post(EXERCISES, data, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    changed = [e for e in chosen if (e.equipment, e.difficulty) != (barbell, advanced)]
    assert f"{len(changed)} exercises changed; each one's history can revert it." in messages
    for exercise in changed:
        exercise.refresh_from_db()
        assert (exercise.equipment, exercise.difficulty) == (barbell, advanced)
        assert exercise.version == versions[exercise.pk] + 1
        latest = Version.objects.get_for_object(exercise).order_by("-pk").first().revision
        assert latest.user.username == "tess"
        assert latest.comment.startswith("Bulk edit: ")
        # It names what changed for this exercise, and only that.
        assert ("equipment → Barbell" in latest.comment) == (before[exercise.pk][0] != barbell)
        assert ("difficulty → Advanced" in latest.comment) == (before[exercise.pk][1] != advanced)
        assert LogEntry.objects.filter(object_id=str(exercise.pk)).exists()


def test_a_bulk_edit_is_reverted_from_the_history(tess, library, client):
    exercise = Exercise.objects.published().order_by("name").first()
    old_equipment = exercise.equipment
    other = Equipment.objects.exclude(pk=old_equipment.pk).first()
    tess.post(EXERCISES, select([exercise]) | {"apply": "1", "equipment": other.pk})
    exercise.refresh_from_db()
    assert exercise.equipment == other
    versions = list(Version.objects.get_for_object(exercise).order_by("pk"))
    before = versions[-2]  # the version before the bulk edit
    url = reverse("admin:exercises_exercise_revision", args=[exercise.pk, before.pk])
    page = html(tess.get(url))
    preview = page.get_text(" ", strip=True)
    assert f"Equipment changed {other.name} {old_equipment.name}" in preview
    tess.post(url, {"loaded_version": str(exercise.version)})
    exercise.refresh_from_db()
    assert exercise.equipment == old_equipment
    assert old_equipment.name in client.get(exercise.get_absolute_url()).content.decode()
    assert "Bulk edit:" in tess.get(history_url(exercise)).content.decode()


def test_bulk_edit_needs_a_value_and_refuses_unknown_ones(tess, library):
    chosen = list(Exercise.objects.order_by("name")[:2])
    response = tess.post(EXERCISES, select(chosen) | {"apply": "1"})
    assert response.status_code == 200
    assert "Choose at least one new value" in response.content.decode()
    response = tess.post(EXERCISES, select(chosen) | {"apply": "1", "equipment": "999999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = tess.post(EXERCISES, select(chosen) | {"apply": "1", "status": "deleted"})
    assert "Select a valid choice" in response.content.decode()
    assert not Version.objects.filter(revision__comment__startswith="Bulk edit").exists()


def test_bulk_edit_with_tampered_ids_changes_only_real_exercises(tess, library):
    barbell = Equipment.objects.get(slug="barbell")
    real = Exercise.objects.exclude(equipment=barbell).first()
    data = {
        "action": "bulk_edit",
        "_selected_action": [real.pk, 999999],
        "apply": "1",
        "equipment": barbell.pk,
    }
    response = tess.post(EXERCISES, data, follow=True)
    assert response.status_code == 200
    real.refresh_from_db()
    assert real.equipment == barbell
    response = tess.post(EXERCISES, data | {"_selected_action": ["abc", "1e3"]}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert "The selection was not understood; select the rows again." in messages


def test_bulk_publishing_passes_the_gate(tess, taxonomy):
    bare = make_exercise("Bare Draft", status=Exercise.Status.DRAFT, quick_answer="")
    ready = make_exercise(
        "Ready Draft",
        status=Exercise.Status.DRAFT,
        quick_answer="A full answer.",
        steps=["One.", "Two.", "Three."],
    )
    data = select([bare, ready]) | {"apply": "1", "status": "published"}
    response = tess.post(EXERCISES, data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert "1 exercise changed; its history can revert it." in messages
    assert any("Not published: “Bare Draft” cannot be published yet" in m for m in messages)
    bare.refresh_from_db()
    ready.refresh_from_db()
    assert (bare.status, ready.status) == ("draft", "published")

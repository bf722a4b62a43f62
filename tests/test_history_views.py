"""The exercise's history pages: who, when, what changed (old → new), and the one-click revert."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import html
from reversion.models import Version
from test_admin_reliability import change_url, history_url, make_trainer, open_form

from exercises.models import Exercise, ExerciseSecondaryMuscle, Muscle


@pytest.fixture
def tess(db):
    client = Client()
    client.force_login(make_trainer("tess"))
    return client


def save(client, exercise, **changes):
    """Open the change form, apply `changes` (form field → value), save; return the data."""
    data = open_form(client, exercise) | changes
    response = client.post(change_url(exercise), data)
    assert response.status_code == 302, response.context["errors"]
    exercise.refresh_from_db()
    return data


def swap_steps(client, exercise, first, second):
    """Save the form with two steps' position numbers swapped (what dragging does)."""
    data = open_form(client, exercise)
    data[f"steps-{first}-position"], data[f"steps-{second}-position"] = (
        data[f"steps-{second}-position"],
        data[f"steps-{first}-position"],
    )
    assert client.post(change_url(exercise), data).status_code == 302
    exercise.refresh_from_db()


def version_url(exercise, version):
    return reverse("admin:exercises_exercise_revision", args=[exercise.pk, version.pk])


def versions(exercise):
    return list(Version.objects.get_for_object(exercise).order_by("pk"))


def steps(exercise):
    return list(exercise.steps.values_list("text", flat=True))


def change_rows(page, caption_start):
    """The (what, how, before, after) rows of the changes table whose caption starts so."""
    for table in page.select("table.history-changes"):
        if table.caption.get_text(strip=True).startswith(caption_start):
            return [
                tuple(cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"]))
                for row in table.tbody.find_all("tr")
            ]
    return None


def test_the_history_lists_who_when_and_what_changed(tess, spine_stretch):
    save(tess, spine_stretch, **{"steps-0-text": "Sit tall with your legs straight."})
    response = tess.get(history_url(spine_stretch))
    assert response.status_code == 200
    page = html(response)
    entries = page.select("li.history-entry")
    assert len(entries) == 2
    newest = entries[0].get_text(" ", strip=True)
    assert "by tess" in newest
    assert "(current)" in newest
    assert "Step 1 changed" in newest
    assert "Sit tall with your legs straight." in newest
    assert "by a command (import)" in entries[1].get_text(" ", strip=True)
    assert "The first recorded version." in entries[1].get_text(" ", strip=True)


def test_a_version_page_shows_old_and_new_text_per_row(tess, spine_stretch):
    old = steps(spine_stretch)[1]
    save(tess, spine_stretch, **{"steps-1-text": "Reach forward slowly."})
    latest = versions(spine_stretch)[-1]
    page = html(tess.get(version_url(spine_stretch, latest)))
    assert ("Step 2", "changed", old, "Reach forward slowly.") in change_rows(page, "Changes in")
    assert "This is the current version" in page.get_text()


def test_a_reorder_is_shown_as_moves(tess, spine_stretch):
    first, second = steps(spine_stretch)[:2]
    swap_steps(tess, spine_stretch, 0, 1)
    assert steps(spine_stretch)[:2] == [second, first]
    rows = change_rows(html(tess.get(version_url(spine_stretch, versions(spine_stretch)[-1]))), "")

    def short(text):
        return text if len(text) <= 60 else text[:59] + "…"

    assert (f"Step “{short(second)}”", "moved", "Step 2", "Step 1") in rows
    assert (f"Step “{short(first)}”", "moved", "Step 1", "Step 2") in rows


def test_added_removed_and_field_changes_are_named(tess, spine_stretch, taxonomy):
    glutes = Muscle.objects.get(slug="glutes")
    before_answer = spine_stretch.quick_answer
    data = open_form(tess, spine_stretch)
    data |= {"quick_answer": "A new answer.", "steps-5-DELETE": "on"}
    removed = steps(spine_stretch)[5]
    data |= {"faqs-TOTAL_FORMS": "4", "faqs-3-position": "0"}
    data |= {"faqs-3-question": "Can I do it daily?", "faqs-3-answer": "Yes."}
    links = spine_stretch.secondary_muscle_links.all()
    assert glutes in [link.muscle for link in links]
    assert tess.post(change_url(spine_stretch), data).status_code == 302
    rows = change_rows(html(tess.get(version_url(spine_stretch, versions(spine_stretch)[-1]))), "")
    assert ("Step 6", "removed", removed, "—") in rows
    assert ("FAQ 4", "added", "—", "Can I do it daily? — Yes.") in rows
    assert ("Quick answer", "changed", before_answer, "A new answer.") in rows


def test_revert_restores_rows_order_and_fields_as_a_new_version(tess, spine_stretch, client):
    original = steps(spine_stretch)
    original_answer = spine_stretch.quick_answer
    first_version = versions(spine_stretch)[0]
    swap_steps(tess, spine_stretch, 0, 2)
    save(tess, spine_stretch, quick_answer="Changed words.", **{"steps-1-DELETE": "on"})
    assert steps(spine_stretch) != original
    public = html(client.get(spine_stretch.get_absolute_url()))
    assert [li.get_text(strip=True) for li in public.select("ol.steps li")] == steps(
        spine_stretch
    )  # the page, cached with the change

    page = html(tess.get(version_url(spine_stretch, first_version)))
    preview = change_rows(page, "What reverting would change")
    assert ("Quick answer", "changed", "Changed words.", original_answer) in preview
    form = page.select_one("form.history-revert")
    assert form.select_one("input[name=loaded_version]")["value"] == str(spine_stretch.version)
    number = spine_stretch.version
    response = tess.post(
        version_url(spine_stretch, first_version), {"loaded_version": str(number)}, follow=True
    )
    assert response.redirect_chain[-1][0] == change_url(spine_stretch)
    assert any("Reverted to the version saved" in str(m) for m in response.context["messages"])
    spine_stretch.refresh_from_db()
    assert steps(spine_stretch) == original
    assert spine_stretch.quick_answer == original_answer
    assert spine_stretch.version == number + 1  # forward, never back to 1
    # The public page shows the reverted steps at once, in order.
    public = html(client.get(spine_stretch.get_absolute_url()))
    shown = [item.get_text(" ", strip=True) for item in public.select("ol.steps li")]
    assert shown == original
    # Recorded as a new version, whose own page can undo it.
    newest = versions(spine_stretch)[-1]
    assert newest.revision.comment.startswith("Reverted to the version saved")
    assert newest.revision.user.username == "tess"
    assert "Reverted to the version saved" in tess.get(history_url(spine_stretch)).content.decode()


def test_a_revert_makes_an_open_change_form_stale(tess, spine_stretch):
    first_version = versions(spine_stretch)[0]
    save(tess, spine_stretch, quick_answer="Changed words.")
    form = open_form(tess, spine_stretch)
    tess.post(version_url(spine_stretch, first_version), {"loaded_version": form["loaded_version"]})
    response = tess.post(change_url(spine_stretch), form | {"quick_answer": "Mine."})
    assert response.status_code == 200
    assert "Someone else saved this exercise" in response.content.decode()


def test_reverting_from_a_stale_page_is_refused_and_changes_nothing(tess, spine_stretch):
    first_version = versions(spine_stretch)[0]
    save(tess, spine_stretch, quick_answer="Changed words.")
    seen = spine_stretch.version
    save(tess, spine_stretch, quick_answer="Changed again.")
    response = tess.post(
        version_url(spine_stretch, first_version), {"loaded_version": str(seen)}, follow=True
    )
    assert "Someone saved this exercise after you opened this page" in response.content.decode()
    spine_stretch.refresh_from_db()
    assert spine_stretch.quick_answer == "Changed again."


@pytest.mark.parametrize("value", ["", "abc", "١", "99999999999", "-1"])
def test_a_tampered_revert_version_is_refused(tess, spine_stretch, value):
    first_version = versions(spine_stretch)[0]
    save(tess, spine_stretch, quick_answer="Changed words.")
    response = tess.post(
        version_url(spine_stretch, first_version), {"loaded_version": value}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "nothing was changed" in page.lower()
    spine_stretch.refresh_from_db()
    assert spine_stretch.quick_answer == "Changed words."


def test_version_ids_of_another_exercise_or_nonsense_are_404(tess, spine_stretch, library):
    other = Exercise.objects.exclude(pk=spine_stretch.pk).first()
    save(tess, other, quick_answer="Other words.")
    foreign = versions(other)[-1]
    assert tess.get(version_url(spine_stretch, foreign)).status_code == 404
    assert (
        tess.post(version_url(spine_stretch, foreign), {"loaded_version": "1"}).status_code == 404
    )
    bad = f"/admin/exercises/exercise/{spine_stretch.pk}/history/999999/"
    assert tess.get(bad).status_code == 404
    assert tess.get("/admin/exercises/exercise/999999/history/").status_code in (302, 404)


def test_a_version_naming_a_deleted_muscle_is_shown_and_not_restored(tess, spine_stretch):
    link = spine_stretch.secondary_muscle_links.select_related("muscle").last()
    muscle = link.muscle
    first_version = versions(spine_stretch)[0]
    save(tess, spine_stretch, **{"secondary_muscle_links-1-DELETE": "on"})
    assert not ExerciseSecondaryMuscle.objects.filter(muscle=muscle).exists()
    name = muscle.name
    muscle.delete()
    page = tess.get(version_url(spine_stretch, first_version))
    assert page.status_code == 200
    # Named from the muscle's own last version (the taxonomy import recorded it).
    assert f"a deleted muscle (“{name}”)" in page.content.decode()
    number = spine_stretch.version
    response = tess.post(
        version_url(spine_stretch, first_version), {"loaded_version": str(number)}, follow=True
    )
    text = response.content.decode()
    assert "cannot be restored" in text
    assert "Nothing was changed" in text
    spine_stretch.refresh_from_db()
    assert spine_stretch.version == number


def test_history_pages_need_a_fixed_number_of_queries(
    tess, spine_stretch, django_assert_max_num_queries
):
    for number in range(3):
        save(tess, spine_stretch, quick_answer=f"Answer {number}.")
    with CaptureQueriesContext(connection) as few:
        assert tess.get(history_url(spine_stretch)).status_code == 200
    first = len(few)  # now: the connection's query log is a bounded queue
    assert 0 < first <= 20
    for _ in range(6):
        swap_steps(tess, spine_stretch, 0, 1)
    # Twice the versions, the same queries.
    with django_assert_max_num_queries(first):
        assert tess.get(history_url(spine_stretch)).status_code == 200
    latest = versions(spine_stretch)[-1]
    with django_assert_max_num_queries(20):
        assert tess.get(version_url(spine_stretch, latest)).status_code == 200


def test_a_trainer_without_change_rights_sees_history_but_cannot_revert(spine_stretch):
    from django.contrib.auth.models import Permission, User

    viewer = User.objects.create_user("vera", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_exercise"))
    client = Client()
    client.force_login(viewer)
    version = versions(spine_stretch)[0]
    assert client.get(history_url(spine_stretch)).status_code == 200
    page = client.get(version_url(spine_stretch, version))
    assert page.status_code == 200
    assert (
        client.post(version_url(spine_stretch, version), {"loaded_version": "1"}).status_code == 403
    )


def test_an_exercise_without_history_can_revert_its_first_admin_save(tess, taxonomy):
    """Rows made before the history was kept get a first version just before their change."""
    from factories import make_exercise

    exercise = make_exercise(
        "Old Row", quick_answer="Old words.", steps=["One.", "Two.", "Three."], status="draft"
    )
    assert versions(exercise) == []
    save(tess, exercise, quick_answer="New words.", **{"steps-0-DELETE": "on"})
    baseline, saved = versions(exercise)
    assert baseline.revision.comment == "As it was before its history was kept"
    assert baseline.revision.user is None
    assert saved.revision.user.username == "tess"
    tess.post(version_url(exercise, baseline), {"loaded_version": str(exercise.version)})
    exercise.refresh_from_db()
    assert exercise.quick_answer == "Old words."
    assert steps(exercise) == ["One.", "Two.", "Three."]


def test_pinned_substitutes_are_in_the_history_and_reverted(tess, spine_stretch, library):
    from exercises.models import ExerciseSubstitute
    from exercises.recording import record_exercises

    other = Exercise.objects.exclude(pk=spine_stretch.pk).order_by("name").first()
    first_version = versions(spine_stretch)[0]
    ExerciseSubstitute.objects.create(exercise=spine_stretch, substitute=other, position=1)
    record_exercises([spine_stretch.pk], "Pinned")
    rows = change_rows(html(tess.get(version_url(spine_stretch, versions(spine_stretch)[-1]))), "")
    assert (
        "Swap for 1",
        "added",
        "—",
        f"substitute: {other.name}; choice: Pin: always offer it",
    ) in rows
    tess.post(
        version_url(spine_stretch, first_version), {"loaded_version": str(spine_stretch.version)}
    )
    assert not ExerciseSubstitute.objects.filter(exercise=spine_stretch).exists()

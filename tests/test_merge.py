"""Taxonomy merge: the admin action previews what moves, then moves every exercise to the value
kept, deletes the merged values and redirects their hub addresses."""

import pytest
from factories import html, make_exercise, text
from reversion.models import Version
from test_admin import messages_of

from exercises.models import (
    BodyPart,
    Category,
    Difficulty,
    Equipment,
    Exercise,
    HubSlug,
    Muscle,
)

MUSCLES = "/admin/exercises/muscle/"


@pytest.fixture
def split_muscle(taxonomy):
    """“Lower Back” and a stray “Erector Spinae” meaning the same muscle."""
    stray = Muscle.objects.create(
        name="Erector Spinae", slug="erector-spinae", body_part=BodyPart.objects.get(slug="back")
    )
    kept = Muscle.objects.get(slug="lower-back")
    made = {
        "Back Extension": make_exercise("Back Extension", muscle=stray, secondary=["glutes"]),
        "Superman": make_exercise("Superman", muscle=stray, secondary=["lower-back"]),
        "Good Morning": make_exercise("Good Morning", muscle="hamstrings", secondary=[stray]),
        "Hip Hinge": make_exercise(
            "Hip Hinge", muscle="hamstrings", secondary=[stray, "lower-back"]
        ),
        "Bird Dog": make_exercise("Bird Dog", muscle=kept),
    }
    return stray, kept, made


def merge_post(sources, step=None, target=None):
    data = {"action": "merge_into", "_selected_action": [source.pk for source in sources]}
    if step:
        data["merge_step"] = step
    if target is not None:
        data["target"] = target if isinstance(target, str | int) else target.pk
    return data


def test_merge_asks_for_the_value_to_keep(admin_client, split_muscle):
    stray, kept, _ = split_muscle
    response = admin_client.post(MUSCLES, merge_post([stray]))
    assert response.status_code == 200
    page = html(response)
    assert "Erector Spinae : 2 exercises, also worked by 2 as a secondary muscle" in text(
        page.select_one(".merge-sources")
    )
    choices = [text(option) for option in page.select("select[name=target] option")]
    assert "Lower Back" in choices and "Erector Spinae" not in choices
    assert page.select_one(".merge-preview") is None


def test_merge_preview_counts_what_moves_and_changes_nothing(admin_client, split_muscle):
    stray, kept, made = split_muscle
    response = admin_client.post(MUSCLES, merge_post([stray], "preview", kept))
    preview = html(response).select_one(".merge-preview")
    said = text(preview)
    assert "2 exercises move from “Erector Spinae” to “Lower Back”" in said
    assert "/exercises/muscle/erector-spinae redirects to /exercises/muscle/lower-back" in said
    # Good Morning lists it instead; Superman's and Hip Hinge's rows would repeat Lower Back.
    assert (
        "Secondary muscles: 1 exercise list “Lower Back” instead; 2 secondary-muscle rows "
        "dropped, as they would repeat a muscle the exercise already lists." in said
    )
    rows = [text(th) for th in preview.select("tbody th")]
    assert rows == ["Back Extension", "Superman"]
    assert Muscle.objects.filter(slug="erector-spinae").exists()
    assert Exercise.objects.get(name="Superman").target_muscle == stray


def test_merge_moves_every_exercise_and_redirects_the_old_hub(admin_client, client, split_muscle):
    stray, kept, made = split_muscle
    before = {e.name: e.version for e in Exercise.objects.all()}
    response = admin_client.post(MUSCLES, merge_post([stray], "confirm", kept), follow=True)
    assert response.status_code == 200
    [said] = messages_of(response)
    assert said.startswith("Merged the muscle “Erector Spinae” into “Lower Back”: 2 exercises")
    assert f"<a href='{MUSCLES}recover/'>Recover deleted muscles</a>" in said
    assert not Muscle.objects.filter(slug="erector-spinae").exists()
    targets = dict(Exercise.objects.values_list("name", "target_muscle__slug"))
    assert targets["Back Extension"] == targets["Superman"] == "lower-back"
    secondaries = {
        e.name: [m.slug for m in e.ordered_secondary_muscles]
        for e in Exercise.objects.prefetch_related("secondary_muscle_links__muscle")
    }
    assert secondaries == {
        "Back Extension": ["glutes"],
        "Superman": [],  # its Lower Back row would repeat the target muscle
        "Good Morning": ["lower-back"],
        "Hip Hinge": ["lower-back"],  # listed once
        "Bird Dog": [],
    }
    # Saved one by one: a form opened before the merge cannot save the old muscle back.
    after = dict(Exercise.objects.values_list("name", "version"))
    assert after["Superman"] == before["Superman"] + 1
    assert after["Bird Dog"] == before["Bird Dog"]
    old_hub = client.get("/exercises/muscle/erector-spinae")
    assert old_hub.status_code == 301
    assert old_hub["Location"].endswith("/exercises/muscle/lower-back")
    hub = client.get("/exercises/muscle/lower-back")
    assert "Superman" in hub.content.decode()


def test_merge_keeps_the_merged_values_old_addresses(admin_client, client, split_muscle):
    stray, kept, _ = split_muscle
    stray.slug = "spinal-erectors"
    stray.save()  # /exercises/muscle/erector-spinae now redirects to spinal-erectors
    admin_client.post(MUSCLES, merge_post([stray], "confirm", kept))
    for old in ("erector-spinae", "spinal-erectors"):
        response = client.get(f"/exercises/muscle/{old}")
        assert response.status_code == 301
        assert response["Location"].endswith("/exercises/muscle/lower-back")
    assert set(HubSlug.objects.filter(muscle=kept).values_list("slug", flat=True)) == {
        "erector-spinae",
        "spinal-erectors",
    }


def test_merging_equipment_and_categories(admin_client, taxonomy):
    bands = Equipment.objects.create(name="Bands", slug="bands")
    kept = Equipment.objects.get(slug="resistance-band")
    make_exercise("Band Pull-Apart", equipment=bands)
    admin_client.post(
        "/admin/exercises/equipment/", merge_post([bands], "confirm", kept), follow=True
    )
    assert Exercise.objects.get().equipment == kept
    assert not Equipment.objects.filter(pk=bands.pk).exists()
    drills = Category.objects.create(name="Drills", slug="drills")
    make_exercise("Skater Hop", category=drills)
    admin_client.post(
        "/admin/exercises/category/",
        merge_post([drills], "confirm", Category.objects.get(slug="plyometrics")),
    )
    assert Exercise.objects.get(name="Skater Hop").category.slug == "plyometrics"


def test_merging_a_body_part_moves_its_muscles(admin_client, taxonomy):
    torso = BodyPart.objects.create(name="Torso", slug="torso", position=20)
    obliques = Muscle.objects.create(name="Side Abs", slug="side-abs", body_part=torso)
    make_exercise("Side Bend", body_part=torso, muscle=obliques)
    core = BodyPart.objects.get(slug="core")
    admin_client.post("/admin/exercises/bodypart/", merge_post([torso], "confirm", core))
    assert Exercise.objects.get().body_part == core
    obliques.refresh_from_db()
    assert obliques.body_part == core
    assert not BodyPart.objects.filter(slug="torso").exists()


def test_merging_several_values_at_once(admin_client, split_muscle):
    stray, kept, _ = split_muscle
    other = Muscle.objects.create(
        name="Spinal Erectors", slug="spinal-erectors", body_part=kept.body_part
    )
    make_exercise("Reverse Hyper", muscle=other, secondary=[stray])
    admin_client.post(MUSCLES, merge_post([stray, other], "confirm", kept))
    assert Exercise.objects.filter(target_muscle=kept).count() == 4
    assert list(Exercise.objects.get(name="Reverse Hyper").ordered_secondary_muscles) == []


# Error paths


@pytest.mark.parametrize("step", ["preview", "confirm"])
def test_merging_a_value_into_itself_is_refused(admin_client, split_muscle, step):
    stray, _, _ = split_muscle
    response = admin_client.post(MUSCLES, merge_post([stray], step, stray))
    assert response.status_code == 200
    assert "Choose one of the listed muscles" in response.content.decode()
    assert Muscle.objects.filter(pk=stray.pk).exists()


@pytest.mark.parametrize("target", ["999999", "not-a-number", ""])
def test_a_deleted_or_tampered_target_is_refused(admin_client, split_muscle, target):
    stray, _, _ = split_muscle
    response = admin_client.post(MUSCLES, merge_post([stray], "confirm", target))
    assert response.status_code == 200
    assert html(response).select_one(".errorlist") is not None
    assert Muscle.objects.filter(pk=stray.pk).exists()
    assert Exercise.objects.filter(target_muscle=stray).count() == 2


def test_a_deleted_target_is_refused_after_the_preview(admin_client, split_muscle):
    stray, _, _ = split_muscle
    spare = Muscle.objects.create(name="Spare", slug="spare", body_part=stray.body_part)
    admin_client.post(MUSCLES, merge_post([stray], "preview", spare))
    spare.delete()
    response = admin_client.post(MUSCLES, merge_post([stray], "confirm", spare.pk or 0))
    assert "no longer exists" in response.content.decode()
    assert Muscle.objects.filter(pk=stray.pk).exists()


@pytest.mark.parametrize("selected", [["999999"], ["abc"], []])
def test_tampered_sources_change_nothing(admin_client, split_muscle, selected):
    _, kept, _ = split_muscle
    data = {"action": "merge_into", "_selected_action": selected, "merge_step": "confirm"}
    response = admin_client.post(MUSCLES, data | {"target": kept.pk}, follow=True)
    assert response.status_code < 500
    assert Muscle.objects.filter(slug="erector-spinae").exists()


def test_difficulty_cannot_be_merged(admin_client, taxonomy):
    easy = Difficulty.objects.get(slug="beginner")
    response = admin_client.post("/admin/exercises/difficulty/", merge_post([easy]), follow=True)
    assert response.status_code < 500
    assert "merge_into" not in response.content.decode()


def test_trainers_cannot_merge(client, split_muscle):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("tess", password="unused-Passw0rd!", is_staff=True)
    user.groups.add(Group.objects.get(name="Trainers"))
    client.force_login(user)
    stray, kept, _ = split_muscle
    page = client.get(MUSCLES)
    assert 'value="merge_into"' not in page.content.decode()
    client.post(MUSCLES, merge_post([stray], "confirm", kept))
    assert Muscle.objects.filter(pk=stray.pk).exists()


def test_preview_queries_do_not_grow_with_the_exercises_moved(
    admin_client, split_muscle, django_assert_max_num_queries
):
    stray, kept, _ = split_muscle
    with django_assert_max_num_queries(16) as few:
        admin_client.post(MUSCLES, merge_post([stray], "preview", kept))
    for number in range(30):
        make_exercise(f"Extension {number}", muscle=stray)
    with django_assert_max_num_queries(len(few)):
        response = admin_client.post(MUSCLES, merge_post([stray], "preview", kept))
    assert "32 exercises move" in text(html(response).select_one(".merge-preview"))


# Undoing a merge


def secondary_slugs():
    return {
        e.name: [m.slug for m in e.ordered_secondary_muscles]
        for e in Exercise.objects.prefetch_related("secondary_muscle_links__muscle")
    }


def test_a_merge_is_in_each_exercises_history(admin_client, split_muscle):
    stray, kept, _ = split_muscle
    admin_client.post(MUSCLES, merge_post([stray], "confirm", kept))
    for name in ("Superman", "Good Morning", "Hip Hinge"):
        latest = Version.objects.get_for_object(Exercise.objects.get(name=name)).first()
        assert latest.revision.comment == "Merged the muscle “Erector Spinae” into “Lower Back”."
    assert not Version.objects.get_for_object(Exercise.objects.get(name="Bird Dog")).exists()


def test_recovering_the_merged_muscle_undoes_the_merge(admin_client, client, split_muscle):
    stray, kept, _ = split_muscle
    before = secondary_slugs()
    admin_client.post(MUSCLES, merge_post([stray], "confirm", kept))
    recover_list = admin_client.get(f"{MUSCLES}recover/")
    assert "Erector Spinae" in recover_list.content.decode()
    [deleted] = Version.objects.get_deleted(Muscle)
    assert deleted.revision.comment.startswith("Before merging the muscle “Erector Spinae”")
    page = admin_client.get(f"{MUSCLES}recover/{deleted.pk}/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    response = admin_client.post(f"{MUSCLES}recover/{deleted.pk}/", data)
    assert response.status_code == 302
    restored = Muscle.objects.get(slug="erector-spinae")
    assert restored.pk == stray.pk
    targets = dict(Exercise.objects.values_list("name", "target_muscle__slug"))
    assert targets["Back Extension"] == targets["Superman"] == "erector-spinae"
    assert secondary_slugs() == before
    # Its hub is live again instead of redirecting.
    assert client.get("/exercises/muscle/erector-spinae").status_code == 200

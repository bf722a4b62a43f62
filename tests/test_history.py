"""The history of exercises and the taxonomy: what records a revision, and what it holds."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from factories import make_exercise
from reversion.models import Revision, Version
from test_admin_reliability import change_url, open_form

from exercises.models import BodyPart, Equipment, Exercise, ExerciseAlias, Muscle, Step
from exercises.recording import record_exercises

EXERCISES = reverse("admin:exercises_exercise_changelist")


def revisions_of(obj):
    """The object's revisions, oldest first, as (user name or None, comment)."""
    versions = Version.objects.get_for_object(obj).select_related("revision__user")
    return [
        (v.revision.user.username if v.revision.user else None, v.revision.comment)
        for v in versions.order_by("pk")
    ]


def held(revision, model):
    """The fields of the rows of `model` a revision holds, in the rows' order."""
    rows = [
        json.loads(v.serialized_data)[0]["fields"]
        for v in revision.version_set.all()
        if v.content_type.model_class() is model
    ]
    return sorted(rows, key=lambda row: row.get("position", 0))


def latest_revision(obj):
    return Version.objects.get_for_object(obj).order_by("-pk").first().revision


def test_a_save_in_the_admin_records_the_exercise_with_its_rows(tess, spine_stretch):
    data = open_form(tess, spine_stretch)
    data["steps-0-text"] = "Sit tall with your legs straight."
    assert tess.post(change_url(spine_stretch), data).status_code == 302
    user, comment = revisions_of(spine_stretch)[-1]
    assert user == "tess"
    assert "Changed Text for how-to step" in comment
    revision = latest_revision(spine_stretch)
    steps = held(revision, Step)
    assert steps[0]["text"] == "Sit tall with your legs straight."
    assert [row["position"] for row in steps] == list(range(1, len(steps) + 1))
    exercise = held(revision, Exercise)[0]
    assert exercise["version"] == 2
    assert "search_document" not in exercise
    models = {v.content_type.model for v in revision.version_set.all()}
    assert {"exercise", "step", "protip", "commonmistake", "faq"} <= models
    assert "exercisesecondarymuscle" in models


def test_an_import_records_one_revision_per_exercise_with_its_rows(spine_stretch):
    # The spine_stretch fixture imports the reference file.
    assert revisions_of(spine_stretch) == [(None, "Imported from a library file")]
    revision = latest_revision(spine_stretch)
    assert [row["text"] for row in held(revision, Step)] == list(
        spine_stretch.steps.values_list("text", flat=True)
    )
    assert revision.version_set.filter(content_type__model="exercise").count() == 1


def test_an_import_with_update_records_the_new_rows(spine_stretch, tmp_path):
    call_command("export_exercises", tmp_path / "library.json", verbosity=0)
    library = json.loads((tmp_path / "library.json").read_text())
    library["exercises"][0]["steps"] = ["Sit tall.", "Reach forward.", "Come back up."]
    (tmp_path / "library.json").write_text(json.dumps(library))
    call_command("import_exercises", tmp_path / "library.json", "--update", verbosity=0)
    assert revisions_of(spine_stretch)[-1][1] == "Updated from a library file (import --update)"
    revision = latest_revision(spine_stretch)
    assert [row["text"] for row in held(revision, Step)] == [
        "Sit tall.",
        "Reach forward.",
        "Come back up.",
    ]


def test_the_taxonomy_import_records_a_revision_per_value(taxonomy):
    back = BodyPart.objects.get(slug="back")
    assert revisions_of(back) == [(None, "Imported from a library file")]
    assert latest_revision(back).version_set.count() == 1


def test_publishing_from_the_list_records_a_revision_per_exercise(tess, taxonomy):
    drafts = [
        make_exercise(
            f"Draft {number}",
            status=Exercise.Status.DRAFT,
            quick_answer="A full answer.",
            steps=["One.", "Two.", "Three."],
        )
        for number in range(2)
    ]
    before = Revision.objects.count()
    response = tess.post(
        EXERCISES,
        {"action": "publish", "_selected_action": [e.pk for e in drafts]},
    )
    assert response.status_code == 302
    # Made outside the admin, they had no version: each gets the one before the change too.
    assert Revision.objects.count() == before + 4
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.is_published
        assert revisions_of(draft) == [
            (None, "As it was before its history was kept"),
            ("tess", "Status changed to published (action)"),
        ]
        revision = latest_revision(draft)
        assert held(revision, Exercise)[0]["status"] == "published"
        assert held(revision, Exercise)[0]["version"] == draft.version
        assert [row["text"] for row in held(revision, Step)] == ["One.", "Two.", "Three."]


def test_bulk_recording_stores_what_django_reversion_would(spine_stretch):
    """record_exercises() writes versions in bulk; reading them back must give the rows as
    django-reversion's own add_to_revision() would have stored them."""
    import reversion

    with reversion.create_revision():
        reversion.add_to_revision(spine_stretch)
    own = latest_revision(spine_stretch)
    record_exercises([spine_stretch.pk], "bulk")
    bulk = latest_revision(spine_stretch)
    assert bulk.pk != own.pk

    def contents(revision):
        return sorted(
            (v.content_type_id, v.object_id, v.serialized_data, v.object_repr)
            for v in revision.version_set.all()
        )

    assert contents(bulk) == contents(own)


def test_record_exercises_reads_the_rows_in_a_few_queries(library, django_assert_max_num_queries):
    pks = list(Exercise.objects.values_list("pk", flat=True))
    # The exercises, each of their row lists, the muscles of the links, two bulk inserts.
    with django_assert_max_num_queries(14):
        record_exercises(pks, "bulk")
    assert Revision.objects.filter(comment="bulk").count() == len(pks)


def test_a_taxonomy_edit_is_recorded_and_listed_in_its_history(admin_client, taxonomy):
    muscle = Muscle.objects.get(slug="lower-back")
    url = reverse("admin:exercises_muscle_change", args=[muscle.pk])
    data = {
        "name": "Lower Back",
        "slug": "lower-back",
        "body_part": muscle.body_part_id,
        "map_region": muscle.map_region,
        "intro": "The muscles along the spine.",
    }
    assert admin_client.post(url, data).status_code == 302
    assert revisions_of(muscle)[-1] == ("admin", "Changed Intro.")
    history = admin_client.get(reverse("admin:exercises_muscle_history", args=[muscle.pk]))
    assert history.status_code == 200
    assert "Changed Intro." in history.content.decode()


def test_reordering_body_parts_in_the_list_records_a_revision_per_row(admin_client, taxonomy):
    parts = list(BodyPart.objects.order_by("position")[:2])
    listing = reverse("admin:exercises_bodypart_changelist")
    count = BodyPart.objects.count()
    data = {
        "form-TOTAL_FORMS": str(count),
        "form-INITIAL_FORMS": str(count),
        "_save": "Save",
    }
    for index, part in enumerate(BodyPart.objects.all()):
        position = part.position
        if part == parts[0]:
            position = parts[1].position
        elif part == parts[1]:
            position = parts[0].position
        data |= {f"form-{index}-id": str(part.pk), f"form-{index}-position": str(position)}
    response = admin_client.post(listing, data)
    assert response.status_code == 302, response.context["cl"].formset.errors
    for part in parts:
        assert revisions_of(part)[-1] == ("admin", "Changed Position in the list.")
        assert latest_revision(part).version_set.count() == 1


@pytest.fixture
def tess(db, client):
    from test_admin_reliability import make_trainer

    client.force_login(make_trainer("tess"))
    return client


def test_seeding_aliases_records_each_exercise_with_them(taxonomy):
    chin_up = make_exercise("Chin-Up", muscle="lats")
    call_command("seed_aliases", settings.BASE_DIR / "fixtures" / "starter-aliases.json")
    assert revisions_of(chin_up) == [(None, "Aliases added (seed_aliases)")]
    aliases = held(latest_revision(chin_up), ExerciseAlias)
    assert [row["name"] for row in aliases] == ["Chinup", "Chin Up"]


def test_a_taxonomy_value_is_reverted_from_its_history(admin_client, taxonomy, client):
    equipment = Equipment.objects.get(slug="barbell")
    url = reverse("admin:exercises_equipment_change", args=[equipment.pk])
    data = {"name": "Barbell", "slug": "barbell", "intro": "Changed intro."}
    assert admin_client.post(url, data).status_code == 302
    first = Version.objects.get_for_object(equipment).order_by("pk").first()
    revision_url = reverse("admin:exercises_equipment_revision", args=[equipment.pk, first.pk])
    form = admin_client.get(revision_url)
    assert form.status_code == 200
    assert "Changed intro." not in form.content.decode()  # the form shows the old version
    old_intro = json.loads(first.serialized_data)[0]["fields"]["intro"]
    response = admin_client.post(revision_url, data | {"intro": old_intro})
    assert response.status_code == 302
    equipment.refresh_from_db()
    assert equipment.intro == old_intro
    assert revisions_of(equipment)[-1][1].startswith("Reverted to previous version")


def test_the_exercise_list_keeps_its_own_template_and_the_recover_link(admin_client, library):
    response = admin_client.get(EXERCISES)
    names = [template.name for template in response.templates]
    assert names[:2] == ["admin/exercises/exercise/change_list.html", "reversion/change_list.html"]
    page = response.content.decode()
    assert 'id="nav-sidebar"' not in page  # the list's own template leaves the sidebar out
    assert reverse("admin:exercises_exercise_recoverlist") in page

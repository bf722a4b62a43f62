"""The trainers' admin: listing, editing ordered content, publishing, permissions."""

from functools import partial
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import PUBLISHABLE, make_exercise

from exercises.models import (
    BodyPart,
    Category,
    Difficulty,
    Equipment,
    Exercise,
    ExerciseSlug,
    Muscle,
)

INLINE_PREFIXES = [
    "aliases",
    "secondary_muscle_links",
    "steps",
    "pro_tips",
    "common_mistakes",
    "faqs",
]
EXERCISES = "/admin/exercises/exercise/"
MEDIA_PREFIX = "media"  # the images and videos inline (tests/test_media.py)
TEXT_CREDIT_PREFIX = "text_credit"
SUBSTITUTES_PREFIX = "substitute_choices"  # pinned and excluded substitutes (test_substitutes.py)


@pytest.fixture
def facets(no_taxonomy):
    """A small taxonomy, enough to classify exercises two ways."""
    back = BodyPart.objects.create(name="Back", slug="back", position=2)
    legs = BodyPart.objects.create(name="Legs", slug="legs", position=6)
    return SimpleNamespace(
        back=back,
        legs=legs,
        lower_back=Muscle.objects.create(name="Lower Back", slug="lower-back", body_part=back),
        hamstrings=Muscle.objects.create(name="Hamstrings", slug="hamstrings", body_part=legs),
        glutes=Muscle.objects.create(name="Glutes", slug="glutes", body_part=legs),
        bodyweight=Equipment.objects.create(name="Body Weight", slug="bodyweight"),
        barbell=Equipment.objects.create(name="Barbell", slug="barbell"),
        beginner=Difficulty.objects.create(name="Beginner", slug="beginner", position=1),
        advanced=Difficulty.objects.create(name="Advanced", slug="advanced", position=3),
        mobility=Category.objects.create(name="Mobility", slug="mobility"),
        strength=Category.objects.create(name="Strength", slug="strength"),
        unused=Equipment.objects.create(name="Sled", slug="sled"),
    )


# The admin tests' exercise: a draft, classified in the `facets` taxonomy.
make_exercise = partial(make_exercise, category="mobility", status=Exercise.Status.DRAFT)


def rows(prefix, entries, initial=0):
    """A formset's POST data: the management form plus one form per entry."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(entries)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, entry in enumerate(entries):
        for key, value in entry.items():
            data[f"{prefix}-{index}-{key}"] = str(value)
    return data


def exercise_post(facets, **fields):
    """The change form's POST data for an exercise with no inline rows; override as needed.
    It carries version 1, which a change form loads for an exercise saved once."""
    data = {
        "loaded_version": "1",
        "name": "Spine Stretch",
        "grammatical_number": "auto",
        "slug": "spine-stretch",
        "status": "draft",
        "quick_answer": "A seated stretch for the spine.",
        "body_part": facets.back.pk,
        "target_muscle": facets.lower_back.pk,
        "equipment": facets.bodyweight.pk,
        "difficulty": facets.beginner.pk,
        "category": facets.mobility.pk,
    }
    for prefix in [*INLINE_PREFIXES, MEDIA_PREFIX, TEXT_CREDIT_PREFIX, SUBSTITUTES_PREFIX]:
        data |= rows(prefix, [])
    return data | fields


def change_url(obj):
    return reverse(f"admin:exercises_{obj._meta.model_name}_change", args=[obj.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def trainer(db, client):
    user = User.objects.create_user("tess", password="unused-Passw0rd!", is_staff=True)
    user.groups.add(Group.objects.get(name="Trainers"))
    client.force_login(user)
    return user


# The exercise list


def test_changelist_shows_columns_and_a_filter_per_facet(admin_client, facets):
    make_exercise("Spine Stretch")
    response = admin_client.get(EXERCISES)
    assert response.status_code == 200
    content = response.content.decode()
    for title in ["status", "body part", "target muscle", "equipment", "difficulty", "category"]:
        assert f"By {title}" in content
    for column in ["name", "body_part", "target_muscle", "equipment", "difficulty", "status"]:
        assert f"column-{column}" in content
    assert "column-completeness" in content
    assert "column-last_updated" in content


def test_changelist_query_count_does_not_grow_with_exercises(admin_client, facets):
    def queries_for_changelist():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(EXERCISES).status_code == 200
        return len(queries)

    for number in range(5):
        make_exercise(f"Stretch {number}", muscle=facets.hamstrings)
    with_five = queries_for_changelist()
    for number in range(5, 50):
        make_exercise(f"Stretch {number}", equipment=facets.barbell)
    assert queries_for_changelist() == with_five


def test_search_finds_by_name_and_slug(admin_client, facets):
    make_exercise("Spine Stretch")
    make_exercise("Good Morning", slug="hip-hinge-good-morning")
    found = admin_client.get(EXERCISES, {"q": "spine"}).context["cl"].result_list
    assert [e.name for e in found] == ["Spine Stretch"]
    found = admin_client.get(EXERCISES, {"q": "hip-hinge"}).context["cl"].result_list
    assert [e.name for e in found] == ["Good Morning"]


def test_filter_by_facet(admin_client, facets):
    make_exercise("Spine Stretch")
    make_exercise("Deadlift", equipment=facets.barbell, category=facets.strength)
    found = admin_client.get(EXERCISES, {"equipment__id__exact": facets.barbell.pk})
    assert [e.name for e in found.context["cl"].result_list] == ["Deadlift"]


# Publishing


def test_publish_action_publishes_the_selection_and_says_how_many(admin_client, facets):
    drafts = [make_exercise(f"Stretch {n}", **PUBLISHABLE) for n in range(3)]
    already = make_exercise("Deadlift", status="published")
    before = {e.pk: e.updated for e in drafts}
    selected = [drafts[0].pk, drafts[1].pk, already.pk]
    response = admin_client.post(
        EXERCISES, {"action": "publish", "_selected_action": selected, "index": 0}, follow=True
    )
    assert "2 exercises are now published." in messages_of(response)
    statuses = dict(Exercise.objects.values_list("name", "status"))
    assert statuses == {
        "Stretch 0": "published",
        "Stretch 1": "published",
        "Stretch 2": "draft",
        "Deadlift": "published",
    }
    for exercise in Exercise.objects.filter(pk__in=[drafts[0].pk, drafts[1].pk]):
        assert exercise.updated > before[exercise.pk]
    assert LogEntry.objects.filter(object_id=str(drafts[0].pk)).count() == 1


def test_unpublish_action_moves_back_to_draft(admin_client, facets):
    exercise = make_exercise("Spine Stretch", status="published")
    response = admin_client.post(
        EXERCISES, {"action": "unpublish", "_selected_action": [exercise.pk]}, follow=True
    )
    assert "1 exercise is now draft." in messages_of(response)
    exercise.refresh_from_db()
    assert exercise.status == "draft"


def test_publish_when_nothing_changes_says_so(admin_client, facets):
    exercise = make_exercise("Spine Stretch", status="published")
    response = admin_client.post(
        EXERCISES, {"action": "publish", "_selected_action": [exercise.pk]}, follow=True
    )
    assert "Nothing changed: the selection was already published." in messages_of(response)


def test_publish_from_the_change_form(admin_client, facets):
    exercise = make_exercise("Spine Stretch", **PUBLISHABLE)
    url = change_url(exercise)
    assert 'name="CHANGE_FORM-action"' in admin_client.get(url).content.decode()
    response = admin_client.post(
        url, {"CHANGE_FORM-action": "publish", "_selected_action": exercise.pk}, follow=True
    )
    assert "1 exercise is now published." in messages_of(response)
    exercise.refresh_from_db()
    assert exercise.is_published


# The exercise form


def test_add_page_renders_every_inline(admin_client, facets):
    response = admin_client.get(EXERCISES + "add/")
    assert response.status_code == 200
    content = response.content.decode()
    for prefix in INLINE_PREFIXES:
        assert f'id="{prefix}-group"' in content
        assert f'name="{prefix}-0-position"' in content
    assert "prepopulate" in content  # the slug follows the name as it is typed


def test_change_page_renders_every_inline_with_its_rows(admin_client, facets):
    exercise = make_exercise("Spine Stretch")
    exercise.steps.create(text="Sit tall.", position=1)
    exercise.faqs.create(question="Why?", answer="Because.", position=1)
    exercise.secondary_muscle_links.create(muscle=facets.hamstrings, position=1)
    content = admin_client.get(change_url(exercise)).content.decode()
    for prefix in INLINE_PREFIXES:
        assert f'id="{prefix}-group"' in content
    assert "Sit tall." in content
    assert "Why?" in content
    assert "exercises/admin.css" in content  # the tables' own small stylesheet


def test_view_on_site_links_to_the_public_page(admin_client, facets):
    exercise = make_exercise("Spine Stretch")
    content = admin_client.get(change_url(exercise)).content.decode()
    assert 'href="/exercise/spine-stretch"' in content


def test_change_page_shows_the_generated_sentence_and_old_addresses(admin_client, facets):
    exercise = make_exercise("Spine Stretch")
    exercise.slug = "seated-spine-stretch"
    exercise.save()
    content = admin_client.get(change_url(exercise)).content.decode()
    assert "Beginner back exercise using body weight. Targets lower back." in content
    assert "<code>/exercise/spine-stretch</code> redirects here." in content


def test_saving_through_the_admin_keeps_the_order_entered(admin_client, facets):
    data = exercise_post(facets)
    data |= rows(
        "steps",
        [
            {"position": 0, "text": "Sit on the floor."},
            {"position": 0, "text": "Reach forward."},
            {"position": 0, "text": "Roll back up."},
        ],
    )
    data |= rows(
        "faqs",
        [
            {"position": 2, "question": "Second?", "answer": "Yes."},
            {"position": 1, "question": "First?", "answer": "Yes."},
        ],
    )
    data |= rows(
        "secondary_muscle_links",
        [
            {"position": 0, "muscle": facets.hamstrings.pk},
            {"position": 0, "muscle": facets.glutes.pk},
        ],
    )
    response = admin_client.post(EXERCISES + "add/", data)
    assert response.status_code == 302, response.context["errors"]
    exercise = Exercise.objects.get(slug="spine-stretch")
    assert [s.text for s in exercise.steps.all()] == [
        "Sit on the floor.",
        "Reach forward.",
        "Roll back up.",
    ]
    assert [s.position for s in exercise.steps.all()] == [1, 2, 3]
    assert [f.question for f in exercise.faqs.all()] == ["First?", "Second?"]
    assert exercise.ordered_secondary_muscles == [facets.hamstrings, facets.glutes]


def test_reordering_and_adding_rows_on_the_change_page(admin_client, facets):
    exercise = make_exercise("Spine Stretch")
    first, second, third = (
        exercise.steps.create(text=text, position=n)
        for n, text in enumerate(["One.", "Two.", "Three."], start=1)
    )
    data = exercise_post(facets) | rows(
        "steps",
        [
            {"id": first.pk, "exercise": exercise.pk, "position": 1, "text": "One."},
            {"id": second.pk, "exercise": exercise.pk, "position": 2, "text": "Two."},
            # Typing 1 moves "Three." before the unchanged row holding 1.
            {"id": third.pk, "exercise": exercise.pk, "position": 1, "text": "Three."},
            {"position": 0, "text": "Four, added at the end."},
            {"position": 2, "text": "Inserted second."},
        ],
        initial=3,
    )
    response = admin_client.post(change_url(exercise), data)
    assert response.status_code == 302, response.context["errors"]
    assert [(s.position, s.text) for s in exercise.steps.all()] == [
        (1, "Three."),
        (2, "One."),
        (3, "Inserted second."),
        (4, "Two."),
        (5, "Four, added at the end."),
    ]


def test_deleting_a_row_closes_the_gap(admin_client, facets):
    exercise = make_exercise("Spine Stretch")
    steps = [exercise.steps.create(text=t, position=n) for n, t in enumerate("ABC", start=1)]
    data = exercise_post(facets) | rows(
        "steps",
        [
            {"id": step.pk, "exercise": exercise.pk, "position": step.position, "text": step.text}
            for step in steps
        ],
        initial=3,
    )
    data["steps-0-DELETE"] = "on"
    assert admin_client.post(change_url(exercise), data).status_code == 302
    assert [(s.position, s.text) for s in exercise.steps.all()] == [(1, "B"), (2, "C")]


def test_target_muscle_cannot_also_be_a_secondary_muscle(admin_client, facets):
    data = exercise_post(facets) | rows(
        "secondary_muscle_links",
        [
            {"position": 0, "muscle": facets.hamstrings.pk},
            {"position": 0, "muscle": facets.lower_back.pk},
        ],
    )
    response = admin_client.post(EXERCISES + "add/", data)
    assert response.status_code == 200
    assert (
        "Lower Back is this exercise&#x27;s target muscle; list only other muscles as "
        "secondary muscles." in response.content.decode()
    )
    assert not Exercise.objects.exists()


def test_a_secondary_muscle_listed_twice_is_refused(admin_client, facets):
    data = exercise_post(facets) | rows(
        "secondary_muscle_links",
        [{"position": 0, "muscle": facets.glutes.pk}, {"position": 0, "muscle": facets.glutes.pk}],
    )
    response = admin_client.post(EXERCISES + "add/", data)
    assert response.status_code == 200
    assert "Please correct the duplicate" in response.content.decode()
    assert not Exercise.objects.exists()


def test_renaming_the_slug_in_the_admin_keeps_the_old_address(admin_client, facets):
    exercise = make_exercise("Spine Stretch")
    data = exercise_post(facets, slug="seated-spine-stretch")
    assert admin_client.post(change_url(exercise), data).status_code == 302
    assert ExerciseSlug.objects.get(slug="spine-stretch").exercise == exercise


def test_the_admin_stores_and_shows_a_name_normalised(admin_client, facets):
    data = exercise_post(facets, name="  Cafe\u0301\u00a0 Curl ", slug="cafe-curl")
    del data["loaded_version"]  # a new exercise has no version yet
    response = admin_client.post(f"{EXERCISES}add/", data | {"_continue": "1"})

    assert response.status_code == 302
    exercise = Exercise.objects.get(slug="cafe-curl")
    assert exercise.name == "Caf\u00e9 Curl"
    form = admin_client.get(response["Location"]).context["adminform"].form
    assert form["name"].value() == "Caf\u00e9 Curl"


def test_the_admin_refuses_a_look_alike_name(admin_client, facets):
    existing = make_exercise("Caf\u00e9 Curl")
    data = exercise_post(facets, name="Cafe\u0301  Curl", slug="cafe-curl-2")
    del data["loaded_version"]

    response = admin_client.post(f"{EXERCISES}add/", data)

    assert response.status_code == 200
    # The near-duplicate check (tests/test_duplicates.py) names the exercise, with a link.
    [error] = response.context["adminform"].form.errors["name"]
    assert error.startswith(f'<a href="{change_url(existing)}">Caf\u00e9 Curl</a> already has')
    assert Exercise.objects.count() == 1


# Taxonomy


def test_taxonomy_changelists_show_exercise_counts(admin_client, facets):
    make_exercise("Spine Stretch")
    make_exercise("Deadlift", body_part=facets.legs, equipment=facets.barbell)
    make_exercise("Superman")
    response = admin_client.get("/admin/exercises/bodypart/", {"o": "-4"})
    assert response.status_code == 200
    counts = [(b.name, b.exercise_total) for b in response.context["cl"].result_list]
    assert counts == [("Back", 2), ("Legs", 1)]
    assert '<td class="field-exercise_count">2</td>' in response.content.decode()
    for model in ["muscle", "equipment", "category", "difficulty"]:
        response = admin_client.get(f"/admin/exercises/{model}/")
        assert response.status_code == 200
        assert "column-exercise_count" in response.content.decode()


def test_muscle_changelist_counts_targets_and_secondary_uses(admin_client, facets):
    exercise = make_exercise("Spine Stretch")
    exercise.secondary_muscle_links.create(muscle=facets.hamstrings)
    make_exercise("Leg Curl", muscle=facets.hamstrings)
    response = admin_client.get("/admin/exercises/muscle/")
    counts = {
        m.name: (m.exercise_total, m.secondary_total) for m in response.context["cl"].result_list
    }
    assert counts == {"Glutes": (0, 0), "Hamstrings": (1, 1), "Lower Back": (1, 0)}


def test_taxonomy_search_answers_the_autocomplete(admin_client, facets):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "ham",
            "app_label": "exercises",
            "model_name": "exercise",
            "field_name": "target_muscle",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Hamstrings"]


def test_deleting_taxonomy_in_use_is_refused(admin_client, facets):
    make_exercise("Spine Stretch")
    url = reverse("admin:exercises_bodypart_delete", args=[facets.back.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Cannot delete body part" in response.content.decode()
    assert "Spine Stretch" in response.content.decode()
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert BodyPart.objects.filter(pk=facets.back.pk).exists()


def test_bulk_deleting_taxonomy_in_use_is_refused(admin_client, facets):
    make_exercise("Spine Stretch")
    selected = [facets.bodyweight.pk, facets.unused.pk]
    response = admin_client.post(
        "/admin/exercises/equipment/",
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )
    assert response.status_code == 200
    assert "Cannot delete equipment" in response.content.decode()
    assert Equipment.objects.filter(pk__in=selected).count() == 2


def test_deleting_a_muscle_used_as_secondary_is_refused(admin_client, facets):
    exercise = make_exercise("Spine Stretch")
    exercise.secondary_muscle_links.create(muscle=facets.glutes)
    url = reverse("admin:exercises_muscle_delete", args=[facets.glutes.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cannot delete muscle" in content
    assert (
        f'Secondary muscle: Glutes in <a href="{change_url(exercise)}">Spine Stretch</a>' in content
    )
    assert Muscle.objects.filter(pk=facets.glutes.pk).exists()
    response = admin_client.post(
        "/admin/exercises/muscle/",
        {"action": "delete_selected", "_selected_action": [facets.glutes.pk, facets.lower_back.pk]},
    )
    assert "Cannot delete muscles" in response.content.decode()
    assert ">Spine Stretch</a>" in response.content.decode()


def test_unused_taxonomy_can_be_deleted(admin_client, facets):
    url = reverse("admin:exercises_equipment_delete", args=[facets.unused.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Equipment.objects.filter(pk=facets.unused.pk).exists()


@pytest.mark.parametrize(
    ("model", "slug", "message"),
    [
        ("bodypart", "beginner", "“beginner” is already the address of the difficulty “Beginner”"),
        ("bodypart", "equipment", "“equipment” is reserved for the equipment hubs"),
        ("difficulty", "legs", "“legs” is already the address of the body part “Legs”"),
        ("difficulty", "muscle", "“muscle” is reserved for the muscle hubs"),
        ("bodypart", "category", "“category” is reserved for the category hubs"),
    ],
)
def test_hub_slug_clashes_are_refused(admin_client, facets, model, slug, message):
    obj = facets.back if model == "bodypart" else facets.advanced
    data = {"name": obj.name, "slug": slug, "position": obj.position, "intro": ""}
    response = admin_client.post(change_url(obj), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    obj.refresh_from_db()
    assert obj.slug != slug


# Old addresses


def assert_listed_read_only(admin_client, listing, *shown):
    """An old-addresses listing shows each of ``shown`` and its redirects, and offers neither a
    bulk action nor an add form."""
    content = admin_client.get(listing).content.decode()
    for expected in shown:
        assert expected in content
    assert "301 redirect to" in content
    assert 'name="action"' not in content  # no bulk delete
    assert admin_client.get(f"{listing}add/").status_code == 403


def test_old_addresses_are_listed_read_only(admin_client, facets):
    kept = make_exercise("Spine Stretch")
    kept.slug = "seated-spine-stretch"
    kept.save()
    make_exercise("Superman", status=Exercise.Status.PUBLISHED).delete()  # seen, then gone
    assert_listed_read_only(
        admin_client, "/admin/exercises/exerciseslug/", "/exercise/spine-stretch", "410 Gone"
    )
    gone = admin_client.get("/admin/exercises/exerciseslug/", {"answer": "gone"})
    assert [s.slug for s in gone.context["cl"].result_list] == ["superman"]
    old = ExerciseSlug.objects.get(slug="spine-stretch")
    response = admin_client.post(change_url(old), {"slug": "hijacked"})
    assert response.status_code == 403
    assert admin_client.get(change_url(old)).status_code == 200  # read-only view


def test_old_hub_addresses_are_listed_read_only(admin_client, facets):
    back = BodyPart.objects.get(slug="back")
    back.slug = "back-and-spine"
    back.save()
    assert_listed_read_only(
        admin_client, "/admin/exercises/hubslug/", "/exercises/back<", "/exercises/back-and-spine"
    )


# Trainers


def test_trainers_group_rights(db):
    perms = {
        (p.content_type.app_label, p.codename)
        for p in Group.objects.get(name="Trainers").permissions.select_related("content_type")
    }
    assert {app for app, _ in perms} == {"exercises"}
    codenames = {codename for _, codename in perms}
    edited = ["exercise", "exercisesecondarymuscle", "step", "protip", "commonmistake", "faq"]
    edited += ["exercisemedia", "exercisetextcredit"]  # migration 0013
    edited += ["exercisealias"]  # migration 0017
    for model in edited:
        assert {f"{a}_{model}" for a in ("add", "change", "delete", "view")} <= codenames
    for model in ["bodypart", "muscle", "equipment", "category", "difficulty"]:
        assert {f"{a}_{model}" for a in ("add", "change", "view")} <= codenames
        assert f"delete_{model}" not in codenames
    assert {c for c in codenames if c.endswith("_exerciseslug")} == {"view_exerciseslug"}
    assert {c for c in codenames if c.endswith("_hubslug")} == {"view_hubslug"}
    assert len(codenames) == len(edited) * 4 + 5 * 3 + 2


def test_trainer_opens_and_edits_an_exercise(client, trainer, facets):
    exercise = make_exercise("Spine Stretch")
    response = client.get(change_url(exercise))
    assert response.status_code == 200
    for prefix in INLINE_PREFIXES:
        assert f'id="{prefix}-group"' in response.content.decode()
    data = exercise_post(facets, quick_answer="Edited by a trainer.") | rows(
        "steps", [{"position": 0, "text": "Sit tall."}]
    )
    assert client.post(change_url(exercise), data).status_code == 302
    exercise.refresh_from_db()
    assert exercise.quick_answer == "Edited by a trainer."
    assert [s.text for s in exercise.steps.all()] == ["Sit tall."]


def test_trainer_can_add_taxonomy_but_not_delete_it(client, trainer, facets):
    response = client.post(
        "/admin/exercises/equipment/add/", {"name": "Kettlebell", "slug": "kettlebell"}
    )
    assert response.status_code == 302
    url = reverse("admin:exercises_equipment_delete", args=[facets.unused.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/exercises/equipment/",
        {"action": "delete_selected", "_selected_action": [facets.unused.pk], "post": "yes"},
    )
    assert Equipment.objects.filter(pk=facets.unused.pk).exists()
    assert "delete_selected" not in client.get("/admin/exercises/equipment/").content.decode()


def test_trainer_can_delete_an_exercise(client, trainer, facets):
    exercise = make_exercise("Spine Stretch")
    url = reverse("admin:exercises_exercise_delete", args=[exercise.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Exercise.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/auth/user/{user}/change/",
        "/admin/auth/user/{user}/password/",
        "/admin/auth/user/{user}/delete/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
        "/admin/auth/group/{group}/change/",
        "/admin/auth/group/{group}/delete/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
    ],
)
def test_trainer_cannot_manage_users_or_groups(client, trainer, url):
    url = url.format(user=trainer.pk, group=Group.objects.get(name="Trainers").pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"is_superuser": "on", "name": "Admins"}).status_code == 403


def test_trainer_cannot_raise_their_own_rights(client, trainer):
    url = f"/admin/auth/user/{trainer.pk}/change/"
    data = {"username": "tess", "is_staff": "on", "is_superuser": "on", "is_active": "on"}
    assert client.post(url, data).status_code == 403
    trainer.refresh_from_db()
    assert not trainer.is_superuser
    assert not trainer.user_permissions.exists()
    assert list(trainer.groups.values_list("name", flat=True)) == ["Trainers"]


def test_permissions_have_no_admin_pages(client, trainer, admin_client):
    # Permissions are granted through groups on the user and group pages only.
    assert client.get("/admin/auth/permission/").status_code == 404
    assert admin_client.get("/admin/auth/permission/").status_code == 404


def test_trainer_home_page_lists_only_the_library(client, trainer):
    response = client.get("/admin/")
    apps = [app["app_label"] for app in response.context["app_list"]]
    assert apps == ["exercises"]
    assert "/admin/auth/" not in response.content.decode()


def test_the_admin_menu_names_each_list_in_plain_english(client, trainer):
    response = client.get("/admin/")
    (library,) = response.context["app_list"]
    assert [model["name"] for model in library["models"]] == [
        "Body parts",
        "Categories",
        "Difficulties",
        "Equipment",
        "Exercises",
        "Muscles",
        "Old exercise addresses",
        "Old hub addresses",
    ]


def test_every_field_a_trainer_edits_has_help_text(admin_client, facets):
    """Each model field of each add form, the exercise's inline rows included, explains
    itself (fields a form adds itself, such as uploads, are worded by that form)."""
    missing = []
    for model in (Exercise, BodyPart, Muscle, Equipment, Difficulty, Category):
        response = admin_client.get(reverse(f"admin:exercises_{model._meta.model_name}_add"))
        forms = [response.context["adminform"].form]
        forms += [inline.formset.empty_form for inline in response.context["inline_admin_formsets"]]
        for form in forms:
            model_fields = {field.name for field in form._meta.model._meta.get_fields()}
            for name, field in form.fields.items():
                if name in model_fields - {"id", "exercise"} and not field.help_text:
                    missing.append(f"{form._meta.model.__name__}.{name}")
    assert missing == []


def test_trainer_sees_old_addresses_read_only(client, trainer, facets):
    exercise = make_exercise("Spine Stretch")
    exercise.slug = "seated-spine-stretch"
    exercise.save()
    assert client.get("/admin/exercises/exerciseslug/").status_code == 200
    old = ExerciseSlug.objects.get()
    assert client.post(change_url(old), {"slug": "x"}).status_code == 403


def test_anonymous_visitor_is_sent_to_the_login_page(client, facets):
    exercise = make_exercise("Spine Stretch")
    for url in [EXERCISES, change_url(exercise)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")


# create_trainer


def test_create_trainer_from_an_environment_variable(db, monkeypatch, capsys):
    monkeypatch.setenv("TRAINER_PASSWORD", "correct-horse-battery")
    call_command(
        "create_trainer", "tess", email="tess@example.com", password_from_env="TRAINER_PASSWORD"
    )
    user = User.objects.get(username="tess")
    assert user.is_staff
    assert not user.is_superuser
    assert user.email == "tess@example.com"
    assert user.check_password("correct-horse-battery")
    assert list(user.groups.values_list("name", flat=True)) == ["Trainers"]
    assert user.has_perm("exercises.change_exercise")
    assert not user.has_perm("exercises.delete_bodypart")
    assert "Trainer “tess” created" in capsys.readouterr().out


def test_create_trainer_asks_for_the_password_twice(db, monkeypatch):
    # Too short, then a typo in the repeat, then right.
    pairs = [("short", "short"), ("one-horse-battery", "typo")]
    pairs += [("correct-horse-battery", "correct-horse-battery")]
    answers = iter(answer for pair in pairs for answer in pair)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.setattr("sys.stdin", SimpleNamespace(isatty=lambda: True))
    call_command("create_trainer", "tess")
    assert User.objects.get(username="tess").check_password("correct-horse-battery")


def test_create_trainer_refuses_an_existing_user(db, monkeypatch):
    User.objects.create_user("tess")
    monkeypatch.setenv("TRAINER_PASSWORD", "correct-horse-battery")
    with pytest.raises(CommandError, match="A user named “tess” already exists"):
        call_command("create_trainer", "tess", password_from_env="TRAINER_PASSWORD")


def test_create_trainer_needs_the_group(db, monkeypatch):
    Group.objects.filter(name="Trainers").delete()
    monkeypatch.setenv("TRAINER_PASSWORD", "correct-horse-battery")
    with pytest.raises(CommandError, match="The Trainers group does not exist"):
        call_command("create_trainer", "tess", password_from_env="TRAINER_PASSWORD")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "TRAINER_PASSWORD is not set or is empty"), ("tess", "Password refused")],
)
def test_create_trainer_refuses_a_missing_or_weak_password(db, monkeypatch, value, message):
    monkeypatch.setenv("TRAINER_PASSWORD", value)
    with pytest.raises(CommandError, match=message):
        call_command("create_trainer", "tess", password_from_env="TRAINER_PASSWORD")
    assert not User.objects.exists()


def test_create_trainer_without_a_terminal_points_to_the_env_option(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", SimpleNamespace(isatty=lambda: False))
    with pytest.raises(CommandError, match="--password-from-env"):
        call_command("create_trainer", "tess")


def test_the_migration_creates_the_permissions_it_needs(db):
    """On a fresh database post_migrate has not run yet: the migration must not rely on it."""
    migration = import_module("exercises.migrations.0002_trainers_group")
    apps = MigrationLoader(connection).project_state(("exercises", "0002_trainers_group")).apps
    Group.objects.filter(name="Trainers").delete()
    ContentType.objects.filter(app_label="exercises").delete()  # and their permissions
    try:
        migration.create_trainers_group(apps, SimpleNamespace(connection=connection))
    finally:
        ContentType.objects.clear_cache()  # the ids cached here vanish with the rollback
    group = Group.objects.get(name="Trainers")
    assert group.permissions.count() == 6 * 4 + 5 * 3 + 1
    assert group.permissions.filter(codename="view_exerciseslug").exists()


# The real reference exercise


def stored_fields(exercise):
    """The change form's own fields (no inline rows) for the exercise exactly as stored."""
    return {
        "loaded_version": str(exercise.version),
        "name": exercise.name,
        "slug": exercise.slug,
        "status": exercise.status,
        "quick_answer": exercise.quick_answer,
        "body_part": exercise.body_part_id,
        "target_muscle": exercise.target_muscle_id,
        "equipment": exercise.equipment_id,
        "difficulty": exercise.difficulty_id,
        "category": exercise.category_id,
    }


def existing_rows(exercise):
    """The change form's POST data for the exercise exactly as stored."""
    data = stored_fields(exercise)
    inlines = {
        "aliases": ["name"],
        "secondary_muscle_links": ["muscle"],
        "steps": ["text"],
        "pro_tips": ["text"],
        "common_mistakes": ["text"],
        "faqs": ["question", "answer"],
    }
    for prefix, fields in inlines.items():
        entries = [
            {"id": row.pk, "exercise": exercise.pk, "position": row.position}
            | {field: getattr(row, field if field != "muscle" else "muscle_id") for field in fields}
            for row in getattr(exercise, prefix).all()
        ]
        data |= rows(prefix, entries, initial=len(entries))
    return (
        data | rows(MEDIA_PREFIX, []) | rows(TEXT_CREDIT_PREFIX, []) | rows(SUBSTITUTES_PREFIX, [])
    )


def test_the_spine_stretch_survives_a_save_through_the_admin(admin_client, spine_stretch):
    def content(exercise):
        exercise = Exercise.objects.for_detail().get(pk=exercise.pk)
        return (
            exercise.full_quick_answer,
            [m.slug for m in exercise.ordered_secondary_muscles],
            [s.text for s in exercise.steps.all()],
            [t.text for t in exercise.pro_tips.all()],
            [m.text for m in exercise.common_mistakes.all()],
            exercise.all_faqs(),
        )

    before = content(spine_stretch)
    response = admin_client.get(change_url(spine_stretch))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/exercise/spine-stretch"' in page
    assert "Targets lower back, also works hamstrings, glutes." in page
    response = admin_client.post(change_url(spine_stretch), existing_rows(spine_stretch))
    assert response.status_code == 302, response.context["errors"]
    assert content(spine_stretch) == before


def test_control_characters_are_refused_in_every_text_field(admin_client, facets):
    data = exercise_post(facets, name="Spine\x07Stretch", quick_answer="Sit tall.\x1b[31m")
    data |= rows("steps", [{"position": 0, "text": "Sit on the floor.\x08"}])
    data |= rows("faqs", [{"position": 0, "question": "Wh\x85y?", "answer": "Because.\x7f"}])
    response = admin_client.post(EXERCISES + "add/", data)
    assert response.status_code == 200
    page = response.content.decode()
    for code in ("0007", "001B", "0008", "0085", "007F"):
        assert f"Remove the invisible control character U+{code}" in page
    assert not Exercise.objects.exists()


def test_line_breaks_and_tabs_are_kept(admin_client, facets):
    data = exercise_post(facets, quick_answer="Sit tall.\r\nBreathe out.\tSlowly.")
    response = admin_client.post(EXERCISES + "add/", data)
    assert response.status_code == 302
    assert Exercise.objects.get().quick_answer == "Sit tall.\r\nBreathe out.\tSlowly."


def test_long_texts_are_refused_with_their_limit(admin_client, facets):
    data = exercise_post(facets, quick_answer="q" * 1001)
    data |= rows("pro_tips", [{"position": 0, "text": "t" * 1001}])
    data |= rows("faqs", [{"position": 0, "question": "Why?", "answer": "a" * 2001}])
    response = admin_client.post(EXERCISES + "add/", data)
    page = response.content.decode()
    assert "Ensure this value has at most 1000 characters (it has 1001)." in page
    assert "Ensure this value has at most 2000 characters (it has 2001)." in page
    assert 'maxlength="1000"' in page  # the browser stops typing at the limit too
    assert not Exercise.objects.exists()


def test_taxonomy_intro_is_bounded_and_plain(admin_client, facets):
    url = reverse("admin:exercises_equipment_add")
    response = admin_client.post(url, {"name": "Rope", "slug": "rope", "intro": "i" * 1001})
    assert "Ensure this value has at most 1000 characters" in response.content.decode()
    response = admin_client.post(url, {"name": "Rope\x00", "slug": "rope", "intro": ""})
    assert response.status_code == 200
    assert not Equipment.objects.filter(slug="rope").exists()

"""Every admin of the project answers a tampered request (a selection that is not ids, a
malformed list query string, a NUL byte) with a message or a 4xx, never a 500, and changes
nothing. Runs on SQLite and on PostgreSQL, which refuses NUL bytes in text."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from exercises.models import BodyPart, Exercise

PROJECT_APPS = {"exercises"}
# The admins this project registers (Django's own and django-axes' are theirs to answer for).
PROJECT_ADMINS = sorted(
    (
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    ),
    key=lambda model_admin: model_admin.opts.label,
)
ADMIN_IDS = [model_admin.opts.label for model_admin in PROJECT_ADMINS]

TAMPERED_SELECTIONS = ["abc", "1;DROP", "", "\x00", "99999999999999999999", "-1.5"]
TAMPERED_QUERIES = [
    {"o": "abc"},
    {"o": "99.-x.\x00"},
    {"o": "99999999999999999999"},
    {"p": "abc"},
    {"p": "99999999999999999999"},
    {"p": "-1"},
    {"q": "\x00"},
    {"q": "back\x00stretch"},
    {"q": "\x00", "o": "1", "p": "2"},
]


@pytest.fixture
def rows(library):
    """Rows in every project table: the library, plus an old exercise and hub address."""
    exercise = Exercise.objects.order_by("pk").first()
    exercise.slug = f"{exercise.slug}-renamed"
    exercise.save()
    body_part = BodyPart.objects.order_by("pk").first()
    body_part.slug = f"{body_part.slug}-renamed"
    body_part.save()
    for model_admin in PROJECT_ADMINS:
        assert model_admin.model.objects.exists(), model_admin.opts.label


def snapshot(model):
    return list(model.objects.order_by("pk").values()), LogEntry.objects.count()


def changelist_url(model_admin):
    return reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")


def offered_actions(model_admin, user):
    request = RequestFactory().get("/")
    request.user = user
    return list(model_admin.get_actions(request))


@pytest.mark.parametrize("model_admin", PROJECT_ADMINS, ids=ADMIN_IDS)
@pytest.mark.parametrize("selected", TAMPERED_SELECTIONS)
def test_a_tampered_selection_changes_nothing(admin_client, rows, model_admin, selected):
    model = model_admin.model
    user = User.objects.get(username="admin")
    first = model.objects.order_by("pk").first()
    before = snapshot(model)
    offered = offered_actions(model_admin, user)
    # On an admin without actions a forged form may still name one: Django's delete.
    for action in offered or ["delete_selected"]:
        # The valid id next to the tampered one: the action must not run on it either.
        data = {
            "action": action,
            "index": 0,
            "_selected_action": [str(first.pk), selected],
            "post": "yes",  # the delete action's confirmation
            "merge_step": "confirm",
            "target": str(first.pk),
        }
        response = admin_client.post(changelist_url(model_admin), data, follow=True)
        assert response.status_code < 500, (action, response.status_code)
        if offered:
            assert response.status_code == 200
            assert "The selection was not understood" in response.content.decode(), action
    assert snapshot(model) == before


@pytest.mark.parametrize("model_admin", PROJECT_ADMINS, ids=ADMIN_IDS)
@pytest.mark.parametrize("query", TAMPERED_QUERIES, ids=repr)
def test_a_malformed_query_string_is_no_server_error(admin_client, rows, model_admin, query):
    url = changelist_url(model_admin)
    response = admin_client.get(url, query, follow=True)
    assert response.status_code < 500
    if response.status_code == 200:
        assert "<h1>" in response.content.decode()
    add = admin_client.get(f"{url}add/", query, follow=True)
    assert add.status_code < 500


@pytest.mark.parametrize("model_admin", PROJECT_ADMINS, ids=ADMIN_IDS)
@pytest.mark.parametrize("selected", TAMPERED_SELECTIONS)
def test_a_tampered_change_form_action_is_a_bad_request(admin_client, rows, model_admin, selected):
    """The change form's actions (Publish, Unpublish) act on the form's own object only."""
    model = model_admin.model
    user = User.objects.get(username="admin")
    obj = model.objects.order_by("pk").first()
    opts = model_admin.opts
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    on_form = 'name="CHANGE_FORM-action"' in admin_client.get(url).content.decode()
    before = snapshot(model)
    for action in offered_actions(model_admin, user) or ["delete_selected"]:
        data = {"CHANGE_FORM-action": action, "_selected_action": [selected]}
        status = admin_client.post(url, data).status_code
        # Without actions on the form, the post is a save that the form refuses.
        assert status == 400 if on_form else status < 500, (action, status)
    assert snapshot(model) == before

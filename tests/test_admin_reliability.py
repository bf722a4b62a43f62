"""No lost work and no way in by guessing: optimistic locking on the exercise form, the edit
history, and admin login throttling (django-axes)."""

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db.models import F
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from factories import html

from exercises.admin import ExerciseAdmin
from exercises.models import Exercise

PASSWORD = "correct-horse-battery"
LOGIN = "/admin/login/"
SPINE_STRETCH_ANSWER = (
    "The spine stretch is a bodyweight exercise that focuses on stretching and mobilizing the "
    "spine. It also provides a gentle stretch to the hamstrings and glutes. This movement is "
    "performed seated and emphasizes spinal flexibility and posture."
)


class FormData(HTMLParser):
    """What a browser would send back from the exercise change form, unchanged."""

    def __init__(self):
        super().__init__()
        self.data, self.in_form, self.textarea, self.select = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == "exercise_form"
        if tag == "option" and "selected" in attrs and self.select:
            self.data[self.select] = attrs.get("value", "")
        name = attrs.get("name")
        if not self.in_form or not name or name.startswith("CHANGE_FORM-"):
            return  # the action menu at the top is a separate way to submit
        if tag == "input" and attrs.get("type") not in ("submit", "checkbox", "radio"):
            self.data[name] = attrs.get("value", "")
        elif tag == "input" and "checked" in attrs:
            self.data[name] = attrs.get("value", "on")
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = ""
        elif tag == "select":
            self.select = name

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            # A browser drops the newline that follows <textarea>.
            self.data[self.textarea] = self.data[self.textarea].removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.in_form = False


def open_form(client, exercise=None):
    """Load the exercise's change page (or the add page); return the form's data as the
    browser holds it."""
    url = change_url(exercise) if exercise else reverse("admin:exercises_exercise_add")
    response = client.get(url)
    assert response.status_code == 200
    parser = FormData()
    parser.feed(response.content.decode())
    return parser.data | {"_save": "Save"}


def change_url(exercise):
    return reverse("admin:exercises_exercise_change", args=[exercise.pk])


def history_url(exercise):
    return reverse("admin:exercises_exercise_history", args=[exercise.pk])


def make_trainer(username):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


@pytest.fixture
def tess(db):
    client = Client()
    client.force_login(make_trainer("tess"))
    return client


@pytest.fixture
def theo(db):
    client = Client()
    client.force_login(make_trainer("theo"))
    return client


def steps(exercise):
    return list(exercise.steps.values_list("text", flat=True))


def assert_refused(response):
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this exercise at" in page
    assert "Your changes below are not saved" in page
    assert f'href="{history_url(response.context["original"])}"' in page
    return page


# Optimistic locking: two trainers, one exercise


def test_the_form_carries_the_version_it_was_opened_with(tess, spine_stretch):
    data = open_form(tess, spine_stretch)
    assert data["loaded_version"] == "1"
    assert tess.post(change_url(spine_stretch), data).status_code == 302
    spine_stretch.refresh_from_db()
    assert spine_stretch.version == 2
    assert open_form(tess, spine_stretch)["loaded_version"] == "2"


def test_the_second_save_of_a_stale_form_is_refused_and_keeps_its_input(tess, theo, spine_stretch):
    tess_form = open_form(tess, spine_stretch)
    theo_form = open_form(theo, spine_stretch)

    tess_form["quick_answer"] = "Tess's quick answer."
    tess_form["steps-0-text"] = "Tess's first step."
    assert tess.post(change_url(spine_stretch), tess_form).status_code == 302

    theo_form["quick_answer"] = "Theo's quick answer."
    theo_form["steps-1-text"] = "Theo's second step."
    theo_form |= {
        "steps-TOTAL_FORMS": "7",
        "steps-6-position": "0",
        "steps-6-text": "Theo's new last step.",
    }
    response = theo.post(change_url(spine_stretch), theo_form)

    page = assert_refused(response)
    # Theo's input, main fields and rows alike, is still in the form to copy from.
    assert "Theo&#x27;s quick answer." in page
    assert "Theo&#x27;s second step." in page
    assert "Theo&#x27;s new last step." in page
    # The database holds Tess's save only.
    spine_stretch.refresh_from_db()
    assert spine_stretch.quick_answer == "Tess's quick answer."
    assert steps(spine_stretch)[:2] == [
        "Tess's first step.",
        "Place your hands on the ground behind you, fingers pointing towards your body.",
    ]
    assert len(steps(spine_stretch)) == 6
    assert spine_stretch.version == 2
    assert list(LogEntry.objects.values_list("user__username", flat=True)) == ["tess"]


def test_a_change_made_only_to_the_rows_counts_too(tess, theo, spine_stretch):
    tess_form = open_form(tess, spine_stretch)
    theo_form = open_form(theo, spine_stretch)
    tess_form["faqs-0-answer"] = "Tess rewrote only this answer."
    assert tess.post(change_url(spine_stretch), tess_form).status_code == 302

    theo_form["name"] = "Seated Spine Stretch"
    assert_refused(theo.post(change_url(spine_stretch), theo_form))
    spine_stretch.refresh_from_db()
    assert spine_stretch.name == "Spine Stretch"
    assert spine_stretch.faqs.first().answer == "Tess rewrote only this answer."


def test_after_reloading_the_second_trainer_can_save(tess, theo, spine_stretch):
    theo_form = open_form(theo, spine_stretch)
    assert tess.post(change_url(spine_stretch), open_form(tess, spine_stretch)).status_code == 302
    assert_refused(theo.post(change_url(spine_stretch), theo_form))
    # Re-posting the refused form is refused again: it still holds the old version.
    assert_refused(theo.post(change_url(spine_stretch), theo_form))

    theo_form = open_form(theo, spine_stretch)
    theo_form["quick_answer"] = "Theo, after reloading."
    assert theo.post(change_url(spine_stretch), theo_form).status_code == 302
    spine_stretch.refresh_from_db()
    assert spine_stretch.quick_answer == "Theo, after reloading."
    assert spine_stretch.version == 3


def test_one_trainer_saving_again_and_again_is_never_refused(tess, spine_stretch):
    for number in range(3):
        data = open_form(tess, spine_stretch)
        data["steps-0-text"] = f"Edit number {number}."
        data["_continue"] = "Save and continue editing"
        assert tess.post(change_url(spine_stretch), data).status_code == 302
    spine_stretch.refresh_from_db()
    assert (spine_stretch.version, steps(spine_stretch)[0]) == (4, "Edit number 2.")


@pytest.mark.parametrize(
    "value", ["", "abc", "1.5", "0", "-1", "2", "1" * 40, "\u0661", "1\x00", None]
)
def test_a_tampered_version_is_a_form_error(tess, spine_stretch, value):
    data = open_form(tess, spine_stretch)
    data["quick_answer"] = "Changed."
    data["loaded_version"] = value
    if value is None:
        del data["loaded_version"]
    response = tess.post(change_url(spine_stretch), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This form is missing the version of the exercise it was opened with" in page
    assert "Changed." in page  # the input is kept
    spine_stretch.refresh_from_db()
    assert (spine_stretch.quick_answer, spine_stretch.version) == (SPINE_STRETCH_ANSWER, 1)


def test_a_new_exercise_needs_no_version(tess, spine_stretch):
    data = open_form(tess)
    assert data["loaded_version"] == ""
    data |= {
        "name": "Cat Cow",
        "slug": "cat-cow",
        "body_part": spine_stretch.body_part_id,
        "target_muscle": spine_stretch.target_muscle_id,
        "equipment": spine_stretch.equipment_id,
        "difficulty": spine_stretch.difficulty_id,
        "category": spine_stretch.category_id,
        "steps-0-text": "Start on all fours.",
    }
    response = tess.post(reverse("admin:exercises_exercise_add"), data)
    assert response.status_code == 302, response.context["errors"]
    added = Exercise.objects.get(slug="cat-cow")
    assert (added.version, steps(added)) == (1, ["Start on all fours."])


def test_a_save_that_loses_the_race_after_the_check_writes_nothing(
    tess, spine_stretch, monkeypatch
):
    """Another save can land between the form's check and this save's UPDATE (two requests at
    the same moment): the UPDATE then finds the row at a newer version and the save is undone."""
    save_form = ExerciseAdmin.save_form

    def another_save_lands(self, request, form, change):
        Exercise.objects.filter(pk=spine_stretch.pk).update(version=F("version") + 1)
        return save_form(self, request, form, change)

    monkeypatch.setattr(ExerciseAdmin, "save_form", another_save_lands)
    data = open_form(tess, spine_stretch)
    data["quick_answer"] = "Lost the race."
    data["steps-0-text"] = "Also lost."
    page = assert_refused(tess.post(change_url(spine_stretch), data))
    assert "Lost the race." in page
    spine_stretch.refresh_from_db()
    assert spine_stretch.quick_answer != "Lost the race."
    assert steps(spine_stretch)[0] != "Also lost."
    assert not LogEntry.objects.exists()


def test_publishing_from_the_list_makes_an_open_form_stale(tess, theo, spine_stretch):
    theo_form = open_form(theo, spine_stretch)
    response = tess.post(
        reverse("admin:exercises_exercise_changelist"),
        {"action": "unpublish", "_selected_action": [spine_stretch.pk]},
    )
    assert response.status_code == 302
    # Theo's form still says "published": saving it would silently publish the exercise again.
    assert_refused(theo.post(change_url(spine_stretch), theo_form))
    spine_stretch.refresh_from_db()
    assert (spine_stretch.status, spine_stretch.version) == ("draft", 2)


def test_publishing_from_the_change_form_makes_an_open_form_stale(tess, theo, spine_stretch):
    theo_form = open_form(theo, spine_stretch)
    response = tess.post(
        change_url(spine_stretch),
        {"CHANGE_FORM-action": "unpublish", "_selected_action": spine_stretch.pk},
    )
    assert response.status_code == 302
    assert_refused(theo.post(change_url(spine_stretch), theo_form))
    spine_stretch.refresh_from_db()
    assert (spine_stretch.status, spine_stretch.version) == ("draft", 2)


def test_an_import_that_updates_the_exercise_makes_an_open_form_stale(
    theo, spine_stretch, tmp_path
):
    from test_import_export import exercise, forge_file

    theo_form = open_form(theo, spine_stretch)
    path = forge_file(tmp_path, exercises=[exercise(steps=["Sit.", "Reach."])])
    call_command("import_exercises", path, "--update", verbosity=0)
    assert_refused(theo.post(change_url(spine_stretch), theo_form))
    assert steps(spine_stretch) == ["Sit.", "Reach."]


# The edit history


def test_the_history_page_shows_who_changed_which_row(tess, theo, spine_stretch):
    data = open_form(tess, spine_stretch)
    data["steps-0-text"] = "Sit tall with your legs straight."
    data["steps-5-DELETE"] = "on"
    data |= {"faqs-TOTAL_FORMS": "4", "faqs-3-position": "0"}
    data |= {"faqs-3-question": "Can I do it daily?", "faqs-3-answer": "Yes."}
    assert tess.post(change_url(spine_stretch), data).status_code == 302

    data = open_form(theo, spine_stretch)
    data["quick_answer"] = "Theo's words."
    assert theo.post(change_url(spine_stretch), data).status_code == 302

    response = tess.get(history_url(spine_stretch))
    assert response.status_code == 200
    entries = [
        " ".join(entry.get_text(" ", strip=True).split())
        for entry in html(response).select("li.history-entry")
    ]
    assert len(entries) == 3  # the two saves, and the import before them
    assert "by theo: Changed Quick answer." in entries[0]
    assert "Quick answer changed" in entries[0]
    assert (
        "by tess: Changed Text for how-to step “Sit tall with your legs straight.”." in entries[1]
    )
    assert "Step 1 changed" in entries[1]
    assert "Step 6 removed: Repeat for the desired number of repetitions." in entries[1]
    assert "FAQ 4 added" in entries[1]


def test_publishing_is_in_the_history(tess, spine_stretch):
    url = reverse("admin:exercises_exercise_changelist")
    tess.post(url, {"action": "unpublish", "_selected_action": [spine_stretch.pk]})
    tess.post(
        change_url(spine_stretch),
        {"CHANGE_FORM-action": "publish", "_selected_action": spine_stretch.pk},
    )
    response = tess.get(history_url(spine_stretch))
    entries = [
        " ".join(entry.get_text(" ", strip=True).split())
        for entry in html(response).select("li.history-entry")
    ]
    assert "by tess: Changed Status." in entries[0]  # the change form's Publish
    assert "Status changed: Draft → Published" in entries[0]
    assert "by tess: Status changed to draft (action)" in entries[1]
    assert "Status changed: Published → Draft" in entries[1]
    entries = LogEntry.objects.filter(object_id=str(spine_stretch.pk)).order_by("pk")
    assert [(e.user.username, e.get_change_message()) for e in entries] == [
        ("tess", "Changed Status."),
        ("tess", "Changed Status."),
    ]


# Login throttling


@pytest.fixture
def trainer_account(db):
    return make_trainer("tess")


def log_in(client, password, username="tess", address="203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_a_trainer_who_mistypes_a_few_times_still_gets_in(client, trainer_account):
    for _ in range(4):
        response = log_in(client, "wrong password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert is_logged_in(client)
    # The successful login cleared the count: four more mistakes do not lock the account.
    client.logout()
    for _ in range(4):
        assert log_in(client, "wrong password").status_code == 200
    assert log_in(client, PASSWORD).status_code == 302


def test_five_failed_logins_lock_the_user_name_out(client, trainer_account):
    for _ in range(4):
        assert log_in(client, "wrong password").status_code == 200
    assert log_in(client, "wrong password").status_code == 429

    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)
    page = " ".join(response.content.decode().split())
    assert "Too many failed logins" in page
    assert "paused for 15 minutes, even with the right password" in page
    retry_at = re.search(r'Try again after <strong><time datetime="([^"]+)">', page)[1]
    wait = datetime.fromisoformat(retry_at) - timezone.now()
    assert timedelta(minutes=14) < wait <= timedelta(minutes=15)
    # The admin's own look: its header and stylesheets, no traceback.
    assert "Forge exercise library" in page
    assert "admin/css/base.css" in page
    assert client.get("/admin/").status_code == 302


def test_the_lockout_is_for_one_user_name_from_one_address(client, trainer_account):
    make_trainer("theo")
    for _ in range(5):
        log_in(client, "wrong password")
    assert log_in(client, PASSWORD).status_code == 429
    # Another trainer on the same network, and Tess from elsewhere, still get in.
    assert log_in(Client(), PASSWORD, username="theo").status_code == 302
    assert log_in(Client(), PASSWORD, address="198.51.100.20").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, trainer_account):
    for _ in range(5):
        log_in(client, "wrong password")
    assert log_in(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_an_unknown_user_name_is_throttled_too(client, db):
    for _ in range(5):
        log_in(client, "guess", username="admin")
    assert log_in(client, "another guess", username="admin").status_code == 429


def client_address(settings_module, **headers):
    """The address django-axes counts failures against, under the given settings."""
    names = ("AXES_IPWARE_PROXY_COUNT", "AXES_IPWARE_META_PRECEDENCE_ORDER", "IPWARE_STRICT")
    overrides = {name: settings_module.get(name) for name in names}
    overrides["AXES_IPWARE_META_PRECEDENCE_ORDER"] = overrides[
        "AXES_IPWARE_META_PRECEDENCE_ORDER"
    ] or ("REMOTE_ADDR",)
    request = RequestFactory().post(LOGIN, **headers)
    with override_settings(**overrides):
        return get_client_ip_address(request)


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(load_settings):
    proxied = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    forged = proxied | {"HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.7"}
    # By default the header is ignored: anyone can send it.
    direct = load_settings()
    assert client_address(direct, **proxied) == "127.0.0.1"
    # Behind the nginx of docs/deployment.md, the last address is the one nginx saw.
    behind_nginx = load_settings(AXES_IPWARE_PROXY_COUNT="0")
    assert client_address(behind_nginx, **proxied) == "203.0.113.7"
    assert client_address(behind_nginx, **forged) == "203.0.113.7"
    # A load balancer in front of nginx adds its own address to the header.
    two_proxies = load_settings(AXES_IPWARE_PROXY_COUNT="1")
    chain = proxied | {"HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.7, 10.0.0.2"}
    assert client_address(two_proxies, **chain) == "203.0.113.7"

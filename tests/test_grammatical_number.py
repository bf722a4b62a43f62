"""Generated sentences agree with the exercise's name: “What muscles do Elbow Dips work?”, and
a generated FAQ steps aside when the trainer already asks the same question."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from factories import html, make_exercise, text
from test_admin_reliability import open_form

from exercises.models import Exercise
from exercises.text import name_is_plural, question_key

PLURAL = Exercise.GrammaticalNumber.PLURAL
SINGULAR = Exercise.GrammaticalNumber.SINGULAR


@pytest.mark.parametrize(
    ("name", "plural"),
    [
        ("Elbow Dips", True),
        ("Push-Ups", True),
        ("Dips - Chest Version", True),
        ("Hyperextensions (Back Extensions)", True),
        ("Front Squats With Two Kettlebells", True),
        ("Landmine 180's", True),
        ("Spine Stretch", False),
        ("Bench Press with Chains", False),
        ("Good Morning off Pins", False),
        ("Calf Press", False),
        ("Cable Iron Cross", False),
        ("Seated Biceps", False),
        ("Overhead Triceps", False),
        ("Moving Claw Series", False),
        ("Clean and Press", False),
        ("Kettlebell Pass Between The Legs", False),
        ("Calves-SMR", False),
    ],
)
def test_the_default_reads_the_number_from_the_name(name, plural):
    assert name_is_plural(name) is plural


def test_a_trainer_choice_overrides_the_name():
    assert Exercise(name="Elbow Dips").is_plural
    assert not Exercise(name="Elbow Dips", grammatical_number=SINGULAR).is_plural
    assert Exercise(name="Spine Stretch", grammatical_number=PLURAL).is_plural


def elbow_dips(**fields):
    return make_exercise(
        "Elbow Dips",
        body_part="arms",
        equipment="bodyweight",
        muscle="triceps",
        difficulty="beginner",
        category="strength",
        steps=["Grip the bars.", "Lower yourself.", "Press back up."],
        **fields,
    )


PLURAL_QUESTIONS = ["What muscles do Elbow Dips work?", "Are Elbow Dips good for beginners?"]


def test_a_plural_name_reads_as_plural_on_the_page_its_copy_and_json_ld(client, taxonomy):
    elbow_dips()

    page = html(client.get("/exercise/elbow-dips"))
    faq = page.find("section", class_="faq")
    assert [text(h3) for h3 in faq.find_all("h3")] == PLURAL_QUESTIONS
    answers = text(faq)
    assert "Elbow Dips primarily target the triceps. They're classified as a strength" in answers
    assert "Yes, Elbow Dips are rated as a beginner-level exercise. They're a great" in answers
    assert text(page.title) == "Elbow Dips: How to Do Them and Muscles Worked | Forge"

    (script,) = page.find_all("script", type="application/ld+json")
    nodes = json.loads(script.string)["@graph"]
    faq_page = next(node for node in nodes if node["@type"] == "FAQPage")
    assert [q["name"] for q in faq_page["mainEntity"]] == PLURAL_QUESTIONS

    markdown = client.get("/exercise/elbow-dips.md").content.decode()
    for question in PLURAL_QUESTIONS:
        assert f"### {question}\n" in markdown
    assert "does the" not in markdown and "Is Elbow" not in markdown


@pytest.mark.parametrize(
    ("difficulty", "answer"),
    [
        ("intermediate", "Elbow Dips are rated as intermediate."),
        ("advanced", "Elbow Dips are an advanced exercise."),
    ],
)
def test_every_beginner_answer_agrees_with_a_plural_name(client, taxonomy, difficulty, answer):
    exercise = elbow_dips()
    exercise.difficulty = exercise.difficulty._meta.model.objects.get(slug=difficulty)
    exercise.save()

    faqs = {faq.question: faq.answer for faq in exercise.all_faqs()}
    assert faqs["Are Elbow Dips good for beginners?"].startswith(answer)


def test_a_trainer_can_make_a_name_singular(client, taxonomy):
    elbow_dips(grammatical_number=SINGULAR)

    faq = html(client.get("/exercise/elbow-dips")).find("section", class_="faq")
    assert [text(h3) for h3 in faq.find_all("h3")] == [
        "What muscles does the Elbow Dips work?",
        "Is the Elbow Dips good for beginners?",
    ]


def test_the_admin_form_offers_the_choice_and_saves_it(admin_client, taxonomy):
    exercise = elbow_dips()
    url = f"/admin/exercises/exercise/{exercise.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    assert [value for value, _ in form.fields["grammatical_number"].choices] == [
        "auto",
        "singular",
        "plural",
    ]
    assert form["grammatical_number"].value() == "auto"
    page = admin_client.get(url).content.decode()
    assert "From the name (here: plural)" in page

    # Saved as the trainer picks it, and the page follows at once.
    data = open_form(admin_client, exercise) | {"grammatical_number": "singular"}
    assert admin_client.post(url, data).status_code == 302
    exercise.refresh_from_db()
    assert exercise.grammatical_number == SINGULAR
    assert "Is the Elbow Dips good" in admin_client.get("/exercise/elbow-dips").content.decode()

    # A form without the field (a script, an older page) keeps the stored choice.
    data = open_form(admin_client, exercise)
    del data["grammatical_number"]
    assert admin_client.post(url, data).status_code == 302
    exercise.refresh_from_db()
    assert exercise.grammatical_number == SINGULAR
    assert "ends in s as plural" in str(form["grammatical_number"].help_text)


def test_the_library_format_carries_a_chosen_number(taxonomy, tmp_path):
    elbow_dips(grammatical_number=SINGULAR)
    make_exercise("Spine Twist")
    out = StringIO()
    call_command("export_exercises", "-", stdout=out, stderr=StringIO())
    data = json.loads(out.getvalue())
    records = {record["name"]: record for record in data["exercises"]}
    assert records["Elbow Dips"]["grammatical_number"] == "singular"
    assert "grammatical_number" not in records["Spine Twist"]  # the default is left out

    Exercise.objects.all().delete()
    path = tmp_path / "library.json"
    path.write_text(out.getvalue())
    call_command("import_exercises", path, stdout=StringIO(), stderr=StringIO())
    assert Exercise.objects.get(name="Elbow Dips").grammatical_number == SINGULAR
    assert Exercise.objects.get(name="Spine Twist").grammatical_number == "auto"

    # Importing the same file again changes nothing; "auto" written out is the default too.
    records["Spine Twist"]["grammatical_number"] = "auto"
    path.write_text(json.dumps(data))
    output = StringIO()
    call_command("import_exercises", path, stdout=output, stderr=StringIO())
    assert "0 created, 0 updated, 2 unchanged" in output.getvalue()


def test_an_unknown_number_in_a_file_is_refused(taxonomy, tmp_path):
    record = {
        "name": "Elbow Dips",
        "slug": "elbow-dips",
        "grammatical_number": "dual",
        "body_part": "arms",
        "equipment": "bodyweight",
        "target_muscle": "triceps",
        "difficulty": "beginner",
        "category": "strength",
    }
    path = tmp_path / "library.json"
    path.write_text(
        json.dumps({"format": "forge-exercise-library", "version": 1, "exercises": [record]})
    )
    with pytest.raises(Exception, match=r'"Elbow Dips": grammatical_number: Value .dual.'):
        call_command("import_exercises", path, stdout=StringIO(), stderr=StringIO())
    assert not Exercise.objects.filter(name="Elbow Dips").exists()


# A generated FAQ the trainer already asks


def test_a_question_is_compared_without_case_punctuation_or_spacing():
    assert question_key("What muscles does the Spine-Stretch  work") == question_key(
        "what muscles does the spine stretch work?"
    )
    assert question_key("Is it safe?") != question_key("Is it hard?")


def test_a_generated_faq_the_trainer_already_asks_is_left_out(client, taxonomy):
    elbow_dips(faqs=[("what muscles do elbow dips work", "Mostly the triceps, and the chest.")])

    page = html(client.get("/exercise/elbow-dips"))
    questions = [text(h3) for h3 in page.find("section", class_="faq").find_all("h3")]
    assert questions == ["what muscles do elbow dips work", "Are Elbow Dips good for beginners?"]
    (script,) = page.find_all("script", type="application/ld+json")
    faq_page = next(n for n in json.loads(script.string)["@graph"] if n["@type"] == "FAQPage")
    assert [q["name"] for q in faq_page["mainEntity"]] == questions
    assert faq_page["mainEntity"][0]["acceptedAnswer"]["text"] == (
        "Mostly the triceps, and the chest."
    )
    markdown = client.get("/exercise/elbow-dips.md").content.decode()
    assert markdown.count("### ") == 2


def test_a_drawing_s_alt_text_agrees_with_the_name():
    from exercises.interchange.everkinetic import drawing_alt_text

    assert drawing_alt_text(Exercise(name="Bench Dips"), "Start position") == (
        "Line drawing of a person doing Bench Dips: the start position"
    )
    assert drawing_alt_text(Exercise(name="Barbell Curl"), "") == (
        "Line drawing of a person doing the Barbell Curl: one position"
    )

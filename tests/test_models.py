"""The exercise library's models: constraints, slug history, ordering and generated text."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from factories import SPINE_STRETCH_QUESTIONS

from exercises.models import (
    FAQ,
    BodyPart,
    Category,
    CommonMistake,
    Difficulty,
    Equipment,
    Exercise,
    ExerciseSecondaryMuscle,
    ExerciseSlug,
    Faq,
    Muscle,
    ProTip,
    Step,
)
from exercises.text import lower_name

SPINE_STRETCH_SUMMARY = (
    "Beginner back exercise using body weight. Targets lower back, also works hamstrings, glutes."
)


def exercise_fields(**fields):
    """A valid exercise's fields on the real taxonomy (needs the `taxonomy` fixture)."""
    return {
        "name": "Good Morning",
        "slug": "good-morning",
        "body_part": BodyPart.objects.get(slug="back"),
        "target_muscle": Muscle.objects.get(slug="lower-back"),
        "equipment": Equipment.objects.get(slug="barbell"),
        "difficulty": Difficulty.objects.get(slug="intermediate"),
        "category": Category.objects.get(slug="strength"),
    } | fields


def refused_by_database(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_migrations_match_the_models(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


# Database constraints: they hold even when a form or an import skips validation.


@pytest.mark.parametrize(
    "fields",
    [
        {"slug": ""},
        {"name": ""},
        {"slug": "Good-Morning"},
        {"status": "archived"},
        {"quick_answer": "q" * 1001},
    ],
    ids=["empty slug", "empty name", "upper-case slug", "unknown status", "long quick answer"],
)
def test_exercise_constraints(taxonomy, fields):
    refused_by_database(lambda: Exercise.objects.create(**exercise_fields(**fields)))


@pytest.mark.parametrize("model", [BodyPart, Equipment, Category, Difficulty])
@pytest.mark.parametrize(
    "fields",
    [{"slug": ""}, {"name": ""}, {"slug": "Upper"}, {"intro": "i" * 1001}],
    ids=["empty slug", "empty name", "upper", "long intro"],
)
def test_taxonomy_slug_and_name_constraints(db, model, fields):
    refused_by_database(
        lambda: model.objects.create(**({"name": "Upper", "slug": "upper"} | fields))
    )


@pytest.mark.parametrize(
    ("model", "fields", "limit"),
    [
        (Step, {"text": "s"}, 1000),
        (ProTip, {"text": "t"}, 1000),
        (CommonMistake, {"text": "m"}, 1000),
        (FAQ, {"question": "Why?", "answer": "a"}, 2000),
    ],
)
def test_list_texts_have_a_length_limit_in_the_database(spine_stretch, model, fields, limit):
    key, letter = list(fields.items())[-1]
    model.objects.create(exercise=spine_stretch, **(fields | {key: letter * limit}))
    refused_by_database(
        lambda: model.objects.create(
            exercise=spine_stretch, **(fields | {key: letter * (limit + 1)})
        )
    )


@pytest.mark.parametrize("model", [BodyPart, Difficulty])
@pytest.mark.parametrize("slug", ["equipment", "muscle", "category"])
def test_hub_slugs_cannot_take_a_reserved_word(db, model, slug):
    refused_by_database(lambda: model.objects.create(name=slug.title(), slug=slug))


def test_a_secondary_muscle_is_listed_once(spine_stretch):
    hamstrings = Muscle.objects.get(slug="hamstrings")
    refused_by_database(
        lambda: ExerciseSecondaryMuscle.objects.create(
            exercise=spine_stretch, muscle=hamstrings, position=9
        )
    )


@pytest.mark.parametrize(
    ("model", "slug"),
    [
        (BodyPart, "back"),
        (Muscle, "lower-back"),
        (Muscle, "hamstrings"),  # used only as a secondary muscle
        (Equipment, "bodyweight"),
        (Difficulty, "beginner"),
        (Category, "mobility"),
    ],
)
def test_taxonomy_in_use_cannot_be_deleted(spine_stretch, model, slug):
    if slug == "hamstrings":
        assert not Exercise.objects.filter(target_muscle__slug=slug).exists()
    with pytest.raises(ProtectedError), transaction.atomic():
        model.objects.get(slug=slug).delete()
    assert model.objects.filter(slug=slug).exists()


def test_body_part_with_muscles_cannot_be_deleted(taxonomy):
    with pytest.raises(ProtectedError), transaction.atomic():
        BodyPart.objects.get(slug="legs").delete()


# Model validation (what forms show)


@pytest.mark.parametrize(
    "taxon, message",
    [
        (
            BodyPart(name="Beginners", slug="beginner"),
            "“beginner” is already the address of the difficulty “Beginner”; pick another slug.",
        ),
        (
            Difficulty(name="Expert", slug="legs", position=4),
            "“legs” is already the address of the body part “Legs”; pick another slug.",
        ),
        (
            Equipment(name="Trap Bar", slug="trap--bar"),
            "Use lower-case letters, digits and single hyphens, e.g. “lower-back”.",
        ),
    ],
    ids=["body part slug is a difficulty's", "difficulty slug is a body part's", "slug format"],
)
def test_a_refused_slug_is_explained(taxonomy, taxon, message):
    with pytest.raises(ValidationError) as refused:
        taxon.full_clean()
    assert refused.value.message_dict["slug"] == [message]


def test_reserved_hub_slug_is_explained(db):
    with pytest.raises(ValidationError) as refused:
        BodyPart(name="Equipment", slug="equipment").full_clean()
    assert (
        "“equipment” is reserved for the equipment hubs' addresses."
        in (refused.value.message_dict["slug"])
    )


# Querysets


def test_published_leaves_drafts_out(spine_stretch):
    draft = Exercise.objects.create(**exercise_fields())
    assert draft.status == Exercise.Status.DRAFT
    assert list(Exercise.objects.published()) == [spine_stretch]
    draft.status = Exercise.Status.PUBLISHED
    draft.save()
    assert list(Exercise.objects.published()) == [draft, spine_stretch]


# Slug history


def test_renaming_records_the_old_slug(spine_stretch):
    exercise = Exercise.objects.get(pk=spine_stretch.pk)  # loaded, as a view or the admin would
    exercise.slug = "seated-spine-stretch"
    exercise.save()
    assert ExerciseSlug.objects.get(slug="spine-stretch").exercise == exercise
    exercise.slug = "spine-stretch-forward"
    exercise.save()
    assert dict(ExerciseSlug.objects.values_list("slug", "exercise")) == {
        "spine-stretch": exercise.pk,
        "seated-spine-stretch": exercise.pk,
    }


def test_a_fresh_exercise_can_be_renamed_at_once(taxonomy):
    exercise = Exercise.objects.create(**exercise_fields())
    exercise.slug = "barbell-good-morning"
    exercise.save()
    assert ExerciseSlug.objects.get(slug="good-morning").exercise == exercise


def test_renaming_back_removes_the_history_row(spine_stretch):
    spine_stretch.slug = "seated-spine-stretch"
    spine_stretch.save()
    spine_stretch.slug = "spine-stretch"
    spine_stretch.save()
    assert list(ExerciseSlug.objects.values_list("slug", flat=True)) == ["seated-spine-stretch"]


def test_saving_without_a_rename_records_nothing(spine_stretch):
    spine_stretch.name = "Spine Stretch Forward"
    spine_stretch.save()
    assert not ExerciseSlug.objects.exists()


def test_a_new_exercise_takes_over_an_old_address(spine_stretch):
    spine_stretch.slug = "seated-spine-stretch"
    spine_stretch.save()
    other = Exercise.objects.create(**exercise_fields(slug="spine-stretch"))
    assert other.get_absolute_url() == "/exercise/spine-stretch"
    assert not ExerciseSlug.objects.filter(slug="spine-stretch").exists()


def test_deleting_an_exercise_leaves_its_addresses_gone(spine_stretch):
    spine_stretch.slug = "seated-spine-stretch"
    spine_stretch.save()
    spine_stretch.delete()
    assert dict(ExerciseSlug.objects.values_list("slug", "exercise")) == {
        "spine-stretch": None,
        "seated-spine-stretch": None,
    }


# Names are stored normalised: look-alikes are one name.

CAFE_COMPOSED = "Caf\u00e9 Curl"  # é as one code point (NFC)
LOOK_ALIKES = [
    "Cafe\u0301 Curl",  # e + combining acute accent (NFD)
    "Caf\u00e9 Curl  ",  # trailing spaces
    "  Caf\u00e9  Curl",  # leading and double spaces
    "Caf\u00e9\u00a0Curl",  # a non-breaking space
    "\tCafe\u0301 \u00a0 Curl\n",
]


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_an_exercise_name_is_stored_normalised(taxonomy, name):
    exercise = Exercise.objects.create(**exercise_fields(name=name))
    assert exercise.name == CAFE_COMPOSED
    assert Exercise.objects.get(pk=exercise.pk).name == CAFE_COMPOSED


@pytest.mark.parametrize("model", [BodyPart, Equipment, Muscle, Difficulty, Category])
def test_a_taxonomy_name_is_stored_normalised(taxonomy, model):
    extra = {"body_part": BodyPart.objects.get(slug="back")} if model is Muscle else {}
    taxon = model.objects.create(name=" Cafe\u0301\u00a0 Bar ", slug="cafe-bar", **extra)
    assert model.objects.get(pk=taxon.pk).name == "Caf\u00e9 Bar"


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_a_look_alike_of_an_existing_name_is_refused_by_validation(taxonomy, name):
    Exercise.objects.create(**exercise_fields(name=CAFE_COMPOSED))
    look_alike = Exercise(**exercise_fields(name=name, slug="cafe-curl-2"))
    with pytest.raises(ValidationError) as error:
        look_alike.full_clean()
    assert "already exists" in error.value.message_dict["name"][0]


def test_a_name_that_is_already_normal_is_kept_as_written(taxonomy):
    name = "Ötzi’s Row (EZ-Bar)"
    assert Exercise.objects.create(**exercise_fields(name=name)).name == name


# Ordered content


def test_ordered_rows_follow_their_position(taxonomy):
    exercise = Exercise.objects.create(**exercise_fields())
    for position, text in [(3, "Third."), (1, "First."), (2, "Second.")]:
        exercise.steps.create(position=position, text=text)
        exercise.pro_tips.create(position=position, text=text)
        exercise.common_mistakes.create(position=position, text=text)
        exercise.faqs.create(position=position, question=text, answer="Yes.")
    expected = ["First.", "Second.", "Third."]
    assert [s.text for s in exercise.steps.all()] == expected
    assert [t.text for t in exercise.pro_tips.all()] == expected
    assert [m.text for m in exercise.common_mistakes.all()] == expected
    assert [f.question for f in exercise.faqs.all()] == expected


def test_rows_with_the_same_position_keep_their_entry_order(taxonomy):
    exercise = Exercise.objects.create(**exercise_fields())
    for text in ["First.", "Second.", "Third."]:
        exercise.steps.create(text=text)
    assert [s.text for s in exercise.steps.all()] == ["First.", "Second.", "Third."]


def test_secondary_muscles_follow_their_position(taxonomy):
    exercise = Exercise.objects.create(**exercise_fields())
    for position, slug in [(2, "glutes"), (1, "hamstrings")]:
        exercise.secondary_muscle_links.create(
            muscle=Muscle.objects.get(slug=slug), position=position
        )
    assert [m.slug for m in exercise.ordered_secondary_muscles] == ["hamstrings", "glutes"]


def test_the_spine_stretch_content_is_in_order(spine_stretch):
    exercise = Exercise.objects.for_detail().get(pk=spine_stretch.pk)
    assert (
        exercise.steps.all()[0].text == "Sit on the ground with your legs extended in front of you."
    )
    assert [m.name for m in exercise.ordered_secondary_muscles] == ["Hamstrings", "Glutes"]
    assert [f.question for f in exercise.faqs.all()] == [
        "What does the Spine Stretch target?",
        "Is this a Pilates exercise?",
        "How often should I do Spine Stretches?",
    ]


# Generated text


def test_quick_answer_summary(spine_stretch):
    assert spine_stretch.quick_answer_summary == SPINE_STRETCH_SUMMARY
    assert spine_stretch.full_quick_answer.endswith(
        "emphasizes spinal flexibility and posture. " + SPINE_STRETCH_SUMMARY
    )


def test_quick_answer_without_secondary_muscles_or_authored_text(taxonomy):
    exercise = Exercise.objects.create(
        **exercise_fields(equipment=Equipment.objects.get(slug="ez-bar"))
    )
    assert exercise.full_quick_answer == (
        "Intermediate back exercise using EZ bar. Targets lower back."
    )


MUSCLES_ANSWER = (
    "The Spine Stretch primarily targets the lower back, with secondary activation in the "
    "hamstrings, glutes. It's classified as a mobility exercise for the back."
)


@pytest.mark.parametrize(
    ("difficulty", "beginner_answer"),
    [
        (
            "beginner",
            "Yes, the Spine Stretch is rated as a beginner-level exercise. It's a great "
            "starting point for building lower back strength.",
        ),
        (
            "intermediate",
            "The Spine Stretch is rated as intermediate. Beginners should build a base of "
            "lower back strength with easier variations first.",
        ),
        (
            "advanced",
            "The Spine Stretch is an advanced exercise. Beginners should master fundamental "
            "back movements first.",
        ),
    ],
)
def test_generated_faqs_for_each_difficulty(spine_stretch, difficulty, beginner_answer):
    spine_stretch.difficulty = Difficulty.objects.get(slug=difficulty)
    assert spine_stretch.generated_faqs() == [
        Faq("What muscles does the Spine Stretch work?", MUSCLES_ANSWER),
        Faq("Is the Spine Stretch good for beginners?", beginner_answer),
    ]


def test_an_unranked_difficulty_answers_only_the_muscles_question(spine_stretch):
    spine_stretch.difficulty = Difficulty.objects.create(name="Expert", slug="expert", position=4)
    assert [faq.question for faq in spine_stretch.generated_faqs()] == [
        "What muscles does the Spine Stretch work?"
    ]


def test_muscles_answer_without_secondary_muscles(taxonomy):
    exercise = Exercise.objects.create(**exercise_fields())
    assert exercise.generated_faqs()[0].answer == (
        "The Good Morning primarily targets the lower back. It's classified as a strength "
        "exercise for the back."
    )


def test_all_faqs_lists_authored_entries_first(spine_stretch):
    questions = [faq.question for faq in spine_stretch.all_faqs()]
    assert questions == SPINE_STRETCH_QUESTIONS


@pytest.mark.parametrize(
    ("name", "lowered"),
    [
        ("EZ Bar", "EZ bar"),
        ("Body Weight", "body weight"),
        ("Lower Back", "lower back"),
        ("TRX Straps", "TRX straps"),
        ("A Frame", "a frame"),  # a one-letter word is not an acronym
    ],
)
def test_lower_name_keeps_acronyms(name, lowered):
    assert lower_name(name) == lowered


def test_taxonomy_lower_name(taxonomy):
    assert Equipment.objects.get(slug="ez-bar").lower_name == "EZ bar"


def test_urls(spine_stretch):
    assert spine_stretch.get_absolute_url() == "/exercise/spine-stretch"
    assert spine_stretch.get_markdown_url() == "/exercise/spine-stretch.md"
    assert BodyPart.objects.get(slug="back").get_absolute_url() == "/exercises/back"
    assert Muscle.objects.get(slug="glutes").get_absolute_url() == "/exercises/muscle/glutes"
    assert Equipment.objects.get(slug="ez-bar").get_absolute_url() == "/exercises/equipment/ez-bar"

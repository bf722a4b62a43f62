"""The exercise page: its sections in the reference order, drafts, moved and deleted pages."""

import re

import pytest
from factories import EXERCISE_PAGE_SECTIONS, SPINE_STRETCH_QUESTIONS, html, make_exercise, text

from exercises.models import Exercise

SPINE_STRETCH_QUICK_ANSWER = (
    "The spine stretch is a bodyweight exercise that focuses on stretching and mobilizing the "
    "spine. It also provides a gentle stretch to the hamstrings and glutes. This movement is "
    "performed seated and emphasizes spinal flexibility and posture. Beginner back exercise "
    "using body weight. Targets lower back, also works hamstrings, glutes."
)


def article(response):
    return html(response).find("article")


def section(response, heading):
    """The <section> under an <h2> of the exercise page."""
    h2 = article(response).find("h2", string=heading)
    return h2.find_parent("section") if h2 else None


def headings(response):
    return [text(h2) for h2 in article(response).find_all("h2")]


def facts(response):
    """{term: (text, [hrefs])} of the attributes' definition list."""
    dl = section(response, "Quick answer").find("dl")
    return {
        text(dt): (" ".join(dd.get_text().split()), [a["href"] for a in dd.find_all("a")])
        for dt, dd in zip(dl.find_all("dt"), dl.find_all("dd"), strict=True)
    }


def related_cards(response):
    return [text(a) for a in section(response, "Related exercises").select(".card__title a")]


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("trainer", "trainer@example.com", "pw")


def test_the_page_follows_the_reference_order(client, spine_stretch):
    response = client.get("/exercise/spine-stretch")

    assert response.status_code == 200
    page = html(response)
    landmarks = [
        "breadcrumb" if element.name == "nav" else text(element)
        for element in page.find_all(
            lambda tag: tag.name in ("h1", "h2") or "breadcrumb" in tag.get("class", [])
        )
    ]
    assert landmarks == ["breadcrumb", "Spine Stretch", *EXERCISE_PAGE_SECTIONS]
    assert len(page.find_all("h1")) == 1


def test_the_breadcrumb_leads_back_through_the_body_part(client, spine_stretch):
    trail = html(client.get("/exercise/spine-stretch")).find("nav", class_="breadcrumb")

    assert [(text(li), li.a["href"] if li.a else None) for li in trail.find_all("li")] == [
        ("Exercises", "/exercises"),
        ("Back", "/exercises/back"),
        ("Spine Stretch", None),
    ]


def test_the_quick_answer_is_the_authored_text_then_the_generated_sentence(client, spine_stretch):
    response = client.get("/exercise/spine-stretch")

    assert text(section(response, "Quick answer").p) == SPINE_STRETCH_QUICK_ANSWER


def test_each_attribute_links_to_its_hub(client, spine_stretch):
    assert facts(client.get("/exercise/spine-stretch")) == {
        "Body Part": ("Back", ["/exercises/back"]),
        "Equipment": ("Body Weight", ["/exercises/equipment/bodyweight"]),
        "Target Muscle": ("Lower Back", ["/exercises/muscle/lower-back"]),
        "Secondary Muscles": (
            "Hamstrings, Glutes",
            ["/exercises/muscle/hamstrings", "/exercises/muscle/glutes"],
        ),
        "Difficulty": ("Beginner", ["/exercises/beginner"]),
        "Category": ("Mobility", ["/exercises/category/mobility"]),
    }


def test_steps_tips_and_mistakes_are_listed_in_order(client, spine_stretch):
    response = client.get("/exercise/spine-stretch")

    steps = section(response, "How to perform").find("ol").find_all("li")
    assert [text(li) for li in steps] == [step.text for step in spine_stretch.steps.all()]
    assert len(steps) == 6
    tips = section(response, "Pro tips").find_all("li")
    assert [text(li) for li in tips] == [tip.text for tip in spine_stretch.pro_tips.all()]
    mistakes = section(response, "Common mistakes").find_all("li")
    assert [text(li) for li in mistakes] == [m.text for m in spine_stretch.common_mistakes.all()]


def test_the_faq_lists_authored_entries_then_generated_ones(client, spine_stretch):
    faq = section(client.get("/exercise/spine-stretch"), "FAQ")

    questions = [text(h3) for h3 in faq.find_all("h3")]
    assert questions == SPINE_STRETCH_QUESTIONS
    answers = [text(h3.find_next_sibling("p")) for h3 in faq.find_all("h3")]
    assert answers[3] == (
        "The Spine Stretch primarily targets the lower back, with secondary activation in the "
        "hamstrings, glutes. It's classified as a mobility exercise for the back."
    )
    assert answers[4] == (
        "Yes, the Spine Stretch is rated as a beginner-level exercise. It's a great starting "
        "point for building lower back strength."
    )


@pytest.mark.parametrize(
    ("difficulty", "answer"),
    [
        (
            "intermediate",
            "The Cable Row is rated as intermediate. Beginners should build a base of upper back "
            "strength with easier variations first.",
        ),
        (
            "advanced",
            "The Cable Row is an advanced exercise. Beginners should master fundamental back "
            "movements first.",
        ),
    ],
)
def test_the_beginner_question_is_answered_for_each_difficulty(
    client, taxonomy, difficulty, answer
):
    make_exercise("Cable Row", equipment="cable", muscle="upper-back", difficulty=difficulty)

    faq = section(client.get("/exercise/cable-row"), "FAQ")

    h3 = faq.find("h3", string="Is the Cable Row good for beginners?")
    assert text(h3.find_next_sibling("p")) == answer


def test_related_exercises_are_ranked_by_similarity(client, spine_stretch, library):
    response = client.get("/exercise/spine-stretch")

    # Same muscle, body part, equipment and difficulty; then same muscle and body part; then
    # same body part. Ties go by name; six at most; drafts never.
    assert related_cards(response) == [
        "Cat Cow",
        "Superman",
        "Deadlift",
        "Good Morning",
        "Rack Pull",
        "Barbell Row",
    ]
    hub_links = section(response, "Related exercises").select(".hub-links a")
    assert [(text(a), a["href"]) for a in hub_links] == [
        ("More Back Exercises", "/exercises/back"),
        ("More Body Weight Exercises", "/exercises/equipment/bodyweight"),
        ("More Lower Back Exercises", "/exercises/muscle/lower-back"),
    ]


def test_the_target_muscle_outweighs_every_other_likeness(client, spine_stretch):
    # Each differs from the Spine Stretch (back, body weight, lower back, beginner, with
    # hamstrings and glutes) in all but the named likeness.
    other = {"body_part": "chest", "equipment": "cable", "muscle": "chest"}
    make_exercise("Ant None", **other, difficulty="advanced")
    make_exercise("Yak One Shared", **other, difficulty="advanced", secondary=["glutes"])
    make_exercise(
        "Zed Two Shared", **other, difficulty="advanced", secondary=["hamstrings", "glutes"]
    )
    make_exercise("Same Equipment", **(other | {"equipment": "bodyweight"}), difficulty="advanced")
    make_exercise("Same Body Part", **(other | {"body_part": "back"}), difficulty="advanced")
    make_exercise("Only Target", **(other | {"muscle": "lower-back"}), difficulty="advanced")
    make_exercise("All But Target", muscle="upper-back", difficulty="beginner")

    assert related_cards(client.get("/exercise/spine-stretch")) == [
        "Only Target",  # 16
        "All But Target",  # 8 + 4 + 2
        "Same Body Part",  # 8
        "Same Equipment",  # 4
        "Zed Two Shared",  # 2 shared secondary muscles
        "Yak One Shared",  # 1
    ]


def test_related_cards_show_the_exercise_and_link_to_it(client, spine_stretch, library):
    cards = section(client.get("/exercise/spine-stretch"), "Related exercises").select(".card")

    deadlift = next(card for card in cards if text(card.select_one(".card__title")) == "Deadlift")
    assert deadlift.select_one(".card__title a")["href"] == "/exercise/deadlift"
    assert [text(dd) for dd in deadlift.find_all("dd")] == ["Lower Back", "Barbell", "Advanced"]


# An exercise with nothing but its attributes.


@pytest.fixture
def bare(taxonomy):
    return make_exercise(
        "Bird Dog", body_part="core", muscle="abs", equipment="bodyweight", category="balance"
    )


def test_empty_optional_sections_are_left_out(client, bare):
    response = client.get("/exercise/bird-dog")

    assert response.status_code == 200
    assert headings(response) == ["Quick answer", "Muscles worked", "FAQ", "Related exercises"]
    assert "Secondary Muscles" not in facts(response)
    assert text(section(response, "Quick answer").p) == (
        "Beginner core exercise using body weight. Targets abs."
    )
    assert section(response, "Related exercises").find(class_="cards") is None


def test_an_exercise_without_extras_shows_no_placeholders_or_dangling_separators(client, bare):
    response = client.get("/exercise/bird-dog")
    body = text(article(response))

    for placeholder in ("None", "undefined", "null", "also works", "secondary activation"):
        assert placeholder not in body
    assert not re.search(r"[,·|]\s*[.,·|]|[,·]\s*$|\(\s*\)", body)
    for element in article(response).find_all(["ul", "ol", "dl", "dd", "p", "section", "h2"]):
        assert text(element), element
    faq = section(response, "FAQ")
    assert text(faq.find("h3").find_next_sibling("p")) == (
        "The Bird Dog primarily targets the abs. It's classified as a balance exercise for the "
        "core."
    )


# Drafts, renamed and deleted exercises.


def test_a_draft_is_not_found_by_visitors(client, taxonomy):
    make_exercise("Secret Row", status=Exercise.Status.DRAFT)

    assert client.get("/exercise/secret-row").status_code == 404
    assert client.get("/exercise/secret-row.md").status_code == 404


def test_a_draft_is_not_found_by_signed_in_non_staff(client, taxonomy, django_user_model):
    make_exercise("Secret Row", status=Exercise.Status.DRAFT)
    client.force_login(django_user_model.objects.create_user("visitor"))

    assert client.get("/exercise/secret-row").status_code == 404


def test_staff_preview_a_draft_with_a_notice(client, taxonomy, staff):
    make_exercise("Secret Row", status=Exercise.Status.DRAFT)
    client.force_login(staff)

    response = client.get("/exercise/secret-row")

    assert response.status_code == 200
    page = html(response)
    assert text(page.h1) == "Secret Row"
    assert "Draft preview" in text(page.find(class_="notice"))
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex,nofollow"
    assert client.get("/exercise/secret-row.md").status_code == 200


def test_a_published_page_has_no_draft_notice(client, spine_stretch, staff):
    client.force_login(staff)

    page = html(client.get("/exercise/spine-stretch"))

    assert page.find(class_="notice") is None
    assert page.find("meta", attrs={"name": "robots"}) is None


def test_an_old_address_redirects_to_the_new_one(client, library):
    deadlift = library["Deadlift"]
    deadlift.slug = "conventional-deadlift"
    deadlift.save()

    response = client.get("/exercise/deadlift")
    assert response.status_code == 301
    assert response["Location"] == "/exercise/conventional-deadlift"
    markdown = client.get("/exercise/deadlift.md")
    assert markdown.status_code == 301
    assert markdown["Location"] == "/exercise/conventional-deadlift.md"
    assert client.get("/exercise/conventional-deadlift").status_code == 200


def test_every_old_address_leads_to_the_current_one(client, library):
    deadlift = library["Deadlift"]
    for slug in ("barbell-deadlift", "conventional-deadlift"):
        deadlift.slug = slug
        deadlift.save()

    for old in ("deadlift", "barbell-deadlift"):
        assert client.get(f"/exercise/{old}")["Location"] == "/exercise/conventional-deadlift"

    deadlift.slug = "deadlift"  # back to the first address: it is live again
    deadlift.save()
    assert client.get("/exercise/deadlift").status_code == 200
    assert client.get("/exercise/conventional-deadlift")["Location"] == "/exercise/deadlift"


def test_an_old_address_of_an_unpublished_exercise_stays_hidden(client, library, staff):
    deadlift = library["Deadlift"]
    deadlift.slug = "conventional-deadlift"
    deadlift.status = Exercise.Status.DRAFT
    deadlift.save()

    assert client.get("/exercise/deadlift").status_code == 404
    client.force_login(staff)
    assert client.get("/exercise/deadlift")["Location"] == "/exercise/conventional-deadlift"


def test_a_deleted_exercise_is_gone(client, library):
    library["Deadlift"].delete()

    response = client.get("/exercise/deadlift")

    assert response.status_code == 410
    page = html(response)
    assert [text(h1) for h1 in page.find_all("h1")] == ["This exercise has been removed"]
    assert page.find("form", role="search", class_="error-search").find(
        "input", attrs={"name": "q"}
    )
    assert client.get("/exercise/deadlift.md").status_code == 410
    assert "Deadlift" not in [
        text(a) for a in html(client.get("/exercises")).select(".card__title a")
    ]


def test_a_new_exercise_can_take_a_deleted_exercises_address(client, library):
    library["Deadlift"].delete()
    make_exercise("Deadlift", equipment="trap-bar")

    response = client.get("/exercise/deadlift")

    assert response.status_code == 200
    assert facts(response)["Equipment"] == ("Trap Bar", ["/exercises/equipment/trap-bar"])


# Trainer-written text is text, never markup.

HOSTILE = "</script><script>alert(1)</script> [link](javascript:x) # heading *bold*"


def test_trainer_text_is_escaped_in_the_page(client, taxonomy):
    make_exercise(
        "Hostile Row",
        quick_answer=HOSTILE,
        steps=[HOSTILE],
        tips=[HOSTILE],
        mistakes=[HOSTILE],
        faqs=[(HOSTILE, HOSTILE)],
    )

    response = client.get("/exercise/hostile-row")

    content = response.content.decode()
    assert "<script>alert(1)" not in content
    page = html(response)
    urls = [tag.get(name, "") for tag in page.find_all(True) for name in ("href", "src", "action")]
    assert not [url for url in urls if "javascript" in url.lower()]
    assert text(section(response, "Quick answer").p).startswith(HOSTILE)
    for heading in ("How to perform", "Pro tips", "Common mistakes"):
        assert text(section(response, heading).li) == HOSTILE
    assert text(section(response, "FAQ").h3) == HOSTILE
    assert len(page.find_all("script", src=False, type=lambda t: t != "application/ld+json")) == 0

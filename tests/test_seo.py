"""What search engines read on each page: title, description, canonical, robots, Open Graph,
the Markdown alternate and the JSON-LD graph."""

import json

import pytest
from factories import html, make_exercise, text

from exercises.models import BodyPart, CommonMistake, Equipment, Exercise, ProTip, Step

SITE = "https://forge.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def head(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return html(response)


def title(page):
    return text(page.title)


def description(page):
    return page.find("meta", attrs={"name": "description"})["content"]


def robots(page):
    tag = page.find("meta", attrs={"name": "robots"})
    return tag["content"] if tag else None


def canonical(page):
    links = page.find_all("link", rel="canonical")
    assert len(links) <= 1
    return links[0]["href"] if links else None


def graph(page):
    """{@type: [nodes]} of the page's one JSON-LD graph."""
    (script,) = page.find_all("script", type="application/ld+json")
    data = json.loads(script.string)
    assert data["@context"] == "https://schema.org"
    nodes = {}
    for node in data["@graph"]:
        nodes.setdefault(node["@type"], []).append(node)
    return nodes


def only(nodes, kind):
    (node,) = nodes[kind]
    return node


# Titles and descriptions.


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/exercises", "Exercise Library: 13 Guides | Forge"),
        ("/exercises/back", "Back Exercises: 7 Guides | Forge"),
        ("/exercises/intermediate", "Intermediate Exercises: 6 Guides by Difficulty | Forge"),
        ("/exercises/equipment/barbell", "Barbell Exercises: 6 Guides by Equipment | Forge"),
        ("/exercises/muscle/hamstrings", "Hamstring Exercises: 1 Guide by Target Muscle | Forge"),
        ("/exercises/category/mobility", "Mobility Exercises: 1 Guide by Category | Forge"),
        ("/exercises/back/barbell", "Barbell Back Exercises: 5 Guides | Forge"),
        # The hand-made exercises have neither steps nor tips (see the next test).
        ("/exercise/deadlift", "Deadlift: Muscles Worked | Forge"),
    ],
)
def test_titles_count_exactly(client, library, path, expected):
    assert title(head(client, path)) == expected


def test_a_body_part_and_a_muscle_of_the_same_name_have_different_titles(client, library):
    make_exercise("Band Pull Apart", body_part="shoulders", muscle="shoulders")

    body_part = head(client, "/exercises/shoulders")
    muscle = head(client, "/exercises/muscle/shoulders")

    assert title(body_part) == "Shoulder Exercises: 1 Guide | Forge"
    assert title(muscle) == "Shoulder Exercises: 1 Guide by Target Muscle | Forge"
    assert description(body_part) != description(muscle)


def test_titles_keep_the_names_letter_case(client, taxonomy):
    make_exercise("EZ Bar Curl", body_part="arms", equipment="ez-bar", muscle="biceps")
    Equipment.objects.filter(slug="ez-bar").update(intro="")

    page = head(client, "/exercises/equipment/ez-bar")

    assert title(page) == "EZ Bar Exercises: 1 Guide by Equipment | Forge"
    assert description(page) == "1 exercise you can do with EZ bar with the muscles it works."
    assert title(head(client, "/exercise/ez-bar-curl")).startswith("EZ Bar Curl: ")


def test_long_exercise_names_get_shorter_titles(client, taxonomy):
    names = {
        "Single Arm Kettlebell Row": "Single Arm Kettlebell Row: How to Do It and Muscles Worked",
        "Single Arm Kettlebell Clean and Press Up": (
            "Single Arm Kettlebell Clean and Press Up: How to Do It"
        ),
        "Single Arm Kettlebell Clean and Jerk from the Hang": (
            "Single Arm Kettlebell Clean and Jerk from the Hang"
        ),
    }
    for name, expected in names.items():
        exercise = make_exercise(name, steps=["Hinge.", "Row."], tips=["Brace."])
        assert title(head(client, exercise.get_absolute_url())) == f"{expected} | Forge"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {"steps": ["Hinge.", "Lift."], "tips": ["Brace."]},
            "How to Do It, Muscles Worked and Tips",
        ),
        ({"steps": ["Hinge.", "Lift."]}, "How to Do It and Muscles Worked"),
        ({"tips": ["Brace."]}, "Muscles Worked and Tips"),
        ({}, "Muscles Worked"),
    ],
)
def test_an_exercise_title_names_only_what_its_page_has(client, taxonomy, content, expected):
    exercise = make_exercise("Deadlift", **content)
    assert title(head(client, exercise.get_absolute_url())) == f"Deadlift: {expected} | Forge"


def test_hubs_without_an_intro_describe_themselves_from_their_counts(client, library):
    BodyPart.objects.filter(slug="back").update(intro="")
    back = list(Exercise.objects.filter(body_part__slug="back"))
    for exercise in back:
        Step.objects.create(exercise=exercise, text="Brace.", position=1)
    for exercise in back[:2]:
        ProTip.objects.create(exercise=exercise, text="Slowly.", position=1)
        CommonMistake.objects.create(exercise=exercise, text="Rushing.", position=1)

    page = head(client, "/exercises/back")

    # What every back exercise's page has, then what two of them have besides.
    assert description(page) == (
        "7 back exercises, each with step-by-step instructions and the muscles it works; "
        "2 with pro tips and common mistakes."
    )
    assert title(page) == "Back Exercises: 7 Step-by-Step Guides | Forge"


def test_descriptions_use_whole_sentences_of_the_intro(client, library):
    BodyPart.objects.filter(slug="back").update(
        intro="A short first sentence. " + "A second sentence that goes on and on. " * 5
    )

    assert description(head(client, "/exercises/back")) == (
        "A short first sentence. A second sentence that goes on and on. A second sentence "
        "that goes on and on. A second sentence that goes on and on."
    )


def test_exercise_descriptions_are_the_quick_answer_led_by_the_name(client, taxonomy):
    authored = make_exercise("Deadlift", quick_answer="The deadlift lifts a bar off the floor.")
    generated = make_exercise("Rack Pull")
    generated_twin = make_exercise("Block Pull")  # the same attributes as the rack pull

    assert description(head(client, authored.get_absolute_url())) == (
        "The deadlift lifts a bar off the floor. Beginner back exercise using body weight. "
        "Targets lower back."
    )
    assert description(head(client, generated.get_absolute_url())) == (
        "Rack Pull: Beginner back exercise using body weight. Targets lower back."
    )
    assert description(head(client, generated_twin.get_absolute_url())).startswith("Block Pull: ")


@pytest.fixture
def paged_back(library):
    """Back has 7 + 23 = 30 published exercises: two pages."""
    for number in range(23):
        make_exercise(f"Back Extra {number:02}")
    return library


def test_later_pages_have_their_own_title_and_description(client, paged_back):
    first = head(client, "/exercises/back")
    second = head(client, "/exercises/back?page=2")

    # The hand-made exercises have no steps: neither page promises step-by-step guides.
    assert title(first) == "Back Exercises: 30 Guides | Forge"
    assert title(second) == "Back Exercises: 30 Guides – Page 2 | Forge"
    assert description(second) == "Back Exercises: 30 Guides, page 2 of 2: exercises 25–30."
    assert canonical(second) == f"{SITE}/exercises/back?page=2"
    assert robots(second) is None


def test_every_indexable_page_has_a_unique_title_and_description(client, paged_back):
    paths = [
        "/exercises",
        "/exercises?page=2",
        "/exercises/back",
        "/exercises/back?page=2",
        "/exercises/chest",
        "/exercises/legs",
        "/exercises/beginner",
        "/exercises/intermediate",
        "/exercises/advanced",
        "/exercises/equipment/barbell",
        "/exercises/equipment/bodyweight",
        "/exercises/equipment/dumbbell",
        "/exercises/muscle/lower-back",
        "/exercises/muscle/chest",
        "/exercises/category/strength",
        "/exercises/back/barbell",
        *(e.get_absolute_url() for e in Exercise.objects.published()),
    ]
    pages = [head(client, path) for path in paths]
    titles = [title(page) for page in pages]
    descriptions = [description(page) for page in pages]

    assert len(set(titles)) == len(paths)
    assert len(set(descriptions)) == len(paths)
    for page_title in titles:
        assert len(page_title.removesuffix(" | Forge")) <= 60, page_title
    for page_description in descriptions:
        assert 50 <= len(page_description) <= 160, page_description


# What is indexed.


@pytest.mark.parametrize(
    "path",
    [
        "/exercises?body_part=back&difficulty=intermediate",
        "/exercises?q=row",
        "/exercises?sort=recent",
        "/exercises/back/barbell?difficulty=advanced",
        "/exercises?body_part=legs&equipment=dumbbell",  # too few for a combination hub
    ],
)
def test_query_parameter_states_are_noindex_follow_without_a_canonical(client, library, path):
    response = client.get(path, follow=True)
    page = html(response)

    assert robots(page) == "noindex,follow"
    assert canonical(page) is None
    assert page.find("link", rel="alternate", type="text/markdown") is None


def test_pagination_links_of_a_noindex_state_are_nofollow(client, paged_back):
    page = head(client, "/exercises?body_part=back&sort=name")

    assert page.find("a", rel="next")["rel"] == ["next", "nofollow"]
    hub = head(client, "/exercises/back")
    assert hub.find("a", rel="next")["rel"] == ["next"]


def test_an_empty_hub_is_not_indexed(client, library):
    page = head(client, "/exercises/neck")

    assert robots(page) == "noindex,follow"
    assert canonical(page) is None


def test_drafts_are_not_found_by_visitors(client, library):
    assert client.get("/exercise/hidden-back-extension").status_code == 404
    assert client.get("/exercise/hidden-back-extension.md").status_code == 404


def test_a_staff_preview_of_a_draft_is_noindex(client, library, admin_user):
    client.force_login(admin_user)
    page = head(client, "/exercise/hidden-back-extension")

    assert robots(page) == "noindex,nofollow"
    assert canonical(page) is None


# Open Graph and the Markdown alternate.


@pytest.mark.parametrize(
    ("path", "og_type"), [("/exercises/back", "website"), ("/exercise/deadlift", "article")]
)
def test_open_graph_describes_the_page(client, library, path, og_type):
    page = head(client, path)

    def og(name):
        return page.find("meta", property=f"og:{name}")["content"]

    assert og("title") == title(page).removesuffix(" | Forge")
    assert og("description") == description(page)
    assert og("url") == canonical(page) == f"{SITE}{path}"
    assert og("type") == og_type
    assert og("image") == f"{SITE}/static/img/og-image.png"
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"


def test_the_og_image_is_served(client, db):
    response = client.get("/static/img/og-image.png")

    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\x89PNG")
    width, height = int.from_bytes(content[16:20]), int.from_bytes(content[20:24])
    assert (width, height) == (1200, 630)


@pytest.mark.parametrize("path", ["/exercises", "/exercises/back", "/exercise/deadlift"])
def test_pages_advertise_their_markdown_copy_and_the_copy_points_back(client, library, path):
    page = head(client, path)
    alternate = page.find("link", rel="alternate", type="text/markdown")["href"]

    assert alternate == f"{SITE}{path}.md"
    copy = client.get(f"{path}.md")
    assert copy["Link"] == f'<{SITE}{path}>; rel="canonical"'


# JSON-LD.


def test_every_page_has_one_breadcrumb_list_as_shown(client, library):
    page = head(client, "/exercise/deadlift")
    crumbs = only(graph(page), "BreadcrumbList")["itemListElement"]

    assert crumbs == [
        {"@type": "ListItem", "position": 1, "name": "Exercises", "item": f"{SITE}/exercises"},
        {"@type": "ListItem", "position": 2, "name": "Back", "item": f"{SITE}/exercises/back"},
        {
            "@type": "ListItem",
            "position": 3,
            "name": "Deadlift",
            "item": f"{SITE}/exercise/deadlift",
        },
    ]
    visible = [text(li) for li in page.select("nav.breadcrumb li")]
    assert [crumb["name"] for crumb in crumbs] == visible


def test_an_exercise_page_describes_its_steps_tools_and_every_faq(client, spine_stretch):
    spine_stretch.equipment = Equipment.objects.get(slug="foam-roller")
    spine_stretch.save()
    page = head(client, "/exercise/spine-stretch")
    nodes = graph(page)

    web_page = only(nodes, "WebPage")
    assert web_page["url"] == web_page["@id"] == f"{SITE}/exercise/spine-stretch"
    howto = only(nodes, "HowTo")
    assert web_page["mainEntity"] == {"@id": howto["@id"]}
    assert howto["description"] == text(page.select_one(".quick-answer p"))
    assert [step["text"] for step in howto["step"]] == [
        text(li) for li in page.select("ol.steps li")
    ]
    assert [step["position"] for step in howto["step"]] == [1, 2, 3, 4, 5, 6]
    assert howto["tool"] == [{"@type": "HowToTool", "name": "Foam Roller"}]
    faq = only(nodes, "FAQPage")
    visible = [text(h3) for h3 in page.select("section.faq h3")]
    assert [question["name"] for question in faq["mainEntity"]] == visible
    assert len(visible) == 5
    answers = [question["acceptedAnswer"]["text"] for question in faq["mainEntity"]]
    assert all(answer in text(page.select_one("section.faq")) for answer in answers)


def test_body_weight_is_not_a_tool_and_no_steps_means_no_howto(client, taxonomy):
    make_exercise("Plank", steps=["Hold a straight line."])
    make_exercise("Dead Hang")

    plank = graph(head(client, "/exercise/plank"))
    assert "tool" not in only(plank, "HowTo")
    dead_hang = graph(head(client, "/exercise/dead-hang"))
    assert "HowTo" not in dead_hang
    assert "mainEntity" not in only(dead_hang, "WebPage")


def test_a_hub_lists_exactly_the_exercises_on_its_page(client, paged_back):
    first = graph(head(client, "/exercises/back"))
    second_page = head(client, "/exercises/back?page=2")
    second = graph(second_page)

    collection = only(second, "CollectionPage")
    assert collection["url"] == f"{SITE}/exercises/back?page=2"
    items = only(second, "ItemList")
    assert collection["mainEntity"] == {"@id": items["@id"]}
    assert items["numberOfItems"] == 6
    assert [item["name"] for item in items["itemListElement"]] == [
        text(a) for a in second_page.select(".cards .card__title a")
    ]
    assert [item["position"] for item in items["itemListElement"]] == list(range(25, 31))
    assert [item["url"] for item in items["itemListElement"]] == [
        f"{SITE}{a['href']}" for a in second_page.select(".cards .card__title a")
    ]
    assert len(only(first, "ItemList")["itemListElement"]) == 24
    assert "WebSite" not in first


def test_the_library_also_describes_the_site_and_its_publisher(client, library):
    nodes = graph(head(client, "/exercises"))

    website = only(nodes, "WebSite")
    organization = only(nodes, "Organization")
    assert website["name"] == organization["name"] == "Forge"
    assert website["publisher"] == {"@id": organization["@id"]}
    assert website["potentialAction"]["target"]["urlTemplate"] == (
        f"{SITE}/exercises?q={{search_term}}"
    )
    assert only(nodes, "CollectionPage")["isPartOf"] == {"@id": website["@id"]}


def test_trainer_text_cannot_break_out_of_the_json_ld_block(client, taxonomy):
    hostile = "</script><script>alert(1)</script><!-- & -->"
    make_exercise("Hostile", quick_answer=hostile, steps=[hostile], faqs=[(hostile, hostile)])

    response = client.get("/exercise/hostile")
    body = response.content.decode()
    start = body.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    block = body[start : body.index("</script>", start)]

    assert "<" not in block and ">" not in block and "&" not in block
    nodes = graph(html(response))
    assert only(nodes, "HowTo")["step"][0]["text"] == hostile
    assert only(nodes, "FAQPage")["mainEntity"][0]["name"] == hostile

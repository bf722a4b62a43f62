"""The Markdown copies of exercise and hub pages: exact format, exact counts, inert trainer text."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from factories import EXERCISE_SECTIONS, html, make_exercise
from markdown_it import MarkdownIt

EXPECTED = Path(__file__).resolve().parent / "expected"
MARKDOWN = "text/markdown; charset=utf-8"
CALL_TO_ACTION = "Get a personalized workout plan with [Forge](https://forgetrainer.ai).\n"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://forgetrainer.ai"


def get_markdown(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == MARKDOWN
    return response.content.decode()


def rendered(markdown):
    """The Markdown as a CommonMark (plus tables and strikethrough) reader turns it into HTML."""
    source = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    return BeautifulSoup(source, "html.parser")


def test_the_spine_stretch_copy_matches_the_reference_byte_for_byte(client, spine_stretch):
    response = client.get("/exercise/spine-stretch.md")

    assert response.status_code == 200
    assert response["Content-Type"] == MARKDOWN
    assert response.content == (EXPECTED / "spine-stretch.md").read_bytes()


def test_a_copy_names_its_html_page_as_canonical(client, spine_stretch):
    response = client.get("/exercise/spine-stretch.md")

    assert response["Link"] == '<https://forgetrainer.ai/exercise/spine-stretch>; rel="canonical"'


def test_the_html_page_points_to_its_markdown_copy(client, spine_stretch):
    page = html(client.get("/exercise/spine-stretch"))

    alternate = page.find("link", rel="alternate", type="text/markdown")
    assert alternate["href"] == "https://forgetrainer.ai/exercise/spine-stretch.md"


def test_the_call_to_action_comes_from_settings(client, spine_stretch, settings):
    settings.CTA_TEXT = "Plan your training with"
    settings.CTA_URL = "https://example.com/start"

    markdown = get_markdown(client, "/exercise/spine-stretch.md")

    assert markdown.endswith(
        "\n---\n\nPlan your training with [Forge](https://example.com/start).\n"
    )


def test_an_exercise_without_extras_leaves_every_empty_section_out(client, taxonomy):
    make_exercise(
        "Bird Dog", body_part="core", muscle="abs", equipment="bodyweight", category="balance"
    )

    assert get_markdown(client, "/exercise/bird-dog.md") == (
        "# Bird Dog\n"
        "\n"
        "## Quick answer\n"
        "\n"
        "Beginner core exercise using body weight. Targets abs.\n"
        "\n"
        "- **Body Part:** Core\n"
        "- **Equipment:** Body Weight\n"
        "- **Target Muscle:** Abs\n"
        "- **Difficulty:** Beginner\n"
        "- **Category:** Balance\n"
        "\n"
        "---\n"
        "\n"
        "## FAQ\n"
        "\n"
        "### What muscles does the Bird Dog work?\n"
        "\n"
        "The Bird Dog primarily targets the abs. It's classified as a balance exercise for the "
        "core.\n"
        "\n"
        "### Is the Bird Dog good for beginners?\n"
        "\n"
        "Yes, the Bird Dog is rated as a beginner-level exercise. It's a great starting point "
        "for building abs strength.\n"
        "\n"
        "## Related exercises\n"
        "\n"
        "- [More Core Exercises](https://forgetrainer.ai/exercises/core)\n"
        "- [More Body Weight Exercises](https://forgetrainer.ai/exercises/equipment/bodyweight)\n"
        "- [More Ab Exercises](https://forgetrainer.ai/exercises/muscle/abs)\n"
        "\n"
        "---\n"
        "\n" + CALL_TO_ACTION
    )


@pytest.mark.parametrize(
    ("steps", "tips", "mistakes"),
    [
        (["Brace."], [], []),
        ([], ["Go slow."], []),
        ([], [], ["Arching."]),
        (["Brace.", "Reach."], [], ["Arching."]),
    ],
)
def test_only_the_lists_with_entries_appear(client, taxonomy, steps, tips, mistakes):
    make_exercise(
        "Bird Dog", muscle="abs", body_part="core", steps=steps, tips=tips, mistakes=mistakes
    )

    markdown = get_markdown(client, "/exercise/bird-dog.md")

    assert ("## How to perform" in markdown) == bool(steps)
    assert ("## Pro tips" in markdown) == bool(tips)
    assert ("## Common mistakes" in markdown) == bool(mistakes)
    assert "\n\n\n" not in markdown
    lines = markdown.splitlines()
    assert not [line for line in lines if re.fullmatch(r"\s*(?:[-*+]|\d+\.)\s*", line)]
    assert not [line for line in lines if line.rstrip() != line]
    for heading in ("## How to perform", "## Pro tips", "## Common mistakes"):
        if heading in lines:
            # A heading, a blank line, then its first entry.
            first = lines[lines.index(heading) + 2]
            assert re.match(r"(?:- |1\. )\S", first)
    assert "None" not in markdown


# Hub copies: every exercise listed, counted exactly.


def test_a_hub_copy_lists_its_exercises(client, library):
    markdown = get_markdown(client, "/exercises/category/mobility.md")

    assert markdown == (
        "# Mobility Exercises\n"
        "\n"
        "Mobility exercises take your joints actively through their full range of motion, so you "
        "move more freely and comfortably.\n"
        "\n"
        "1 exercise.\n"
        "\n"
        "- [Cat Cow](https://forgetrainer.ai/exercise/cat-cow): Beginner · Lower Back · Body "
        "Weight\n"
        "\n"
        "---\n"
        "\n" + CALL_TO_ACTION
    )


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("/exercises.md", "13 exercises."),
        ("/exercises/back.md", "7 exercises."),
        ("/exercises/advanced.md", "2 exercises."),
        ("/exercises/equipment/dumbbell.md", "4 exercises."),
        ("/exercises/muscle/hamstrings.md", "1 exercise."),
        ("/exercises/category/powerlifting.md", "3 exercises."),
        ("/exercises/back/barbell.md", "5 exercises."),
        ("/exercises/neck.md", "0 exercises."),
        ("/exercises.md?body_part=legs&equipment=dumbbell", "4 exercises matching these filters."),
        ("/exercises.md?q=pendlay", "1 exercise matching these filters."),
    ],
)
def test_a_hub_copy_counts_exactly(client, library, path, count):
    markdown = get_markdown(client, path)

    assert count in markdown.splitlines()
    listed = [line for line in markdown.splitlines() if line.startswith("- [")]
    assert len(listed) == int(count.split()[0])
    words = re.sub(r"\]\([^)]*\)", "]", markdown)  # link targets may end in /exercises)
    assert "exercises)" not in words  # no “1 exercise(s)”
    assert not re.search(r"\d\+", markdown)  # no “24+”
    assert "Bulgarian Split Squat" not in markdown  # drafts are never listed


def test_a_hub_copy_of_more_than_a_page_is_paginated(client, taxonomy):
    """Issue 14: a listing's Markdown copy is paginated like its HTML (it used to list all)."""
    for number in range(30):
        make_exercise(f"Back Move {number:02}")

    first = get_markdown(client, "/exercises/back.md")
    second = get_markdown(client, "/exercises/back.md?page=2")

    assert "30 exercises. Page 1 of 2." in first.splitlines()
    assert first.count("\n- [Back Move ") == 24
    assert second.count("\n- [Back Move ") == 6


# Trainer-written text stays text.

HOSTILE = "</script><script>alert(1)</script> [link](javascript:x) # heading *bold*"


@pytest.fixture
def hostile(taxonomy):
    return make_exercise(
        "Row *Bold* [x](javascript:y) <b>",
        slug="hostile-row",
        quick_answer=HOSTILE,
        steps=["# heading", HOSTILE],
        tips=["*bold*", "> quote"],
        mistakes=["[link](javascript:x)", "- dash", "| a | b |"],
        faqs=[(HOSTILE, "Plain first.\n\n# heading\n\n> quote\n\n- item\n\n<img src=x onerror=y>")],
    )


def test_hostile_trainer_text_is_escaped_in_the_copy(client, hostile):
    markdown = get_markdown(client, "/exercise/hostile-row.md")
    lines = markdown.splitlines()

    assert lines[0] == r"# Row \*Bold\* \[x\](javascript:y) \<b\>"
    assert "1. \\# heading" in lines
    assert "- \\*bold\\*" in lines
    assert "- \\> quote" in lines
    assert "- \\[link\\](javascript:x)" in lines
    assert "- \\- dash" in lines
    assert "\\# heading" in lines
    assert "\\> quote" in lines
    assert "\\- item" in lines
    assert "\\<img src=x onerror=y\\>" in lines
    assert not re.search(r"(?<!\\)<", markdown)


def test_hostile_trainer_text_is_inert_once_rendered(client, hostile):
    page = rendered(get_markdown(client, "/exercise/hostile-row.md"))

    # Only the template's own structure: no raw HTML, no links but the hub links and the CTA.
    assert not page.find_all(["script", "img", "b", "blockquote", "table"])
    assert [a["href"] for a in page.find_all("a")] == [
        "https://forgetrainer.ai/exercises/back",
        "https://forgetrainer.ai/exercises/equipment/bodyweight",
        "https://forgetrainer.ai/exercises/muscle/lower-back",
        "https://forgetrainer.ai",
    ]
    assert [h.name for h in page.find_all(["h1", "h2"])] == ["h1"] + ["h2"] * 6
    assert [h.get_text() for h in page.find_all("h2")] == EXERCISE_SECTIONS
    assert page.h1.get_text() == "Row *Bold* [x](javascript:y) <b>"
    steps = [li.get_text() for li in page.find("ol").find_all("li")]
    assert steps == ["# heading", HOSTILE]


def test_a_paragraph_starting_with_a_number_reads_as_written(client, taxonomy):
    make_exercise("Bird Dog", faqs=[("How do I start?", "1. Kneel on all fours.")])

    page = rendered(get_markdown(client, "/exercise/bird-dog.md"))

    answers = [p.get_text() for p in page.find_all("p")]
    assert "1. Kneel on all fours." in answers


def test_a_tilde_fence_in_trainer_text_does_not_swallow_the_page(client, taxonomy):
    make_exercise("Bird Dog", faqs=[("Any tips?", "Keep it slow.\n\n~~~\n\nBreathe out.")])

    page = rendered(get_markdown(client, "/exercise/bird-dog.md"))

    assert page.find("pre") is None
    assert "Related exercises" in [h2.get_text() for h2 in page.find_all("h2")]


@pytest.mark.parametrize("path", ["/exercises", "/exercises/back", "/exercises?sort=difficulty"])
def test_listing_markdown_is_paginated_like_its_html(client, taxonomy, path):
    """A large library's Markdown copy is served a page at a time, with the same exercises as
    the HTML page and links to the next and previous pages' Markdown copies."""
    from exercises.models import BodyPart, Exercise
    from exercises.synthetic import build_library

    build_library(60)
    back = BodyPart.objects.get(slug="back")
    Exercise.objects.update(status=Exercise.Status.PUBLISHED, body_part=back)
    base, _, query = path.partition("?")
    markdown_base = f"{base}.md" + (f"?{query}" if query else "")
    sep = "&" if query else "?"

    def html_page(number):
        return path if number == 1 else f"{path}{sep}page={number}"

    total = Exercise.objects.count()
    pages = -(-total // 24)

    seen = []
    for number in range(1, pages + 1):
        url = markdown_base if number == 1 else f"{markdown_base}{sep}page={number}"
        markdown = get_markdown(client, url)
        listed = re.findall(r"^- \[(.+?)\]\(", markdown, re.MULTILINE)
        page_html = html(client.get(html_page(number)))
        cards = [a.get_text(strip=True) for a in page_html.select(".card__title a")]
        assert listed == cards, number
        assert f"Page {number} of {pages}." in markdown
        next_link = f"[Next page →](https://forgetrainer.ai{markdown_base}{sep}page={number + 1})"
        assert (next_link in markdown) == (number < pages)
        assert ("[← Previous page](" in markdown) == (number > 1)
        seen += listed
    assert len(seen) == total == len(set(seen))
    assert client.get(f"{markdown_base}{sep}page={pages + 1}").status_code == 404

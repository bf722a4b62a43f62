"""The site's stylesheet, as the browser gets it: rules every page relies on."""

import re

import pytest


def declarations(css, selector):
    """{property: value} of the rule whose selector list is exactly `selector`."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if [s.strip() for s in selectors.split(",")] == [selector]:
            pairs = (d.split(":", 1) for d in body.split(";") if ":" in d)
            return {name.strip(): value.strip() for name, value in pairs}
    pytest.fail(f"no rule for {selector!r}")


def test_long_unbroken_words_wrap_everywhere_instead_of_widening_the_page(client, db):
    # Issue: a 200-character name made pages 2,800 px wide at 390 px. "anywhere" (not
    # "break-word") also lets the cards' grid and the facts' flex items shrink below the word.
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()
    assert declarations(css, "body")["overflow-wrap"] == "anywhere"
    # Nothing that shows names or text turns it off again.
    assert not re.search(r"overflow-wrap:\s*normal|word-break:\s*keep-all", css)

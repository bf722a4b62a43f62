"""Project-wide promises: migrations match the models, and the quick start stays two commands."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db  # makemigrations also checks the applied history against the database
def test_every_model_change_has_a_migration():
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit:
        pytest.fail("Models changed without a migration: run `manage.py makemigrations`.")


def test_readme_quick_start_is_exactly_two_commands():
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    steps = re.findall(r"^\d+\. .*?`([^`]+)`", quick_start, flags=re.MULTILINE)
    assert steps == ["make run", "make test"]

    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, flags=re.MULTILINE)
    assert re.search(r"^test:", makefile, flags=re.MULTILINE)

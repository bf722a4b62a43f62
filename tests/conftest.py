"""Shared fixtures: the real taxonomy and the Spine Stretch, loaded the way the site loads them."""

import runpy

import pytest
from django.core.management import call_command
from settings_env import BASE_DIR, SETTINGS_FILE, SETTINGS_VARIABLES

FIXTURES = BASE_DIR / "fixtures"


@pytest.fixture
def taxonomy(db):
    """Forge's body parts, muscles, equipment, categories and difficulties."""
    call_command("import_exercises", FIXTURES / "taxonomy.json", verbosity=0)


@pytest.fixture
def spine_stretch(taxonomy):
    """The reference exercise, exactly as the published page shows it."""
    from exercises.models import Exercise

    call_command("import_exercises", FIXTURES / "spine-stretch.json", verbosity=0)
    return Exercise.objects.get(slug="spine-stretch")


@pytest.fixture
def load_settings(monkeypatch):
    """Evaluate forge/settings.py afresh under the given variables; return its names."""
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def load(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


@pytest.fixture
def library(taxonomy):
    """The hand-made library of tests/factories.py (13 published, 2 drafts): {name: exercise}."""
    from factories import build_library

    return build_library()


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` run in the PostgreSQL pass and are skipped on SQLite."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://…")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)

"""Shared fixtures: the real taxonomy and the Spine Stretch, loaded the way the site loads them.

The taxonomy is imported once per session, into the test database itself (`django_db_setup`):
every test runs in a transaction that is rolled back, so each one starts from the same rows.
Tests that need a database without it ask for `no_taxonomy`.
"""

import runpy

import pytest
from django.core.management import call_command
from settings_env import BASE_DIR, SETTINGS_FILE, SETTINGS_VARIABLES

FIXTURES = BASE_DIR / "fixtures"
# Django's MD5 hasher, for tests only: the suite logs in and creates accounts hundreds of
# times, and PBKDF2 (production's hasher, which settings.py leaves as Django's default) spends
# about half a second of CPU on each. hashers.CountingHasher counts what it hashes.
TEST_PASSWORD_HASHERS = ["hashers.CountingHasher"]


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = TEST_PASSWORD_HASHERS


def import_taxonomy():
    call_command("import_exercises", FIXTURES / "taxonomy.json", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with Forge's taxonomy imported once for the whole session."""
    from exercises.models import ContentRevision

    with django_db_blocker.unblock():
        import_taxonomy()
        # Without a stored content version, each test makes its own, random one on first use
        # (and loses it with its transaction): no test is answered with pages another cached.
        ContentRevision.objects.all().delete()


@pytest.fixture(autouse=True)
def fresh_taxon_rows():
    """Each test reads taxonomy rows afresh in factories.taxon (its rows may differ)."""
    from factories import forget_taxa

    forget_taxa()


@pytest.fixture
def taxonomy(db):
    """Forge's body parts, muscles, equipment, categories and difficulties."""
    from exercises.models import BodyPart

    # A transactional test (live server, browser) empties the database when it ends.
    if not BodyPart.objects.exists():
        import_taxonomy()


@pytest.fixture
def no_taxonomy(db):
    """A database without any taxonomy, for this test only (its transaction is rolled back)."""
    from exercises.models import FACETS, Muscle

    # Muscles first: they belong to a body part.
    for model in sorted(FACETS, key=lambda model: model is not Muscle):
        model.objects.all().delete()


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

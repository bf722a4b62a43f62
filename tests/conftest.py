"""Shared fixtures: the real taxonomy and the Spine Stretch, loaded the way the site loads them."""

from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


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

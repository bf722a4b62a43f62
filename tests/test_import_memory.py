"""import_exercises on large files: memory that does not grow with the file, and progress
through every phase, on a terminal and in a log."""

import gc
import json
import re
import tracemalloc
from hashlib import sha1
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from exercises.interchange import importer, reading, writer
from exercises.management.commands.import_exercises import LogProgress
from exercises.models import Exercise, Step

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SPINE_STRETCH = json.loads((FIXTURES / "spine-stretch.json").read_text())["exercises"][0]


class Terminal(StringIO):
    """Standard error as a terminal, where progress bars are shown."""

    def isatty(self):
        return True


def library_file(path, count, prefix):
    """A Forge file of `count` exercises whose text is heavy (ten long steps and a long quick
    answer each), so that holding the records would show in memory."""
    words = "Keep the spine long and the ribs down while the hips stay square. " * 14
    records = [
        {
            **SPINE_STRETCH,
            # Names unlike each other (no near-duplicates for the summary to list).
            "name": f"{prefix} {sha1(str(number).encode()).hexdigest()[:12]}",
            "slug": f"{prefix.lower()}-{sha1(str(number).encode()).hexdigest()[:12]}",
            "quick_answer": words[:990],
            "steps": [f"{index}. {words[:990]}" for index in range(10)],
        }
        for number in range(count)
    ]
    library = {"format": "forge-exercise-library", "version": 1, "exercises": records}
    path.write_text(json.dumps(library, indent=2))
    return path


def peak_memory(path):
    """The most memory Python held while importing the file into the database as it is (the
    import is rolled back, so each file meets the same database), in bytes."""
    gc.collect()
    with transaction.atomic():
        tracemalloc.start()
        try:
            call_command("import_exercises", path, stdout=StringIO(), stderr=StringIO())
            assert Exercise.objects.filter(slug__startswith=path.stem).count() > 0
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            transaction.set_rollback(True)


def test_import_memory_does_not_grow_with_the_file(spine_stretch, tmp_path, monkeypatch):
    # Small chunks and blocks, so that a file of a hundred records is many of them.
    monkeypatch.setattr(importer, "CHUNK", 10)
    monkeypatch.setattr(writer, "CHUNK", 10)
    monkeypatch.setattr("exercises.recording.CHUNK", 10)
    monkeypatch.setattr(reading, "BLOCK", 16 * 1024)
    small = library_file(tmp_path / "small.json", 30, "Small")
    large = library_file(tmp_path / "large.json", 120, "Large")
    # A first import fills Django's caches (content types, compiled queries), which would
    # otherwise count against the first file measured.
    call_command("import_exercises", library_file(tmp_path / "warm.json", 10, "Warm"), verbosity=0)

    small_peak, large_peak = peak_memory(small), peak_memory(large)

    grown = large.stat().st_size - small.stat().st_size
    assert grown > 1_000_000
    # Holding the file or its records took 5.8 MB more for its 1.1 MB more (3.6 times the
    # peak); what does grow is what the checks compare (names, slugs): about 3 kB per record
    # here, 0.3 MB in all.
    assert large_peak - small_peak < grown / 2
    assert large_peak < 1.5 * small_peak


def test_the_write_phase_shows_progress_on_a_terminal(spine_stretch, tmp_path):
    stderr = Terminal()
    path = library_file(tmp_path / "library.json", 20, "Shown")
    call_command("import_exercises", path, stdout=StringIO(), stderr=stderr)
    shown = stderr.getvalue()
    for phase in ("Checking exercises", "Comparing names", "Writing exercises"):
        assert f"{phase}: 100%" in shown
    # Recording the history of the exercises follows the writing, and is shown too, like
    # reading the file.
    assert "Reading the file: 100%" in shown
    assert "Recording history: 100%" in shown
    assert "20/20" in shown.split("Recording history")[-1]


def test_a_long_import_logs_progress_lines_when_not_on_a_terminal(
    spine_stretch, tmp_path, monkeypatch
):
    # As if 20 exercises were a library as large as the ones logged.
    monkeypatch.setattr(LogProgress, "LOGGED_FROM", {"exercise": 20, "B": 10 * 2**20})
    stderr = StringIO()
    path = library_file(tmp_path / "library.json", 20, "Logged")
    call_command("import_exercises", path, stdout=StringIO(), stderr=stderr)
    lines = stderr.getvalue().splitlines()
    for phase in ("Checking exercises", "Comparing names", "Writing exercises"):
        assert f"{phase}: 2/20 exercises (10%)" in lines
        assert f"{phase}: 20/20 exercises (100%)" in lines
    assert "Recording history: 20/20 exercises (100%)" in lines
    # Plain lines (no bar redrawn in place); the file (0.2 MB) is too small to log its reading.
    assert all(re.fullmatch(r"[A-Z][a-z ]+: [\d,]+/20 exercises \(\d+0%\)", line) for line in lines)
    assert not any(line.startswith("Reading") for line in lines)
    # A short one writes nothing: test_import_export's test_no_progress_bar_when_not_on_a_terminal.


def test_standard_input_is_read_twice_from_a_copy(spine_stretch, tmp_path, monkeypatch):
    path = library_file(tmp_path / "library.json", 3, "Piped")
    monkeypatch.setattr("sys.stdin", StringIO(path.read_text()))
    out = StringIO()
    call_command("import_exercises", "-", stdout=out, stderr=StringIO())
    assert "exercises: 3 created" in out.getvalue()
    assert Step.objects.filter(exercise__name__startswith="Piped").count() == 30


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"exercises": [], "exercises": []}', '"exercises" is given twice'),
        ('{"format": "forge-exercise-library", "version": 1, "exercises": [{},]}', "trailing"),
    ],
)
def test_a_file_read_a_piece_at_a_time_gets_the_same_messages(db, tmp_path, content, message):
    path = tmp_path / "library.json"
    path.write_text(content)
    with pytest.raises(Exception, match=message):
        call_command("import_exercises", path, stdout=StringIO(), stderr=StringIO())


def test_a_file_changed_between_the_passes_is_refused_and_nothing_is_written(
    spine_stretch, tmp_path, monkeypatch
):
    # The file is read again to write what the first pass checked: if someone saves over it
    # in between, the import stops rather than write records nobody checked.
    path = library_file(tmp_path / "library.json", 3, "Edited")
    write = importer.write

    def write_after_an_edit(*args, **kwargs):
        library_file(path, 4, "Other")
        return write(*args, **kwargs)

    monkeypatch.setattr(importer, "write", write_after_an_edit)
    with pytest.raises(CommandError, match="changed while it was being imported"):
        call_command("import_exercises", path, stdout=StringIO(), stderr=StringIO())
    assert not Exercise.objects.filter(name__startswith="Edited").exists()
    assert not Exercise.objects.filter(name__startswith="Other").exists()

"""The library's import and export: the Forge JSON format (format.py), the importer that
checks a whole file before writing anything (importer.py, the checks of one record in
checks.py), the writer of a checked import (writer.py), and the free-exercise-db reader."""

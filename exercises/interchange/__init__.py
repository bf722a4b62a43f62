"""The library's import and export: the Forge JSON format (format.py), the importer that
checks a whole file before writing it (importer.py), and the free-exercise-db reader."""

from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = "Exercise library"

    def ready(self):
        # Connects the signals that empty the page cache when content changes.
        from . import caching  # noqa: F401

from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = "Exercise library"

    def ready(self):
        """Every model of the app shows on public pages (a new one too): connect them all to
        the content version that retires cached pages and ETags (exercises.caching)."""
        from . import caching
        from .models import ContentRevision

        caching.connect(model for model in self.get_models() if model is not ContentRevision)

"""The project package as an app, so that its system checks are registered at start-up."""

from django.apps import AppConfig


class ForgeConfig(AppConfig):
    name = "forge"
    verbose_name = "Forge"

    def ready(self):
        from . import checks  # noqa: F401 (registers the checks)

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "returnwatch.incidents"
    label = "incidents"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps the search index in step)

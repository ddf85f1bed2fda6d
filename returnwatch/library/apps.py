from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "returnwatch.library"
    label = "library"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps library search text in step with documents)

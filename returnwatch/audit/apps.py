from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "returnwatch.audit"
    label = "audit"

    def ready(self) -> None:
        from . import signing  # noqa: F401  (registers the deploy check)

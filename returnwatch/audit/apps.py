from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "returnwatch.audit"
    label = "audit"

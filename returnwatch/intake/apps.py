from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "returnwatch.intake"
    label = "intake"

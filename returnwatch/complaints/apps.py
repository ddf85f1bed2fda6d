from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "returnwatch.complaints"
    label = "complaints"

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "returnwatch.api"
    label = "api"
    verbose_name = "API"

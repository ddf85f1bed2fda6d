from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "returnwatch.exports"
    label = "exports"

from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "returnwatch.maps"
    label = "maps"
    verbose_name = "Map"

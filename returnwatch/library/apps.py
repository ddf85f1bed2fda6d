from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "returnwatch.library"
    label = "library"

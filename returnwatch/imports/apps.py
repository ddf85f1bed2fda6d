from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Spreadsheet imports: upload, map, check and apply on the background worker."""

    name = "returnwatch.imports"
    label = "imports"

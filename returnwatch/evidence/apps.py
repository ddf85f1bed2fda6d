from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "returnwatch.evidence"
    label = "evidence"
    verbose_name = _("Web captures")
    default_auto_field = "django.db.models.BigAutoField"

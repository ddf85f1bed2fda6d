"""Reference data for the complaint assistant: where complaints go, and where to find free legal help.

Nothing a person types into the assistant is ever stored: there is deliberately no model for a
complaint. These tables hold only public contact details that admins keep up to date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

LANGUAGE_FIELDS = ("en", "es", "ht", "pt", "fr")


class Translated(models.Model):
    """A description written by admins in each of the assistant's languages."""

    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_ht = models.TextField(_("description (Haitian Creole)"), blank=True)
    description_pt = models.TextField(_("description (Portuguese)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)

    class Meta:
        abstract = True

    @property
    def description(self) -> str:
        return self.description_for(translation.get_language() or settings.LANGUAGE_CODE)

    def description_for(self, language: str) -> str:
        # English is the fallback: an untranslated entry still says something useful.
        return getattr(self, f"description_{language[:2]}", "") or self.description_en


class Office(Translated):
    """A government office that takes complaints: CRCL first, then the alternatives.

    Contact details have changed before (and CRCL was cut back in 2025), so each office carries
    the date an admin last checked it; the assistant shows that date beside the details.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    is_primary = models.BooleanField(
        _("is the office the letter is addressed to"),
        default=False,
        help_text=_("Exactly one office (CRCL) should be the addressee of the complaint letter."),
    )
    email = models.EmailField(_("email"), blank=True)
    email_alternative = models.EmailField(_("older or alternative email"), blank=True)
    mail_address = models.TextField(_("mailing address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    toll_free = models.CharField(_("toll-free phone"), max_length=40, blank=True)
    tty = models.CharField(_("TTY"), max_length=40, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    website = models.URLField(_("website or online complaint portal"), blank=True)
    form_url = models.URLField(_("complaint form (PDF)"), blank=True)
    last_verified = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("The day someone checked these details against the office's own pages."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_primary", "position", "name"]
        verbose_name = _("complaint office")
        verbose_name_plural = _("complaint offices")

    def __str__(self) -> str:
        return self.name

    @property
    def mail_lines(self) -> list[str]:
        return [line.strip() for line in self.mail_address.splitlines() if line.strip()]


class LegalServiceLanguage(models.TextChoices):
    """Languages a legal service works in (labels shown in the visitor's language)."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    HAITIAN_CREOLE = "ht", _("Haitian Creole")
    PORTUGUESE = "pt", _("Portuguese")
    FRENCH = "fr", _("French")
    KICHE = "quc", _("K'iche'")
    MAM = "mam", _("Mam")
    QEQCHI = "kek", _("Q'eqchi'")
    OTHER = "other", _("Other languages (ask)")


class LegalService(Translated):
    """A free or low-cost legal service organization, kept by admins."""

    name = models.CharField(_("name"), max_length=200)
    cities = models.ManyToManyField(
        "incidents.City",
        blank=True,
        related_name="legal_services",
        verbose_name=_("cities served"),
    )
    cities_note = models.CharField(
        _("other places served"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'remote consultations anywhere in Mexico'."),
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Language codes, e.g. en, es, ht.")
    )
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=60, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    how_to_reach = models.TextField(
        _("how to reach them"),
        blank=True,
        help_text=_("Hours, walk-in address of the office (never a shelter's), what to bring."),
    )
    is_demo = models.BooleanField(
        _("fictional demonstration entry"),
        default=False,
        help_text=_("Demo entries are shown with a notice. Delete them before going live."),
    )
    active = models.BooleanField(_("active"), default=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("legal service organization")
        verbose_name_plural = _("legal service organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def city_labels(self) -> list[str]:
        from .vocab import term_label

        return [term_label(city) for city in self.cities.all()]

    @property
    def language_labels(self) -> list[str]:
        labels = dict(LegalServiceLanguage.choices)
        return [str(labels.get(code, code)) for code in self.languages]

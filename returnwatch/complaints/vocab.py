"""Shared vocabulary labels in every language of the assistant.

The vocabulary tables (incidents app) carry English and Spanish labels; where a table has no
label yet in Haitian Creole, Portuguese or French, this app's own catalogs translate the
English label, so a person never meets an English-only list in the assistant.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

LABELS = (
    # violence types
    gettext_noop("Kidnapping"),
    gettext_noop("Attempted kidnapping"),
    gettext_noop("Rape"),
    gettext_noop("Sexual assault (other)"),
    gettext_noop("Torture"),
    gettext_noop("Killing"),
    gettext_noop("Attempted killing"),
    gettext_noop("Physical assault"),
    gettext_noop("Robbery or armed robbery"),
    gettext_noop("Extortion"),
    gettext_noop("Threats or intimidation"),
    gettext_noop("Disappearance"),
    gettext_noop("Human trafficking"),
    gettext_noop("Arbitrary detention by authorities"),
    gettext_noop("Other violence"),
    # programs
    gettext_noop("MPP (Remain in Mexico) 2019–2021"),
    gettext_noop("MPP reimplementation 2021–2022"),
    gettext_noop("MPP reinstatement 2025"),
    gettext_noop("Title 42 expulsion"),
    gettext_noop("Metering or waiting to request asylum"),
    gettext_noop("Other or not determined"),
    # cities whose names are words
    gettext_noop("Mexico City"),
    gettext_noop("Other or unknown"),
)


def term_label(term: Any, language: str | None = None) -> str:
    """A vocabulary term's label in `language` (default: the active one)."""
    language = (language or translation.get_language() or "en")[:2]
    stored = getattr(term, f"label_{language}", "")
    if stored:
        return stored
    with translation.override(language):
        return gettext(term.label_en)


def country_name(code: str, language: str | None = None) -> str:
    """A country's name from django-countries' translations (French names for Haitian Creole)."""
    from django_countries import countries

    if not code:
        return ""
    language = (language or translation.get_language() or "en")[:2]
    with translation.override("fr" if language == "ht" else language):
        return str(countries.name(code.upper())) or code.upper()


def country_choices() -> list[tuple[str, str]]:
    from django_countries import countries

    language = (translation.get_language() or "en")[:2]
    with translation.override("fr" if language == "ht" else language):
        names = [(code.lower(), str(name)) for code, name in countries]
    return sorted(names, key=lambda item: item[1])

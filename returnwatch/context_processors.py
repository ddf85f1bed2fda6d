from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation

from returnwatch import public
from returnwatch.languages import is_workspace, language_name, offered


def site(request: HttpRequest) -> dict[str, Any]:
    """Language links for the current page and the fictional-data notice."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    names = dict(settings.LANGUAGES)
    switch = [
        {
            "code": code,
            "name": language_name(code),
            "url": f"{request.path}?lang={code}"
            if is_workspace(request.path)
            else translate_url(request.get_full_path(), code),
            "current": code == current[:2],
        }
        for code in offered(request)
        if code in names
    ]
    prefix = "" if current[:2] == settings.LANGUAGE_CODE else f"/{current[:2]}"
    return {
        "language_switch": switch,
        "lang_prefix": prefix,
        "shows_demo_data": public.shows_demo_data(),
    }

"""Language of the workspace (/staff/, /admin/): these addresses have no language prefix.

Public pages take their language from the address (/es/…). Staff pages follow an explicit
choice (`?lang=es`, remembered in Django's language cookie) or else the browser's language.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

UNPREFIXED_PREFIXES = ("/staff/", "/admin/")


def is_workspace(path: str) -> bool:
    return path.startswith(UNPREFIXED_PREFIXES)


class WorkspaceLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_workspace(request.path_info):
            return self.get_response(request)
        chosen = request.GET.get("lang", "")
        if chosen not in settings.SITE_LANGUAGES:
            chosen = ""
        language = chosen or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in settings.SITE_LANGUAGES:
            language = translation.get_language_from_request(request, check_path=False)[:2]
        if language not in settings.SITE_LANGUAGES:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
            )
        response.headers.setdefault("Content-Language", language)
        return response

"""Which languages a page is offered in, the workspace's language, and compiling catalogs.

Public pages take their language from the address (/es/…, /ht/…, /pt/…, /fr/…; English at the
bare address) and offer every one of settings.SITE_LANGUAGES. The workspace (/staff/, /admin/)
has no language prefix: it follows an explicit choice (`?lang=es`, remembered in Django's
language cookie) or else the browser's language, among settings.WORKSPACE_LANGUAGES.

Translations live in `.po` files (docs/translations.md); `make messages` (this module run as a
script) compiles each into the `.mo` file Django reads. The `.mo` files are not committed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.text import capfirst

UNPREFIXED_PREFIXES = ("/staff/", "/admin/")
PACKAGE_DIR = Path(__file__).resolve().parent


def is_workspace(path: str) -> bool:
    return path.startswith(UNPREFIXED_PREFIXES)


def offered(request: HttpRequest) -> list[str]:
    """The languages the page's language switch lists (a view may narrow them)."""
    if is_workspace(request.path):
        return list(settings.WORKSPACE_LANGUAGES)
    return list(getattr(request, "page_languages", settings.SITE_LANGUAGES))


def language_name(code: str) -> str:
    """A language's name in that language, as a language switch shows it ("Español")."""
    return capfirst(translation.get_language_info(code)["name_local"])


def catalogs() -> list[Path]:
    return sorted(PACKAGE_DIR.glob("**/locale/*/LC_MESSAGES/*.po"))


def compile_catalogs(only_stale: bool = False) -> list[Path]:
    """Write each `.po` file's `.mo` beside it (fuzzy and empty entries are left out, as msgfmt
    does); with only_stale, only where the `.mo` is missing or older than its `.po`."""
    import polib

    written = []
    for po in catalogs():
        mo = po.with_suffix(".mo")
        if only_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        polib.pofile(str(po)).save_as_mofile(str(mo))
        written.append(mo)
    return written


class WorkspaceLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_workspace(request.path_info):
            return self.get_response(request)
        allowed = settings.WORKSPACE_LANGUAGES
        chosen = request.GET.get("lang", "")
        if chosen not in allowed:
            chosen = ""
        language = chosen or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in allowed:
            language = translation.get_language_from_request(request, check_path=False)[:2]
        if language not in allowed:
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


if __name__ == "__main__":
    for path in compile_catalogs(only_stale="--stale" in sys.argv):
        print(path.relative_to(PACKAGE_DIR.parent))

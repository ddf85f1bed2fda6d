"""The CRCL complaint assistant: /complaint/ (the steps), /complaint/document/ (downloads) and
/complaint/where/ (where to send a complaint and where to find free legal help).

Nothing a person types is stored or logged: answers travel in a signed hidden field
(see state.py), documents are built in the request and returned, and every view is marked so
Django's error reports never include the POST values.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db.models import Case, IntegerField, Q, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import letter as letters
from . import pdf, routing
from .forms import ASSISTANT_LANGUAGES, STEP_BY_SLUG, Role, StepForm, steps_for
from .models import LegalService, Office
from .state import State

logger = logging.getLogger(__name__)

# Tip roles of the intake app, by who files here.
TIP_ROLES = {Role.SELF: "harmed", Role.FAMILY: "family", Role.ATTORNEY: "attorney"}
SHARES_PER_HOUR = 10


def _offer_all_languages(request: HttpRequest) -> None:
    request.page_languages = ASSISTANT_LANGUAGES  # type: ignore[attr-defined]  # ours, read by the templates


CHOSEN = "lang"  # ?lang=en on the bare address: an explicit choice of English


def _language_links(request: HttpRequest) -> dict[str, Any]:
    """The header's language links; English carries ?lang=en so choosing it is respected."""
    current = (translation.get_language() or "en")[:2]
    links = []
    for code in ASSISTANT_LANGUAGES:
        url = translate_url(request.path, code)
        links.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": f"{url}?{CHOSEN}=en" if code == settings.LANGUAGE_CODE else url,
                "current": code == current,
            }
        )
    return {"language_switch": links}


def _follow_browser_language(request: HttpRequest) -> HttpResponse | None:
    """On the bare (English) address with no explicit choice, open in the browser's language.

    A Haitian Creole phone that follows a shared link to /complaint/ lands on /ht/complaint/.
    """
    if (translation.get_language() or "en")[:2] != settings.LANGUAGE_CODE:
        return None
    if CHOSEN in request.GET or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return None
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _q in translation.trans_real.parse_accept_lang_header(header):
        base = code.split("-")[0].lower()
        if base in ASSISTANT_LANGUAGES:
            if base == settings.LANGUAGE_CODE:
                return None
            response = HttpResponseRedirect(translate_url(request.path, base))
            patch_vary_headers(response, ["Accept-Language", "Cookie"])
            return response
    return None


def _private(response: HttpResponse) -> HttpResponse:
    """Pages carrying someone's answers must not be kept by the browser or any proxy."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


def _language_buttons(slug: str) -> list[dict[str, Any]]:
    """Switch language inside the form, so the answers come along (a plain link would lose them)."""
    current = (translation.get_language() or "en")[:2]
    buttons = []
    for code in ASSISTANT_LANGUAGES:
        with translation.override(code):
            url = reverse("complaints:assistant")
        buttons.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": url,
                "current": code == current,
                "action": f"goto:{slug}",
            }
        )
    return buttons


def _offices() -> tuple[Office | None, list[Office]]:
    offices = list(Office.objects.filter(active=True))
    primary = next((o for o in offices if o.is_primary), None)
    return primary, [o for o in offices if o is not primary]


def _legal_services(city_codes: list[str] | None = None) -> list[LegalService]:
    qs = LegalService.objects.filter(active=True).prefetch_related("cities")
    if city_codes:
        # Those serving the person's cities first, then the rest.
        serves = Q(cities__code__in=city_codes)
        ids = set(qs.filter(serves).values_list("pk", flat=True))
        qs = qs.annotate(
            near=Case(When(pk__in=ids, then=0), default=1, output_field=IntegerField())
        ).order_by("near", "name")
    return list(qs)


def _reference_context(city_codes: list[str] | None = None) -> dict[str, Any]:
    primary, alternatives = _offices()
    return {
        "office": primary,
        "alternatives": alternatives,
        "legal_services": _legal_services(city_codes),
    }


def _routing_context(concerns: list[str], components: list[str] | None = None) -> dict[str, Any]:
    """The offices for what happened (most fitting first), and the other offices after them."""
    routes = routing.route(concerns, components or []) if concerns else []
    routed = {r.office.pk for r in routes}
    primary, alternatives = _offices()
    return {
        "routes": routes,
        "routes_for": [
            routing.CONCERN_BY_CODE[c] for c in concerns if c in routing.CONCERN_BY_CODE
        ],
        "crcl_routed": any(r.office.code == routing.CRCL for r in routes),
        "alternatives": [o for o in alternatives if o.pk not in routed],
        "concern_choices": routing.CONCERN_CHOICES,
        "concerns": concerns,
    }


# ---------------------------------------------------------------------------- pages


@require_GET
def where(request: HttpRequest) -> HttpResponse:
    _offer_all_languages(request)
    redirect = _follow_browser_language(request)
    if redirect:
        return redirect
    concerns = [c for c in request.GET.getlist("about") if c in routing.CONCERN_BY_CODE]
    context = {**_reference_context(), **_routing_context(concerns), **_language_links(request)}
    response = render(request, "complaints/where.html", context)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def assistant(request: HttpRequest) -> HttpResponse:
    _offer_all_languages(request)
    if request.method == "GET":
        redirect = _follow_browser_language(request)
        if redirect:
            return redirect
        context = {
            **_reference_context(),
            **_language_links(request),
            "step_count": len(steps_for(Role.SELF)),
        }
        response = render(request, "complaints/intro.html", context)
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response
    return _private(_step(request))


@sensitive_variables()
def _step(request: HttpRequest) -> HttpResponse:
    state = State.load(request.POST.get("state"))
    current = request.POST.get("step", "")
    action = request.POST.get("action", "next")
    if current in STEP_BY_SLUG:
        state.take(current, request.POST)

    slugs = state.slugs  # the consent step only when someone else files
    if action == "start" or (action == "next" and current not in STEP_BY_SLUG):
        return _render_step(request, state, slugs[0])
    if action.startswith("goto:"):
        target = action.removeprefix("goto:")
        if target == "review":
            return _finish(request, state)
        return _render_step(request, state, target if target in slugs else slugs[0])
    if current not in slugs:  # a step left behind when the filer changed who is filing
        return _render_step(request, state, slugs[0])
    index = slugs.index(current)
    if action == "back":
        return _render_step(request, state, slugs[max(index - 1, 0)])
    form = state.bound(current)
    if not form.is_valid():
        return _render_step(request, state, current, form=form)
    if index + 1 < len(slugs):
        return _render_step(request, state, slugs[index + 1])
    return _finish(request, state)


@sensitive_variables()
def _render_step(
    request: HttpRequest,
    state: State,
    slug: str,
    form: StepForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    step = STEP_BY_SLUG[slug]
    steps = state.steps
    index = state.slugs.index(slug)
    form = form or state.unbound(slug)
    context = {
        "step": step,
        "number": index + 1,
        "total": len(steps),
        "steps": [
            {
                "slug": s.slug,
                "title": s.title,
                "done": s.slug in state.answers,
                "current": s is step,
            }
            for s in steps
        ],
        "form": form,
        "groups": _groups(form, slug),
        "token": state.dump(),
        "is_first": index == 0,
        "is_last": index == len(steps) - 1,
        "all_answered": all(s in state.answers for s in state.slugs),
        "for_someone_else": state.for_someone_else,
        "notice": notice,
        "language_buttons": _language_buttons(slug),
        **_language_links(request),
    }
    return render(request, "complaints/step.html", context, status=status)


def _groups(form: StepForm, slug: str) -> list[tuple[str, list[Any]]]:
    """Fields grouped under a legend where a step has optional parts."""
    layout: dict[str, list[tuple[str, list[str]]]] = {
        "filer": [
            ("", ["filer_role"]),
            (
                _("Only if you are filing for someone else"),
                [
                    "rep_name",
                    "rep_organization",
                    "rep_relationship",
                    "rep_phone",
                    "rep_email",
                    "rep_address",
                ],
            ),
        ],
        "return": [
            ("", ["return_date", "port_of_entry", "return_city", "program"]),
            (
                _("When and where the harm happened"),
                ["incident_date", "incident_time", "incident_city", "incident_place"],
            ),
        ],
        "share": [("", ["share"]), (_("If you share"), ["share_fields", "consent_publish"])],
    }
    groups = layout.get(slug) or [("", [f.name for f in form.visible_fields()])]
    return [(legend, [form[name] for name in names]) for legend, names in groups]


@sensitive_variables()
def _finish(request: HttpRequest, state: State) -> HttpResponse:
    cleaned, bad_form, slug = state.clean_all()
    if bad_form is not None:
        return _render_step(
            request,
            state,
            slug,
            form=bad_form,
            notice=_("Please check this step before the complaint can be made."),
        )
    shared_now = False
    share_failed = False
    if cleaned.get("share") and not state.receipt:
        receipt = _share(request, cleaned, state.role)
        if receipt:
            state.receipt, shared_now = receipt, True
        else:
            share_failed = True
    return _render_review(request, state, cleaned, shared_now, share_failed)


@sensitive_variables()
def _render_review(
    request: HttpRequest,
    state: State,
    cleaned: dict[str, Any],
    shared_now: bool = False,
    share_failed: bool = False,
) -> HttpResponse:
    current = (translation.get_language() or "en")[:2]
    own = cleaned.get("language", "en")
    summary = letters.build(cleaned, current)
    english = letters.build(cleaned, "en")
    cities = [c.code for c in (cleaned.get("return_city"), cleaned.get("incident_city")) if c]
    context = {
        **_reference_context(cities),
        **_routing_context(cleaned.get("concerns") or [], cleaned.get("components") or []),
        "token": state.dump(),
        "summary": summary,
        "sections": [
            {
                "section": section,
                "edit": [
                    (slug, STEP_BY_SLUG[slug].title) for slug in SECTION_STEPS[section.number]
                ],
            }
            for section in summary.sections
        ],
        "email_subject": english.subject,
        "email_text": letters.to_text(english),
        "own_language": own,
        "own_language_name": translation.get_language_info(own)["name_local"],
        "for_someone_else": state.for_someone_else,
        "receipt": state.receipt,
        "shared_now": shared_now,
        "share_failed": share_failed,
        "language_buttons": _language_buttons("review"),
        **_language_links(request),
    }
    return render(request, "complaints/review.html", context)


# Which steps each section of the letter comes from (for the summary's "Change" buttons).
SECTION_STEPS = {
    1: ["filer", "person"],
    2: ["return"],
    3: ["witnesses"],
    4: ["officers"],
    5: ["officials", "harm"],
    6: ["documents"],
    7: ["steps"],
    8: ["filer", "consent"],
}


@sensitive_variables()
def _share(request: HttpRequest, a: dict[str, Any], role: str) -> str:
    """Create a tip with only what the person chose to share; return its receipt code."""
    from returnwatch.intake.privacy import allow
    from returnwatch.intake.submissions import create_tip

    if not allow(request, "complaint-share", SHARES_PER_HOUR):
        return ""
    chosen = set(a.get("share_fields") or [])
    data: dict[str, Any] = {
        "submitter_role": TIP_ROLES.get(role, "other"),
        "language": (translation.get_language() or "en")[:2],
        "consent_publish": bool(a.get("consent_publish")),
        "consent_contact": False,
        "consent_crcl": False,
    }
    if "when-where" in chosen:
        city = a.get("incident_city") or a.get("return_city")
        harm_date = a.get("incident_date") or a.get("return_date")
        data["city"] = city.code if city else ""
        data["date"] = harm_date.isoformat() if harm_date else ""
        data["program"] = a["program"].code if a.get("program") else ""
        data["port_of_entry"] = a["port_of_entry"].code if a.get("port_of_entry") else ""
    if "types" in chosen:
        data["violence_types"] = [t.code for t in a.get("violence_types", [])]
    if "fear" in chosen:
        data["fear_expressed"] = a.get("fear_expressed", "unknown")
    if "nationality" in chosen and a.get("nationality"):
        data["nationalities"] = [a["nationality"]]
    if "narrative" in chosen:
        data["narrative"] = a.get("narrative", "")
    else:
        # The intake needs some text; this says why there is none.
        data["narrative"] = (
            "Shared from the complaint assistant without a description "
            "(the person chose to share only the details listed)."
        )
    if "contact" in chosen:
        if role == Role.SELF:
            ways = [a.get("phone", ""), a.get("email", "")]
        else:
            ways = [a.get("rep_phone", ""), a.get("rep_email", "")]
        data["contact"] = "\n".join(w for w in ways if w)
        data["consent_contact"] = bool(data["contact"])
    try:
        _tip, code = create_tip(data, source="complaint")
    except Exception:
        # Never log the data itself: only that sharing failed.
        logger.warning("complaint assistant: sharing the anonymized account failed")
        return ""
    return code


# ---------------------------------------------------------------------------- documents


@require_POST
@sensitive_post_parameters()
@sensitive_variables()
def document(request: HttpRequest) -> HttpResponse:
    """Build the PDF or text in this request and return it; nothing is kept."""
    _offer_all_languages(request)
    state = State.load(request.POST.get("state"))
    cleaned, bad_form, slug = state.clean_all()
    if bad_form is not None:
        return _private(
            _render_step(
                request,
                state,
                slug,
                form=bad_form,
                notice=_("Please check this step before the complaint can be made."),
            )
        )
    output = request.POST.get("output", "pdf")
    language = cleaned.get("language", "en") if output.endswith("-own") else "en"
    letter = letters.build(cleaned, language)
    stamp = timezone.localdate().isoformat()
    if output.startswith("txt"):
        response = HttpResponse(letters.to_text(letter), content_type="text/plain; charset=utf-8")
        filename = f"crcl-complaint-{stamp}-{language}.txt"
    else:
        response = HttpResponse(pdf.render(letter), content_type="application/pdf")
        filename = f"crcl-complaint-{stamp}-{language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)

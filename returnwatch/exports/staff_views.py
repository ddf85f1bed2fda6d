"""Workspace pages under /staff/data/: API tokens (make, revoke). Researchers and above.
(Spreadsheet imports, also under /staff/data/, are the imports app's.)"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from returnwatch import access
from returnwatch.accounts.permissions import researcher_required
from returnwatch.audit import log

from .models import ApiToken

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 200


# ---------------------------------------------------------------------------- tokens


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What will use this token?"),
        max_length=100,
        help_text=gettext_lazy(
            "For example “partner case tracker”. You can revoke it at any time."
        ),
    )


@researcher_required
def tokens(request: HttpRequest) -> HttpResponse:
    """Your tokens; admins (with a second factor) also see everyone's active tokens."""
    form = TokenForm(request.POST or None)
    new_secret = ""
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            token, new_secret = ApiToken.issue(request.user, form.cleaned_data["name"])
            log.record(request.user, "create", token, ["name"], note="API token")
        form = TokenForm()
    visible = access.visible_api_tokens(request.user, access.verified(request))
    mine = visible.filter(user=request.user).select_related("user")
    others = visible.active().exclude(user=request.user).select_related("user")
    context = {"form": form, "mine": mine, "others": others, "new_secret": new_secret}
    return render(request, "exports/staff/tokens.html", context)


@researcher_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    visible = access.visible_api_tokens(request.user, access.verified(request))
    token = get_object_or_404(visible.select_related("user"), pk=pk)
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoke()
            log.record(request.user, "revoke", token, ["revoked_at"], note="API token")
        messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("staff:data_tokens")

"""Saved searches in the workspace (/staff/searches/): each staff member's own, seen by nobody
else (access.visible_saved_searches)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from returnwatch import access
from returnwatch.accounts.permissions import researcher_required

from . import actions
from .forms import SaveSearchForm


@researcher_required
def saved_searches(request: HttpRequest) -> HttpResponse:
    """The user's saved searches; a POST saves the search it was sent from."""
    form = SaveSearchForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            saved = actions.save_search(
                request.user, form.cleaned_data["name"], form.cleaned_data["query"]
            )
            messages.success(request, _("Search “%(name)s” saved.") % {"name": saved.name})
            return redirect("staff:saved_searches")
        messages.error(request, _("Give the search a name to save it."))
    rows = access.visible_saved_searches(request.user)
    return render(request, "subscriptions/staff/saved_searches.html", {"saved": rows})


@researcher_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(access.visible_saved_searches(request.user), pk=pk)
    actions.delete_saved_search(saved)
    messages.success(request, _("Search “%(name)s” deleted.") % {"name": saved.name})
    return redirect("staff:saved_searches")

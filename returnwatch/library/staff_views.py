"""The library in the researchers' workspace (/staff/library/).

Researchers add and edit library items (a new document, or one already cited by cases),
record a lawsuit's status changes and key filings, and see every case citing an item, in
any status. Every write is one transaction with its entry in the change history. Who sees
and changes which item is decided by returnwatch/access.py: an item belongs to the
organization that holds its document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from returnwatch import access, public
from returnwatch.accounts.permissions import StaffRequest, researcher_required
from returnwatch.audit import log
from returnwatch.audit.actions import Action
from returnwatch.incidents import files
from returnwatch.incidents.models import (
    Citation,
    Document,
    DocumentKind,
    Incident,
    Status,
    public_q,
)

from .forms import KeyFilingForm, LibraryItemForm, StatusChangeForm
from .models import KeyFiling, LawsuitStatusChange, LibraryItem, LibraryKind, latest_status

PAGE_SIZE = 50


def _visible(request: HttpRequest) -> QuerySet[Incident, Mapping[str, Any]]:
    """The incidents this user may see (partners: published ones and their own organization's)."""
    return access.visible_incidents(request.user).values("pk")


def _items(request: HttpRequest) -> QuerySet[LibraryItem]:
    return access.visible_library_items(request.user)


def _changeable_item(request: HttpRequest, pk: int, **filters: Any) -> LibraryItem:
    """An item this user may see (else 404) and change (else 403)."""
    item = get_object_or_404(_items(request).select_related("document__kind"), pk=pk, **filters)
    if not access.can(request, "change", item):
        raise PermissionDenied
    return item


def document_locked(request: HttpRequest, document: Document | None) -> bool:
    """The document's own details follow the document's rule (access.py): a document cited
    by a public case has public details that only editors change; library fields stay
    editable."""
    if document is None or document.pk is None:
        return False
    return not access.can(request, "change", document)


def _search(qs: QuerySet[Any], q: str, *fields: str) -> QuerySet[Any]:
    for word in q.split()[:8]:
        cond = Q()
        for f in fields:
            cond |= Q(**{f"{f}__icontains": word})
        qs = qs.filter(cond)
    return qs


@researcher_required
def item_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    qs = _items(request).select_related("document")
    qs = _search(qs, q, "document__title", "title_es", "document__publisher", "docket_number")
    if kind in LibraryKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("-updated_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    # Counted for the rows shown only: counting every item first is slow with many citations.
    counts = _citing_counts(request, [item.pk for item in page.object_list])
    for item in page.object_list:
        item.citing, item.citing_published = counts.get(item.pk, (0, 0))  # type: ignore[attr-defined]  # for the template
    context = {"page": page, "q": q, "kind": kind, "kinds": LibraryKind.choices}
    return render(request, "library/staff/list.html", context)


def _citing_counts(request: HttpRequest, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(cases this user may see, published cases) citing each item."""
    rows = (
        LibraryItem.objects.filter(pk__in=ids)
        .annotate(
            citing=Count(
                "document__citations",
                filter=Q(document__citations__incident__in=_visible(request)),
                distinct=True,
            ),
            citing_published=Count(
                "document__citations",
                filter=public_q("document__citations__incident__"),
                distinct=True,
            ),
        )
        .values_list("pk", "citing", "citing_published")
    )
    return {pk: (a, b) for pk, a, b in rows}


def _save_item(request: StaffRequest, form: LibraryItemForm, *, new: bool) -> LibraryItem:
    """Save the document and the item from a valid form, with their history entries."""
    with transaction.atomic():
        document, doc_fields = form.apply_document(request.user)
        document_new = document.pk is None
        document.save()
        if document_new:
            log.record(request.user, Action.CREATE, document, doc_fields, about=document)
        elif doc_fields:
            log.record(request.user, Action.UPDATE, document, doc_fields, about=document)
        item = form.save(commit=False)
        item.document = document
        if not item.slug:
            item.slug = form.unique_slug()
        if new:
            item.created_by = request.user
        item.save()
        form.save_m2m()
        fields = [f for f in form.changed_data if f in LibraryItemForm.Meta.fields]
        if new or fields:
            log.record(
                request.user, Action.LIBRARY_CREATE if new else Action.LIBRARY_UPDATE, item, fields
            )
        if new and item.kind == LibraryKind.LAWSUIT and item.lawsuit_status:
            # The status known when the lawsuit is entered starts its dated history.
            change = LawsuitStatusChange.objects.create(
                item=item,
                date=item.filing_date or document.date_published or item.created_at.date(),
                status=item.lawsuit_status,
                created_by=request.user,
            )
            log.record(request.user, Action.LIBRARY_STATUS, change, ["status", "date"], about=item)
    return item


@researcher_required
def item_create(request: StaffRequest) -> HttpResponse:
    form = LibraryItemForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "GET" and request.GET.get("kind") in LibraryKind.values:
        form.initial["kind"] = request.GET["kind"]
    if request.method == "POST" and form.is_valid():
        item = _save_item(request, form, new=True)
        messages.success(request, _("Library item added."))
        return redirect("staff:library_detail", item.pk)
    return render(request, "library/staff/form.html", {"form": form, "item": None})


@researcher_required
def item_edit(request: StaffRequest, pk: int) -> HttpResponse:
    item = _changeable_item(request, pk)
    form = LibraryItemForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        instance=item,
        lock_document=document_locked(request, item.document),
    )
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            _save_item(request, form, new=False)
            messages.success(request, _("Changes saved."))
        return redirect("staff:library_detail", item.pk)
    return render(request, "library/staff/form.html", {"form": form, "item": item})


@researcher_required
def mark_list(request: HttpRequest) -> HttpResponse:
    """Documents cited by cases that are not library items yet (public kinds only)."""
    q = request.GET.get("q", "").strip()
    visible = _visible(request)
    qs = (
        access.visible_documents(request.user)
        .filter(kind__public=True, library_item__isnull=True)
        .filter(pk__in=Citation.objects.filter(incident__in=visible).values("document_id"))
        .select_related("kind")
        .annotate(
            citing=Count("citations", filter=Q(citations__incident__in=visible), distinct=True)
        )
    )
    qs = _search(qs, q, "title", "publisher", "url")
    page = Paginator(qs.order_by("-citing", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "library/staff/mark.html", {"page": page, "q": q})


@researcher_required
def mark_document(request: StaffRequest, document_id: int) -> HttpResponse:
    document = get_object_or_404(
        access.visible_documents(request.user).select_related("kind"), pk=document_id
    )
    existing = LibraryItem.objects.filter(document=document).first()
    if existing is not None:
        messages.info(request, _("This document is already in the library."))
        return redirect("staff:library_detail", existing.pk)
    if not document.kind.public:
        raise Http404  # interviews and tips never become public library items
    if not access.can(request, "add_to_library", document):
        raise PermissionDenied
    form = LibraryItemForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        document=document,
        lock_document=document_locked(request, document),
    )
    if request.method == "POST" and form.is_valid():
        item = _save_item(request, form, new=True)
        messages.success(request, _("The document is now shown in the library."))
        return redirect("staff:library_detail", item.pk)
    context = {"form": form, "item": None, "document": document}
    return render(request, "library/staff/form.html", context)


def _incident_url(reference: str) -> str:
    try:
        return reverse("staff:incident_detail", args=[reference])
    except NoReverseMatch:  # the incidents workspace names its page differently
        return ""


def _detail_context(request: HttpRequest, item: LibraryItem) -> dict[str, Any]:
    incidents = (
        access.visible_incidents(request.user)
        .filter(citations__document=item.document)
        .order_by("-date", "-id")
    )
    counts = dict(incidents.values_list("status").annotate(n=Count("pk")).order_by())
    published = public.with_incident_counts(LibraryItem.objects.filter(pk=item.pk)).first()
    history = sorted(
        [*log.history(item), *log.history(item.document)], key=lambda e: e.id, reverse=True
    )[:100]
    return {
        "item": item,
        "document": item.document,
        "citing": [(i, _incident_url(i.reference)) for i in incidents],
        "status_counts": [(s.label, counts.get(s.value, 0)) for s in Status],
        "published_count": getattr(published, "incident_count", 0),
        "changes": item.status_changes.all(),
        "filings": item.key_filings.select_related("document__kind"),
        "status_form": StatusChangeForm(),
        "filing_form": KeyFilingForm(user=request.user),
        "history": history,
        "can_change": access.can(request, "change", item),
        "public_url": item.get_absolute_url() if item.listed and item.document.kind.public else "",
    }


@researcher_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_items(request).select_related("document__kind"), pk=pk)
    return render(request, "library/staff/detail.html", _detail_context(request, item))


@researcher_required
@require_POST
def status_add(request: StaffRequest, pk: int) -> HttpResponse:
    item = _changeable_item(request, pk, kind=LibraryKind.LAWSUIT)
    form = StatusChangeForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            change = form.save(commit=False)
            change.item = item
            change.created_by = request.user
            change.save()
            log.record(request.user, Action.LIBRARY_STATUS, change, form.changed_data, about=item)
            status = latest_status(item)
            if status != item.lawsuit_status:
                item.lawsuit_status = status
                item.save(update_fields=["lawsuit_status", "updated_at"])
                log.record(request.user, Action.LIBRARY_UPDATE, item, ["lawsuit_status"])
        messages.success(request, _("Status change recorded."))
        return redirect("staff:library_detail", item.pk)
    return _detail_with_errors(request, item, status_form=form)


@researcher_required
@require_POST
def status_delete(request: HttpRequest, pk: int, change_id: int) -> HttpResponse:
    item = _changeable_item(request, pk)
    change = get_object_or_404(LawsuitStatusChange, pk=change_id, item=item)
    with transaction.atomic():
        log.record(request.user, Action.LIBRARY_STATUS_DELETE, change, about=item)
        change.delete()
        status = latest_status(item)
        if status != item.lawsuit_status:
            item.lawsuit_status = status
            item.save(update_fields=["lawsuit_status", "updated_at"])
            log.record(request.user, Action.LIBRARY_UPDATE, item, ["lawsuit_status"])
    messages.success(request, _("Status change removed."))
    return redirect("staff:library_detail", item.pk)


@researcher_required
@require_POST
def filing_add(request: StaffRequest, pk: int) -> HttpResponse:
    item = _changeable_item(request, pk)
    form = KeyFilingForm(request.POST, request.FILES or None, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            document = data.get("existing")
            if document is None:
                document = Document(
                    kind=DocumentKind.objects.get(code="court"),
                    title=data["title"],
                    url=data.get("url") or "",
                    date_published=data.get("date_published"),
                    publisher=item.court,
                    created_by=request.user,
                )
                fields = ["kind", "title", "url", "date_published", "publisher"]
                if data.get("file") and form.inspected:
                    files.attach(document, data["file"], form.inspected, request.user)
                    fields += ["sha256", "size", "media_type"]
                document.save()
                log.record(request.user, Action.CREATE, document, fields, about=document)
            if document.pk == item.document_id:
                messages.error(request, _("An item cannot be its own key filing."))
                return redirect("staff:library_detail", item.pk)
            filing, created = KeyFiling.objects.get_or_create(
                item=item, document=document, defaults={"position": item.key_filings.count()}
            )
            if created:
                log.record(
                    request.user, Action.LIBRARY_FILING_ADD, filing, ["document"], about=item
                )
        messages.success(request, _("Key filing added."))
        return redirect("staff:library_detail", item.pk)
    return _detail_with_errors(request, item, filing_form=form)


@researcher_required
@require_POST
def filing_remove(request: HttpRequest, pk: int, filing_id: int) -> HttpResponse:
    item = _changeable_item(request, pk)
    filing = get_object_or_404(KeyFiling, pk=filing_id, item=item)
    with transaction.atomic():
        log.record(request.user, Action.LIBRARY_FILING_REMOVE, filing, ["document"], about=item)
        filing.delete()  # the document itself stays: it is evidence
    messages.success(request, _("Key filing removed from the lawsuit."))
    return redirect("staff:library_detail", item.pk)


def _detail_with_errors(request: HttpRequest, item: LibraryItem, **forms: Any) -> HttpResponse:
    """The item's page again, with the form that failed and its errors."""
    context = _detail_context(request, item)
    context.update(forms)
    return render(request, "library/staff/detail.html", context, status=400)

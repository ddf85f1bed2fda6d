"""The staff rule book: what each staff member may see and do (docs/security.md, as a table).

As `returnwatch/public.py` decides for the public, this module decides for staff. Every staff
view, API endpoint, import, merge and background job asks here, and nowhere else:

- `visible_<kind>(user)`: the rows of that kind the user may see. Anything else answers 404,
  exactly like a row that does not exist.
- `may(user, action, obj, verified=...)`: whether the user may take `action` on one object it
  can see; `can(request, ...)` is the same with the session's second factor.

The rules (a coalition: one lead organization, several partners):

- Staff are active users with a role (researcher < editor < admin). Superusers count as staff
  of the lead organization.
- Lead organization: sees everything and changes everything.
- A partner's staff: see published incidents, their own organization's incidents in every
  status, their own organization's documents and documents of public kinds, and the tips
  assigned to them. They change only their own organization's records.
- Staff with no organization: see published incidents and documents of public kinds; change
  nothing (an admin gives them an organization first).
- What the public sees changes only by an editor (or admin) with a second factor in this
  session: publishing, retracting, taking back, merging, deleting, changing a public record or
  a document a public record cites. An API token carries no second factor.
- Restricted parts of an incident (narrative, persons, archived files, evidence bundle,
  history) are for the organization that holds the record, and the lead.
- A citation needs a document the user may see; a merge needs the right to merge both records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from returnwatch.accounts import twofactor
from returnwatch.accounts.models import Role, User
from returnwatch.incidents.models import Citation, Document, Incident, Person, Status

if TYPE_CHECKING:
    from returnwatch.api.models import ApiTokenQuerySet

PUBLIC_STATUSES = (Status.PUBLISHED, Status.RETRACTED)


# ---------------------------------------------------------------------------- who


def is_staff(user: Any) -> bool:
    """An active, signed-in user with a role (researcher or higher)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.RESEARCHER))


def is_lead(user: Any) -> bool:
    """Staff of the lead organization (and superusers): they see everything."""
    if not is_staff(user):
        return False
    return bool(user.is_superuser or (user.organization_id and user.organization.is_lead))


def _org(user: Any) -> int | None:
    return user.organization_id if is_staff(user) else None


def _editor(user: Any, verified: bool) -> bool:
    return bool(is_staff(user) and user.has_role(Role.EDITOR) and verified)


def verified(request: HttpRequest) -> bool:
    """This session passed a second factor (django-otp); an API token never has."""
    return twofactor.is_verified(request)


# ---------------------------------------------------------------------------- what they see


def visible_incidents(user: Any) -> QuerySet[Incident]:
    """Lead: all. Partner: published plus their organization's. No organization: published."""
    qs = Incident.objects.all()
    if not is_staff(user):
        return qs.none()
    if is_lead(user):
        return qs
    published = Q(status=Status.PUBLISHED)
    org = _org(user)
    return qs.filter(published | Q(organization_id=org) if org else published)


def restricted_incidents(user: Any) -> QuerySet[Incident]:
    """Incidents whose restricted parts (narrative, persons, files, history) the user reads."""
    qs = Incident.objects.all()
    if is_lead(user):
        return qs
    org = _org(user)
    return qs.filter(organization_id=org) if org else qs.none()


def visible_documents(user: Any) -> QuerySet[Document]:
    """Lead: all. Others: documents of public kinds, and their own organization's."""
    qs = Document.objects.all()
    if not is_staff(user):
        return qs.none()
    if is_lead(user):
        return qs
    org = _org(user)
    public_kind = Q(kind__public=True)
    return qs.filter(public_kind | Q(created_by__organization_id=org) if org else public_kind)


def _own_documents(user: Any) -> QuerySet[Document]:
    """Documents the user's organization holds (the lead holds all)."""
    if is_lead(user):
        return Document.objects.all()
    org = _org(user)
    return (
        Document.objects.filter(created_by__organization_id=org) if org else Document.objects.none()
    )


def file_documents(user: Any) -> QuerySet[Document]:
    """Documents whose archived files — the uploaded copy and web captures — the user may
    open: their own organization's (the lead's: all)."""
    return _own_documents(user) if is_staff(user) else Document.objects.none()


def visible_citations(user: Any) -> QuerySet[Citation]:
    """A citation shows when both its incident and its document do."""
    return Citation.objects.filter(
        incident__in=visible_incidents(user), document__in=visible_documents(user)
    )


def visible_persons(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(incident__in=restricted_incidents(user))


def visible_tips(user: Any) -> QuerySet[Any]:
    """Lead: all tips. Everyone else: the tips assigned to them."""
    from returnwatch.intake.models import Tip

    if not is_staff(user):
        return Tip.objects.none()
    if is_lead(user):
        return Tip.objects.all()
    return Tip.objects.filter(assignee=user)


def visible_tip_notes(user: Any) -> QuerySet[Any]:
    from returnwatch.intake.models import TipNote

    return TipNote.objects.filter(tip__in=visible_tips(user))


def visible_tip_attachments(user: Any) -> QuerySet[Any]:
    from returnwatch.intake.models import TipAttachment

    return TipAttachment.objects.filter(tip__in=visible_tips(user))


def assignable_users(user: Any) -> QuerySet[User]:
    """Whom a tip or record may be assigned to: the lead assigns anyone; others their own
    organization's staff (a partner cannot hand a witness's tip to another organization)."""
    qs = User.objects.filter(is_active=True, role__in=[r.value for r in Role]).order_by("username")
    if is_lead(user):
        return qs
    org = _org(user)
    return qs.filter(organization_id=org) if org else qs.filter(pk=getattr(user, "pk", None))  # type: ignore[misc]  # pk=None: matches nobody


def visible_library_items(user: Any) -> QuerySet[Any]:
    from returnwatch.library.models import LibraryItem

    return LibraryItem.objects.filter(document__in=visible_documents(user))


def visible_api_tokens(user: Any, verified: bool = False) -> ApiTokenQuerySet:
    """Your own tokens; a lead-organization admin with a second factor sees everyone's."""
    from returnwatch.api.models import ApiToken

    if not is_staff(user):
        return ApiToken.objects.none()
    if is_lead(user) and user.has_role(Role.ADMIN) and verified:
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user=user)


def visible_imports(user: Any) -> QuerySet[Any]:
    """An uploaded spreadsheet may hold restricted text: only its uploader sees it."""
    from returnwatch.imports.models import ImportBatch

    if not is_staff(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(created_by=user)


def visible_import_mappings(user: Any) -> QuerySet[Any]:
    from returnwatch.imports.models import ImportMapping

    if not is_staff(user):
        return ImportMapping.objects.none()
    org = _org(user)
    return ImportMapping.objects.filter(Q(organization_id=org) if org else Q(created_by=user))


def visible_bulk_changes(user: Any) -> QuerySet[Any]:
    """A bulk change (and its undo) is its author's."""
    from returnwatch.incidents.models import BulkChange

    if not is_staff(user):
        return BulkChange.objects.none()
    return BulkChange.objects.filter(user=user)


def visible_saved_searches(user: Any) -> QuerySet[Any]:
    """A saved search of the workspace is its author's alone."""
    from returnwatch.subscriptions.models import SavedSearch

    if not is_staff(user):
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user)


def visible_audit_entries(user: Any, verified: bool = False) -> QuerySet[Any]:
    """Admins of the lead with a second factor: everything, sign-ins included. Lead staff:
    changes to records. Partners: changes to the incidents whose history they may read."""
    from returnwatch.audit import log
    from returnwatch.audit.models import Entry

    if not is_staff(user):
        return Entry.objects.none()
    if is_lead(user):
        if user.has_role(Role.ADMIN) and verified:
            return Entry.objects.all()
        return Entry.objects.exclude(about__startswith="accounts.").exclude(about="")
    keys = [log.key(i) for i in restricted_incidents(user).only("pk")]
    return Entry.objects.filter(about__in=keys)


# ---------------------------------------------------------------------------- what they do

INCIDENT_ACTIONS = {
    "view", "read_restricted", "change", "publish", "delete", "merge", "create", "link_tip"
}  # fmt: skip
DOCUMENT_ACTIONS = {"view", "cite", "read_file", "change", "add_to_library"}


def may(user: Any, action: str, obj: Any, *, verified: bool = False) -> bool:
    """Whether `user` may take `action` on `obj` (an instance, or a model class for "create").

    `verified` is the session's second factor (`can(request, …)` passes it).
    """
    from returnwatch.api.models import ApiToken
    from returnwatch.imports.models import ImportBatch
    from returnwatch.intake.models import Tip
    from returnwatch.library.models import LibraryItem

    if not is_staff(user):
        return False
    if obj is Incident or obj is Document:
        # New records belong to the creator's organization: one is needed.
        return action == "create" and (is_lead(user) or _org(user) is not None)
    if isinstance(obj, Incident):
        return _may_incident(user, action, obj, verified)
    if isinstance(obj, Document):
        return _may_document(user, action, obj, verified)
    if isinstance(obj, Citation):
        # Changing a source is changing the record, and needs its document to be visible.
        return _may_incident(user, "change", obj.incident, verified) and _has(
            visible_documents(user), obj.document_id
        )
    if isinstance(obj, Person):
        return _may_incident(user, "read_restricted", obj.incident, verified)
    if isinstance(obj, Tip):
        return _has(visible_tips(user), obj.pk)
    if isinstance(obj, LibraryItem):
        # The item (library fields, listing it) is its document's organization's to change;
        # the document's own details follow the document's rule.
        if action == "view":
            return _has(visible_documents(user), obj.document_id)
        return action == "change" and _has(_own_documents(user), obj.document_id)
    if isinstance(obj, ApiToken):
        return _has(visible_api_tokens(user, verified), obj.pk)
    if isinstance(obj, ImportBatch):
        return _has(visible_imports(user), obj.pk)
    return False


def can(request: HttpRequest, action: str, obj: Any) -> bool:
    """`may` for the signed-in user of this request, with its second factor."""
    return may(request.user, action, obj, verified=verified(request))


def _has(qs: QuerySet[Any], pk: Any) -> bool:
    return pk is not None and qs.filter(pk=pk).exists()


def _holds(user: Any, incident: Incident) -> bool:
    """The user's organization holds the record (the lead holds every record)."""
    return is_lead(user) or bool(_org(user) and incident.organization_id == _org(user))


def may_each(
    user: Any, action: str, incidents: Iterable[Incident], *, verified: bool = False
) -> set[int]:
    """`may` for many incidents at once: the ids of those on which `user` may take `action`
    (one query for the lot, not one a record, for lists and bulk changes)."""
    incidents = list(incidents)
    if not is_staff(user) or action not in INCIDENT_ACTIONS:
        return set()
    pks = [i.pk for i in incidents]
    seen = set(visible_incidents(user).filter(pk__in=pks).values_list("pk", flat=True))
    return {i.pk for i in incidents if i.pk in seen and _may_seen(user, action, i, verified)}


def can_each(request: HttpRequest, action: str, incidents: Iterable[Incident]) -> set[int]:
    """`may_each` for the signed-in user of this request, with its second factor."""
    return may_each(request.user, action, incidents, verified=verified(request))


def _may_incident(user: Any, action: str, incident: Incident, verified: bool) -> bool:
    if action not in INCIDENT_ACTIONS or not _has(visible_incidents(user), incident.pk):
        return False
    return _may_seen(user, action, incident, verified)


def _may_seen(user: Any, action: str, incident: Incident, verified: bool) -> bool:
    """The rest of `_may_incident`, for an incident the user is known to see."""
    if action == "view":
        return True
    if not _holds(user, incident):
        return False
    if action in ("read_restricted", "link_tip"):
        # A tip is a restricted source: linking one never changes what the public sees.
        return True
    if action == "change":
        return incident.status not in PUBLIC_STATUSES or _editor(user, verified)
    if action == "delete":
        return incident.status not in PUBLIC_STATUSES and _editor(user, verified)
    # publish, retract, take back, merge: what the public sees.
    return _editor(user, verified)


def _may_document(user: Any, action: str, document: Document, verified: bool) -> bool:
    if action not in DOCUMENT_ACTIONS or not _has(visible_documents(user), document.pk):
        return False
    if action in ("view", "cite"):
        return True
    if not _has(_own_documents(user), document.pk):
        return False
    if action == "read_file":
        return True
    if action == "add_to_library":
        # Interviews and tips never become public library items; the item's own fields are
        # the organization's to write, while the document's details keep the rule below.
        return bool(document.kind.public)
    # A document a public record cites has public details: editors change them.
    cited_publicly = document.citations.filter(incident__status__in=PUBLIC_STATUSES).exists()
    return not cited_publicly or _editor(user, verified)


def may_merge(user: Any, duplicate: Incident, target: Incident, *, verified: bool) -> bool:
    """A merge changes both records: the right to merge each is needed."""
    return may(user, "merge", duplicate, verified=verified) and may(
        user, "merge", target, verified=verified
    )

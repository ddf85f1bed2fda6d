"""Writes of incidents that several entry points share (the Zulip `actions` idea): the
workspace, the API, tip conversion and the importer call these, so each rule (who may,
returnwatch/access.py; what is valid, rules.py) and each audit entry is written once.

Moves between statuses are `workflow.apply`; merging is `merging.merge`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from returnwatch import access
from returnwatch.audit import log
from returnwatch.audit.actions import Action

from . import rules
from .models import Incident, Status


def check(values: Mapping[str, Any], current: Incident | None = None) -> None:
    """Raise ValidationError({field: message}) when the domain rules refuse these values."""
    found = rules.problems(values, current)
    if found:
        raise ValidationError(found)


def create_draft(
    user: Any,
    incident: Incident,
    *,
    fields: Iterable[str],
    multi: Mapping[str, Iterable[Any]] | None = None,
    note: str = "",
    after_save: Any = None,
) -> Incident:
    """Save `incident` (unsaved, its fields set) as a new draft of the user's organization and
    record it: one audit entry `create` naming the fields given (never their values).

    `multi` sets many-valued fields (violence types…); `after_save(incident)` runs in the same
    transaction (tags, a form's save_m2m).
    """
    if not access.may(user, "create", Incident):
        raise PermissionDenied
    check({f.attname: getattr(incident, f.attname) for f in Incident._meta.concrete_fields})
    with transaction.atomic():
        incident.status = Status.DRAFT
        incident.created_by = user
        incident.organization = getattr(user, "organization", None)
        incident.save()
        for name, terms in (multi or {}).items():
            getattr(incident, name).set(terms)
        if after_save is not None:
            after_save(incident)
        log.record(user, Action.CREATE, incident, list(fields), note=note, about=incident)
    return incident

"""Keep the search index in step with every save, delete and change of vocabularies."""

from typing import Any

from django.db.models.signals import m2m_changed, post_save

from . import search
from .models import Incident


def _reindex(pk: int) -> None:
    search.index([pk])


def incident_saved(sender: Any, instance: Incident, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _reindex(instance.pk)


def vocab_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # a term's incidents changed (e.g. from the term's side)
        search.index(list(pk_set or []))
    else:
        _reindex(instance.pk)


post_save.connect(incident_saved, sender=Incident, dispatch_uid="search-incident-saved")
for field in ("violence_types", "perpetrators", "victim_groups", "nationalities"):
    m2m_changed.connect(
        vocab_changed,
        sender=getattr(Incident, field).through,
        dispatch_uid=f"search-{field}-changed",
    )

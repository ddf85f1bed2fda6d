"""Keep the search index in step with every save, delete and change of vocabularies, and
with every change of a vocabulary term's labels (the texts hold them)."""

from typing import Any

from django.db.models.signals import m2m_changed, post_save, pre_save

from returnwatch.taskqueue import enqueue_on_commit

from . import search
from .models import Incident

# The vocabularies whose labels the search texts hold (search.compose).
SEARCHED_TERMS: tuple[Any, ...] = tuple(
    Incident._meta.get_field(name).related_model
    for name in (*search.SINGLE_TERMS, *search.MULTI_TERMS)
)


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
for field in search.MULTI_TERMS:
    m2m_changed.connect(
        vocab_changed,
        sender=getattr(Incident, field).through,
        dispatch_uid=f"search-{field}-changed",
    )


def term_saving(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Remember what the texts read of the term as it is stored, to compare after the save."""
    if not raw and instance.pk is not None:
        stored = sender.objects.filter(pk=instance.pk).first()
        instance._searched_before = search.term_fields(stored) if stored else None


def term_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    """A renamed term (or one moved in its list): its incidents' texts are written again in
    the background, once the change is committed (thousands of incidents may use it)."""
    before = getattr(instance, "_searched_before", None)
    instance.search_reindex_queued = not (
        raw or created or before is None or before == search.term_fields(instance)
    )
    if instance.search_reindex_queued:
        from .tasks import reindex_term

        enqueue_on_commit(reindex_term, sender._meta.label, instance.pk)


for model in SEARCHED_TERMS:
    pre_save.connect(term_saving, sender=model, dispatch_uid=f"search-{model.__name__}-saving")
    post_save.connect(term_saved, sender=model, dispatch_uid=f"search-{model.__name__}-saved")

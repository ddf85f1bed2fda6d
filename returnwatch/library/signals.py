"""A document edited anywhere (workspace, admin) refreshes its library item's search text."""

from typing import Any

from django.db.models.signals import post_save

from returnwatch.incidents.models import Document

from .models import LibraryItem


def document_saved(sender: Any, instance: Document, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    item = LibraryItem.objects.filter(document=instance).first()
    if item is not None:
        item.document = instance
        item.save(update_fields=["search_text"])


post_save.connect(document_saved, sender=Document, dispatch_uid="library-document-saved")

"""A keyed digest on every row of the records a case rests on (incidents, persons, documents,
citations) and of the tips it may come from (tips, attachments, follow-ups, notes), so a direct
SQL edit is caught. Encrypted fields are digested as their clear values, so re-encrypting
them under a new field key (rotate_encryption_key) leaves every digest valid.

`digest(obj)` is the one function: HMAC-SHA256 (audit/signing.py) over the row's values, the
primary key excepted (not known before an insert). Every way rows are written reaches it:

- `save()`, `bulk_create()` and the importer's prepared insert call each field's `pre_save`,
  and `RowDigestField` (declared LAST, after `auto_now` fields have set their values)
  computes the digest there;
- `save(update_fields=…)` adds the digest field (`Sealed.save`);
- `QuerySet.update()` (and `bulk_update`, which calls it) reseals the rows it changed from
  their new values in the database (`SealedQuerySet`).

Empty values (None, "", 0, False, [], {}) are left out of the digest, so adding a field
with an empty default leaves every digest valid. A migration that renames or drops a field of
a sealed model, or adds one with a non-empty default, calls `reseal_all` for that model.

Models with a stored file (`file` + `sha256`) get a second digest over the file's columns,
so a file replaced together with its recorded hash is named as such.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterable
from functools import cache
from typing import Any, cast

from django.db import models, transaction
from django.db.models import Case, Value, When
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from . import signing

FIELD = "row_digest"
FILE_COLUMNS = ("file", "original_filename", "sha256", "size", "media_type")


def _canonical(field: models.Field, value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    try:
        value = field.to_python(value)
    except Exception:  # a value the field would refuse: digest what is there
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _python_type(field: models.Field) -> type | None:
    """The type a value of this field has once read back, when a plain one (fast path)."""
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]  # a relation has one
    if isinstance(target, models.BooleanField):
        return bool
    if isinstance(target, models.IntegerField | models.AutoField):
        return int
    if isinstance(target, models.CharField | models.TextField) and not isinstance(
        target, models.FileField
    ):
        return str
    return None


@cache
def _plan(model: type[models.Model]) -> tuple[list[tuple[str, str, Any, Any]], set[str]]:
    """Per model, once: (name, attname, field, plain type) of each digested field, and the
    file columns."""
    names = {f.name for f in model._meta.concrete_fields}
    files = set(FILE_COLUMNS) & names if {"file", "sha256"} <= names else set()
    fields = [
        (f.name, f.attname, f, _python_type(f))
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name != FIELD
    ]
    return fields, files


def _payload(obj: models.Model, files: set[str], of_files: bool) -> bytes:
    values: dict[str, Any] = {}
    for name, attname, field, plain in _plan(type(obj))[0]:
        if (name in files) != of_files:
            continue
        value = getattr(obj, attname)
        if value is None:
            continue
        if plain is None or type(value) is not plain:
            value = _canonical(field, value)
        if value or value is True:  # empty values (None, "", 0, False, [], {}) are left out
            values[name] = value
    return json.dumps(
        {"model": obj._meta.label_lower, "values": values},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    ).encode()


def _parts(obj: models.Model) -> list[bytes]:
    files = _plan(type(obj))[1]
    parts = [_payload(obj, files, False)]
    if files:
        parts.append(_payload(obj, files, True))
    return parts


def digest(obj: models.Model) -> str:
    """The row's digest: "<row>" or "<row>:<file columns>"."""
    return ":".join(signing.mac(p) for p in _parts(obj))


def check(obj: models.Model) -> list[str]:
    """Which parts no longer match: [] when intact, else some of "row", "file", "unsealed"."""
    stored = getattr(obj, FIELD) or ""
    if not stored:
        return ["unsealed"]
    got = stored.split(":")
    parts = _parts(obj)
    if len(got) != len(parts):
        return ["row"]
    names = ["row", "file"]
    return [names[i] for i, p in enumerate(parts) if not signing.mac_matches(p, got[i])]


class RowDigestField(models.CharField):
    """Declare it as the last field of a sealed model (a test checks that)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 129)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = digest(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def reseal(model: type[models.Model], pks: Iterable[Any]) -> None:
    """Recompute the digests of these rows from what the database now holds."""
    pks = list(pks)
    field = cast(models.Field, model._meta.get_field(FIELD))
    for start in range(0, len(pks), 500):
        batch = pks[start : start + 500]
        objs = list(model._base_manager.filter(pk__in=batch))
        if not objs:
            continue
        value = Case(*[When(pk=o.pk, then=Value(digest(o))) for o in objs], output_field=field)
        model._base_manager.filter(pk__in=[o.pk for o in objs])._update([(field, None, value)])  # type: ignore[attr-defined]  # Django's private update: no resealing again


def reseal_all(model: type[models.Model]) -> None:
    """For migrations (pass the historical model) and for `verify_integrity --reseal`."""
    reseal(model, model._base_manager.values_list("pk", flat=True).iterator(chunk_size=5000))


class SealedQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            reseal(self.model, pks)
        return count

    update.alters_data = True  # type: ignore[attr-defined]  # Django's flag: templates never call it


class Sealed:
    """Mixin for a sealed model: `save(update_fields=…)` also writes the digest."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], FIELD}
        super().save(*args, **kwargs)  # type: ignore[misc]  # a mixin: the model class has save()


def sealed_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if any(isinstance(f, RowDigestField) for f in m._meta.concrete_fields)
    ]

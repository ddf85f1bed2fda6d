"""Object storage for stored files (settings.STORAGES["default"] when STORAGE_BUCKET is set).

django-storages' S3 backend, plus object-lock retention on every file it writes when
STORAGE_OBJECT_LOCK_DAYS is set: on a bucket created with object lock (MinIO, Ceph RGW, AWS),
the stored version can then be neither overwritten nor deleted until the date passes.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from storages.backends.s3 import S3Storage

# Spreadsheets waiting to be imported hold restricted text and are deleted once applied or
# discarded (imports.models.ImportBatch): a lock would keep them for the whole retention.
UNLOCKED_PREFIXES = ("imports/",)


class LockedS3Storage(S3Storage):
    def get_object_parameters(self, name: str) -> dict[str, Any]:
        params = super().get_object_parameters(name)
        days = settings.STORAGE_OBJECT_LOCK_DAYS
        if days > 0 and not name.startswith(UNLOCKED_PREFIXES):
            params["ObjectLockMode"] = "COMPLIANCE"
            params["ObjectLockRetainUntilDate"] = timezone.now() + timedelta(days=days)
        return params

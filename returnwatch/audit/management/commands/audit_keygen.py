"""manage.py audit_keygen: a new Ed25519 key for AUDIT_SIGNING_KEY, and its public half."""

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand

from returnwatch.audit import signing


class Command(BaseCommand):
    help = "Print a new AUDIT_SIGNING_KEY (keep it secret, out of the database and backups)."

    def handle(self, *args: Any, **opts: Any) -> None:
        key = signing.generate()
        public = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key)).public_key()
        self.stdout.write(f"AUDIT_SIGNING_KEY={key}")
        self.stdout.write(
            f"# public key (to check signatures elsewhere): "
            f"{base64.b64encode(signing.public_bytes(public)).decode()}"
        )

"""manage.py backup_keygen FILE: a key pair for backups. The private key goes to FILE (keep it
off the server, e.g. on the operator's laptop or a USB key in a safe); the public key is
printed for BACKUP_PUBLIC_KEY."""

import os
from pathlib import Path
from typing import Any

import pyrage
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Make an age key pair for backups: private key to FILE, public key printed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the private key (a new file).")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        identity = pyrage.x25519.Identity.generate()
        public = str(identity.to_public())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as e:
            raise CommandError(f"{path} exists: not overwriting a key") from e
        with os.fdopen(fd, "w") as f:
            f.write(f"# ReturnWatch backup key; public key: {public}\n{identity}\n")
        self.stdout.write(f"Private key written to {path}: keep it OFF the server.")
        self.stdout.write(f"BACKUP_PUBLIC_KEY={public}")

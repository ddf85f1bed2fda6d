"""Saving information from the public: one function used by the tip form and the complaint
assistant alike, so every path gets the same checks, encryption, receipts and atomicity.

    tip, code = create_tip({"narrative": "…", "city": "tijuana"}, files=uploaded_files)

A tip is saved whole or not at all: files are written first, the rows in one transaction,
and written files are deleted again if the transaction fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from returnwatch.audit.actions import Action
from returnwatch.audit.log import record
from returnwatch.incidents.models import (
    City,
    Country,
    PlaceType,
    PortOfEntry,
    Program,
    VictimGroup,
    ViolenceType,
    YesNoUnknown,
)

from .files import PreparedFile, prepare_all
from .models import (
    DatePrecision,
    SubmitterRole,
    Tip,
    TipAttachment,
    TipFollowUp,
    TipStatus,
    attachment_path,
)

logger = logging.getLogger(__name__)

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, GROUP_LENGTH = 5, 4  # 20 symbols = 100 random bits
ACTOR = "public submitter"


def new_receipt_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(CODE_GROUPS * GROUP_LENGTH))
    return "-".join(symbols[i : i + GROUP_LENGTH] for i in range(0, len(symbols), GROUP_LENGTH))


# ------------------------------------------------------------- one-time submission tokens
# Each form page carries a signed random token. The receipt code of the tip sent with it is
# derived from the token (keyed by SECRET_KEY), so a double click, a resend or a reload finds
# the same tip (by the code's hash) and shows the same code, and no code is ever kept.
TOKEN_SALT = "returnwatch.intake.submission"


def new_submission_token() -> str:
    return signing.Signer(salt=TOKEN_SALT).sign(secrets.token_urlsafe(16))


def read_submission_token(value: str | None) -> str | None:
    """The random part of a token this server issued, or None (missing, stale or forged)."""
    try:
        raw = signing.Signer(salt=TOKEN_SALT).unsign(value or "")
    except signing.BadSignature:
        return None
    return raw if 16 <= len(raw) <= 64 else None


def submission_key(raw_token: str, fields: Any, files: Any = None) -> str:
    """The token joined with a digest of what the form holds: the very same form sent again
    (a double click, a resend) gives the same key, while going back, changing the text or
    the files and sending again gives a new one, so a changed tip is never lost as a
    "duplicate". `fields` is the POST QueryDict, `files` request.FILES."""
    digest = hashlib.sha256()
    for name in sorted(fields.keys()):
        if name in ("csrfmiddlewaretoken", "submission"):
            continue
        for value in fields.getlist(name):
            digest.update(f"{name}\0{value}\0".encode())
    for name in sorted(files.keys()) if files else ():
        for upload in files.getlist(name):
            digest.update(f"file\0{upload.name}\0{upload.size}\0".encode())
    return f"{raw_token}.{digest.hexdigest()[:32]}"


def code_for_token(raw: str) -> str:
    """The receipt code a submission token stands for (100 bits of an HMAC)."""
    digest = int.from_bytes(salted_hmac(TOKEN_SALT + ".code", raw).digest()[:13], "big") >> 4
    symbols = "".join(ALPHABET[(digest >> (5 * i)) & 31] for i in range(CODE_GROUPS * GROUP_LENGTH))
    return "-".join(symbols[i : i + GROUP_LENGTH] for i in range(0, len(symbols), GROUP_LENGTH))


def token_hash(raw: str) -> str:
    return hashlib.sha256(f"returnwatch-follow-up:{raw}".encode()).hexdigest()


def normalize_code(code: str) -> str:
    """Upper case, separators dropped, look-alike letters read as the digits they resemble."""
    table = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
    return "".join(c for c in code.upper() if c.isalnum()).translate(table)


def hash_code(code: str) -> str:
    # 100 random bits cannot be guessed, so a fast unkeyed hash is enough, and it does not
    # depend on SECRET_KEY (rotating that must not void receipts people hold).
    return hashlib.sha256(f"returnwatch-receipt:{normalize_code(code)}".encode()).hexdigest()


def find_tip(code: str) -> Tip | None:
    """The tip a receipt code belongs to, or None (one indexed lookup either way)."""
    normalized = normalize_code(code)
    if len(normalized) != CODE_GROUPS * GROUP_LENGTH:
        # Still hash and query so a malformed code takes the same path as a wrong one.
        normalized = normalized[:64] or "-"
    return Tip.objects.filter(receipt_hash=hash_code(normalized)).first()


# ---------------------------------------------------------------------------- parsing


def _date(value: Any) -> tuple[dt.date | None, str]:
    """A day ("2025-03-14", date) or an approximate month ("2025-03")."""
    if not value:
        return None, DatePrecision.UNKNOWN
    if isinstance(value, dt.datetime):
        return value.date(), DatePrecision.DAY
    if isinstance(value, dt.date):
        return value, DatePrecision.DAY
    text = str(value).strip()
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01"), DatePrecision.MONTH
        return dt.date.fromisoformat(text[:10]), DatePrecision.DAY
    except ValueError:
        return None, DatePrecision.UNKNOWN


def _codes(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [getattr(v, "code", v) for v in value]


def _term(model: Any, value: Any) -> Any:
    if not value:
        return None
    if isinstance(value, model):
        return value
    return model.objects.filter(code=value).first()


def _choice(value: Any, choices: Any, default: str = "") -> str:
    return value if value in choices.values else default


# ---------------------------------------------------------------------------- files


def _write_files(prepared: Sequence[PreparedFile], written: list[str]) -> list[str]:
    names = []
    for p in prepared:
        holder = TipAttachment(sha256=p.sha256, extension=p.extension)
        name = default_storage.save(attachment_path(holder, ""), ContentFile(p.data))
        written.append(name)
        names.append(name)
    return names


def _attach(tip: Tip, prepared: Sequence[PreparedFile], names: Sequence[str], follow_up=None):
    for p, name in zip(prepared, names, strict=True):
        TipAttachment.objects.create(
            tip=tip,
            follow_up=follow_up,
            file=name,
            original_filename=p.original_name,
            media_type=p.media_type,
            extension=p.extension,
            size=p.size,
            sha256=p.sha256,
            received_sha256=p.received_sha256,
            metadata_removed=p.metadata_removed,
        )


def _discard(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - best effort; the purge command catches leftovers
            logger.warning("could not delete an unsaved tip attachment")


# ---------------------------------------------------------------------------- create


def create_tip(
    data: dict[str, Any],
    files: Iterable[Any] = (),
    *,
    source: str = "form",
    code: str | None = None,
):
    """Save a tip from the public and return it with its clear receipt code.

    `data` keys (all optional except narrative): submitter_role, narrative, violence_types
    (codes), date ("YYYY-MM-DD", a date, or "YYYY-MM" for an approximate month), city (code),
    city_other, place_type, program, port_of_entry (codes), fear_expressed (yes/no/unknown),
    victim_groups (codes), nationalities (ISO alpha-2 codes), language, consent_contact,
    consent_publish, consent_crcl, contact. `files` are uploaded files or PreparedFile items;
    a file failing a check raises files.FileRefused and nothing is saved. `code` (from
    code_for_token) makes a resend of the same form fail with IntegrityError instead of
    saving twice; without it a fresh random code is made.
    """
    narrative = str(data.get("narrative") or "").strip()
    if not narrative:
        raise ValueError("a tip needs a narrative")
    prepared = prepare_all(files)
    date, precision = _date(data.get("date"))
    code = code or new_receipt_code()
    written: list[str] = []
    try:
        names = _write_files(prepared, written)
        with transaction.atomic():
            tip = Tip.objects.create(
                submitter_role=_choice(data.get("submitter_role"), SubmitterRole),
                narrative=narrative,
                date=date,
                date_precision=precision,
                city=_term(City, data.get("city")),
                city_other=str(data.get("city_other") or "").strip()[:300],
                place_type=_term(PlaceType, data.get("place_type")),
                program=_term(Program, data.get("program")),
                port_of_entry=_term(PortOfEntry, data.get("port_of_entry")),
                fear_expressed=_choice(
                    data.get("fear_expressed"), YesNoUnknown, YesNoUnknown.UNKNOWN
                ),
                contact=str(data.get("contact") or "").strip()[:2000],
                consent_contact=bool(data.get("consent_contact")),
                consent_publish=bool(data.get("consent_publish")),
                consent_crcl=bool(data.get("consent_crcl")),
                language=str(data.get("language") or "")[:8],
                source=source[:20],
                receipt_hash=hash_code(code),
            )
            tip.violence_types.set(
                ViolenceType.objects.filter(code__in=_codes(data.get("violence_types")))
            )
            tip.victim_groups.set(
                VictimGroup.objects.filter(code__in=_codes(data.get("victim_groups")))
            )
            tip.nationalities.set(
                Country.objects.filter(
                    code__in=[c.lower() for c in _codes(data.get("nationalities"))]
                )
            )
            _attach(tip, prepared, names)
            filled = [k for k, v in data.items() if v not in (None, "", [], (), False)]
            record(
                ACTOR, Action.TIP_CREATE, tip, fields=filled + (["attachments"] if names else [])
            )
            transaction.on_commit(lambda: notify_researchers(tip))
    except BaseException:
        _discard(written)
        raise
    return tip, code


def add_follow_up(
    tip: Tip, text: str, files: Iterable[Any] = (), *, token: str | None = None
) -> TipFollowUp:
    """Information the holder of a receipt code adds later; saved whole or not at all.

    With the form's one-time `token`, sending the same form again raises IntegrityError
    instead of saving it twice (see find_follow_up)."""
    text = (text or "").strip()
    prepared = prepare_all(files)
    if not text and not prepared:
        raise ValueError("nothing to add")
    written: list[str] = []
    try:
        names = _write_files(prepared, written)
        with transaction.atomic():
            follow_up = TipFollowUp.objects.create(
                tip=tip, text=text, submission_hash=token_hash(token) if token else None
            )
            _attach(tip, prepared, names, follow_up=follow_up)
            Tip.objects.filter(pk=tip.pk).update(last_submitter_activity=timezone.now())
            record(
                ACTOR,
                Action.TIP_FOLLOW_UP,
                follow_up,
                fields=(["text"] if text else []) + (["attachments"] if names else []),
                about=tip,
            )
            transaction.on_commit(lambda: notify_researchers(tip, follow_up=True))
    except BaseException:
        _discard(written)
        raise
    return follow_up


def find_follow_up(token: str) -> TipFollowUp | None:
    """The follow-up already saved from the form that carried this token, if any."""
    return TipFollowUp.objects.filter(submission_hash=token_hash(token)).first()


# ---------------------------------------------------------------------------- email


def researcher_emails() -> list[str]:
    from returnwatch.accounts.models import User

    users = User.objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(role__in=["researcher", "editor", "admin"]) | Q(is_superuser=True))
    return sorted(set(users.values_list("email", flat=True)))


def notify_researchers(tip: Tip, follow_up: bool = False) -> None:
    """A link only: no tip content ever travels by email."""
    recipients = researcher_emails()
    if not recipients:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("staff:tip_detail", args=[tip.pk])
    if follow_up:
        subject = f"[ReturnWatch] New information added to tip #{tip.pk}"
        body = (
            f"The sender of tip #{tip.pk} added information.\n\nOpen it in the workspace:\n{link}\n"
        )
    else:
        subject = f"[ReturnWatch] New tip #{tip.pk}"
        body = f"A new tip has arrived.\n\nOpen it in the workspace:\n{link}\n"
    try:
        # One message per researcher, so addresses are not shared around.
        send_mass_mail([(subject, body, None, [r]) for r in recipients])
    except Exception:  # the tip is saved; a mail outage must not lose it or leak it in a log
        logger.exception("could not send the new-tip email")


__all__ = [
    "TipStatus",
    "add_follow_up",
    "code_for_token",
    "create_tip",
    "find_follow_up",
    "find_tip",
    "hash_code",
    "new_receipt_code",
    "new_submission_token",
    "normalize_code",
    "read_submission_token",
]

"""A NIK held by another area: never an answer to "is this NIK anywhere?", but a request to move the record.

Registry people and BNBA records are unique by NIK nationally. When someone enters a NIK that a record outside their
own area holds (the person moved), the form does not say where or what that record is: it offers to send a *transfer
request* to the owning area, whose operator accepts (the record moves to the requester's desa, with its history) or
declines. The requester learns only that the request was sent, and later the decision.

Every look-up of a NIK outside the user's area is logged (``NikCheck``: who, when, why, what it found — with a keyed
hash of the NIK, never the NIK), and the answers "held elsewhere" a user may get are limited per day
(``NIK_CHECKS_ELSEWHERE_PER_DAY`` different NIKs): past the limit every out-of-area look-up of another NIK — held
elsewhere or not — is refused
with the same message until the next day, so the limit itself tells nothing about any one NIK.

The core imports no app: each app registers a ``Holder`` for its records (``register`` in ``AppConfig.ready``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from psks_portal.models import NikCheck, TransferRequest, TransferStatus, User, Wilayah
from psks_portal.scope import can_change, user_scope

ELSEWHERE_ROW = (
    "NIK ini tercatat di wilayah lain: baris ini tidak diimpor. Bila orangnya pindah ke wilayah Anda, kirim "
    "permintaan pindah data lewat formulir tambah data."
)
LIMITED_MESSAGE = (
    "Pemeriksaan NIK di luar wilayah Anda sudah mencapai batas hari ini. Coba lagi besok, atau hubungi admin "
    "Dinas Sosial bila perlu."
)


class Holder(Protocol):
    """What the core needs of an app's records held by NIK."""

    label: str  # "data orang (registri SDM Kesos)"
    model: type[models.Model]

    def find(self, nik: str) -> models.Model | None: ...

    def area(self, record) -> Wilayah: ...

    def describe(self, record) -> str: ...

    def url(self, record) -> str: ...

    def move(self, record, *, desa: Wilayah, by: User, reason: str) -> None: ...


_holders: dict[str, Holder] = {}


def register(kind: str, holder: Holder) -> None:
    _holders[kind] = holder


def holder(kind: str) -> Holder:
    return _holders[kind]


class NikCheckLimited(Exception):
    """Too many out-of-area look-ups today (the message is ``LIMITED_MESSAGE``)."""


@dataclass(frozen=True)
class Found:
    """What a NIK look-up may tell the user: the record if it is in their own area (``mine``); ``elsewhere`` when
    another area holds it (nothing more)."""

    mine: models.Model | None = None
    elsewhere: bool = False
    record: models.Model | None = None  # the record elsewhere: for the transfer request, never shown

    @property
    def new(self) -> bool:
        return self.mine is None and not self.elsewhere


def nik_hash(nik: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"nik:{nik}".encode(), hashlib.sha256).hexdigest()


def look_up(*, user, kind: str, nik: str, purpose: str) -> Found:
    """Find the record holding ``nik``: in the user's area it is returned; elsewhere only ``elsewhere`` is set (and
    the look-up is logged and counted); raises ``NikCheckLimited`` past the day's limit of "elsewhere" answers."""
    record = holder(kind).find(nik)
    if record is not None and user_scope(user).contains(holder(kind).area(record)):
        return Found(mine=record)
    if _over_limit(user, nik):
        NikCheck.objects.create(user=user, kind=kind, purpose=purpose, outcome=NikCheck.LIMITED, nik_hash=nik_hash(nik))
        raise NikCheckLimited(LIMITED_MESSAGE)
    outcome = NikCheck.NEW if record is None else NikCheck.ELSEWHERE
    NikCheck.objects.create(user=user, kind=kind, purpose=purpose, outcome=outcome, nik_hash=nik_hash(nik))
    return Found(elsewhere=record is not None, record=record)


def look_up_many(*, user, kind: str, outside: dict[str, bool], purpose: str) -> bool:
    """Log the look-ups of a whole file at once: ``outside`` maps each NIK not held in the user's area to whether
    another area holds it. ``False`` (and every one logged as refused) when answering them would pass the day's limit
    of different NIKs found elsewhere: the caller then refuses every such row alike."""
    if not outside:
        return True
    since = timezone.now() - timedelta(days=1)
    answered = set(
        NikCheck.objects.filter(user=user, at__gte=since, outcome=NikCheck.ELSEWHERE).values_list("nik_hash", flat=True)
    )
    hashes = {nik: nik_hash(nik) for nik in outside}
    fresh = {hashes[nik] for nik, held in outside.items() if held} - answered
    within = len(answered) + len(fresh) <= settings.NIK_CHECKS_ELSEWHERE_PER_DAY
    NikCheck.objects.bulk_create(
        [
            NikCheck(
                user=user, kind=kind, purpose=purpose, nik_hash=hashes[nik],
                outcome=(NikCheck.ELSEWHERE if held else NikCheck.NEW) if within else NikCheck.LIMITED,
            )
            for nik, held in outside.items()
        ],
        batch_size=1000,
    )  # fmt: skip
    return within


def _over_limit(user, nik: str) -> bool:
    """Whether the user has had the day's number of different NIKs answered "held elsewhere" (asking again about
    one of those does not count twice)."""
    since = timezone.now() - timedelta(days=1)
    answered = NikCheck.objects.filter(user=user, at__gte=since, outcome=NikCheck.ELSEWHERE)
    if answered.filter(nik_hash=nik_hash(nik)).exists():
        return False
    return answered.values("nik_hash").distinct().count() >= settings.NIK_CHECKS_ELSEWHERE_PER_DAY


@transaction.atomic
def request_transfer(*, user, kind: str, record, to_desa: Wilayah, note: str = "") -> TransferRequest:
    """Ask the area holding ``record`` to move it to ``to_desa`` (in the requester's area). A second request for the
    same record while the first waits returns the first."""
    content_type = ContentType.objects.get_for_model(holder(kind).model)
    waiting = TransferRequest.objects.filter(
        content_type=content_type, object_id=record.pk, requested_by=user, status=TransferStatus.PENDING
    ).first()
    if waiting is not None:
        return waiting
    try:
        with transaction.atomic():
            return TransferRequest.objects.create(
                kind=kind,
                content_type=content_type,
                object_id=record.pk,
                owner_wilayah=holder(kind).area(record),
                to_desa=to_desa,
                requested_by=user,
                note=note.strip()[:300],
            )
    except IntegrityError:  # the same request sent twice at the same moment
        return TransferRequest.objects.get(
            content_type=content_type, object_id=record.pk, requested_by=user, status=TransferStatus.PENDING
        )


def may_decide(user) -> bool:
    """The owning area's operator (or an Admin Provinsi, or a superuser) decides; not a TKSK, not a reader."""
    from psks_portal import roles

    return (roles.is_operator(user) or roles.is_admin_provinsi(user)) and not user_scope(user).read_only


def incoming(user):
    """Requests for records of the user's area, newest first (the owner decides them); none for who may not."""
    scope = user_scope(user)
    if not may_decide(user):
        return TransferRequest.objects.none()
    requests = TransferRequest.objects.select_related("to_desa", "owner_wilayah", "requested_by")
    if scope.everything:
        return requests
    if scope.wilayah is None:
        return requests.none()
    return requests.filter(owner_wilayah__code__startswith=scope.wilayah.code)


def outgoing(user):
    return TransferRequest.objects.filter(requested_by=user).select_related("to_desa")


class TransferRefused(Exception):
    """The request cannot be decided by this user or is no longer waiting (the message says why)."""


@transaction.atomic
def decide(*, request: TransferRequest, accept: bool, by, note: str = "") -> TransferRequest:
    """The owning area accepts (the record moves to the requested desa) or declines a waiting request."""
    request = TransferRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != TransferStatus.PENDING:
        raise TransferRefused("Permintaan ini sudah diputuskan.")
    if not may_decide(by) or not can_change(by, request.owner_wilayah):
        raise TransferRefused("Hanya petugas wilayah asal yang dapat memutuskan permintaan ini.")
    if accept:
        record = request.content_type.get_object_for_this_type(pk=request.object_id)
        holder(request.kind).move(
            record, desa=request.to_desa, by=by, reason=f"Pindah ke {request.to_desa.label} atas permintaan"
        )
    request.status = TransferStatus.ACCEPTED if accept else TransferStatus.DECLINED
    request.decided_by, request.decided_at = by, timezone.now()
    request.decision_note = note.strip()[:300]
    request.save()
    return request


def record_of(request: TransferRequest):
    """The record a request is about (for the owner's page)."""
    return request.content_type.get_object_for_this_type(pk=request.object_id)

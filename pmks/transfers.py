"""BNBA records as NIK holders for ``psks_portal.transfers``: a person who moved is asked for by the area they moved
to, and their record moves there (desa, with a history row) when the area that holds it accepts."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from pmks.models import PmksRecord
from psks_portal.models import User, Wilayah


class RecordHolder:
    label = "data BNBA PMKS"
    model = PmksRecord

    def find(self, nik: str) -> PmksRecord | None:
        return PmksRecord.objects.select_related("desa").filter(nik=nik).first() if nik else None

    def area(self, record: PmksRecord) -> Wilayah:
        return record.desa

    def describe(self, record: PmksRecord) -> str:
        return f"{record.name}, {record.desa.label}"

    def url(self, record: PmksRecord) -> str:
        return reverse("pmks:register_detail", args=[record.pk])

    @transaction.atomic
    def move(self, record: PmksRecord, *, desa: Wilayah, by: User, reason: str) -> None:
        moved = PmksRecord.objects.select_for_update().get(pk=record.pk)
        moved.desa = desa
        moved._change_reason = reason
        moved._history_user = by
        moved.save()

"""The registry's people as NIK holders for ``psks_portal.transfers``: a person who moved is asked for by the area
they moved to, and moved (their domicile desa) when the area that holds them accepts."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from psks_portal.models import User, Wilayah
from registry.models import Person


class PersonHolder:
    label = "data orang (registri SDM Kesos & PSKS)"
    model = Person

    def find(self, nik: str) -> Person | None:
        return Person.objects.select_related("desa").filter(nik=nik).first()

    def area(self, record: Person) -> Wilayah:
        return record.desa

    def describe(self, record: Person) -> str:
        return f"{record.name}, {record.desa.label}"

    def url(self, record: Person) -> str:
        return reverse("registry:person_detail", args=[record.pk])

    @transaction.atomic
    def move(self, record: Person, *, desa: Wilayah, by: User, reason: str) -> None:
        person = Person.objects.select_for_update().get(pk=record.pk)
        person.desa = desa
        person._change_reason = reason
        person._history_user = by
        person.save()

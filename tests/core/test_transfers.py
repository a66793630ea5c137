"""No NIK oracle: a NIK held by another area is never described — it becomes a transfer request the owning area
decides (``psks_portal.transfers``). Every look-up outside one's own area is logged without the NIK, and the
"held elsewhere" answers are limited per day.

Citra (TKSK of Kecamatan Ciamis, Kabupaten Ciamis) meets people registered in Kota Cirebon; Dedi (operator of Kota
Cirebon) owns their records; Budi (TKSK of Lemahwungkuk) is a neighbour inside Kota Cirebon.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from pmks.models import PmksRecord
from pmks.services import catalogue_load as pmks_catalogue
from psks_portal import transfers
from psks_portal.models import NikCheck, TransferRequest, TransferStatus
from registry.models import Person
from registry.services import catalogue_load as registry_catalogue
from tests.registry.conftest import make_person
from tests.reporting.conftest import category

pytestmark = pytest.mark.django_db

CIAMIS_DESA = "32.07.01.1001"


@pytest.fixture
def sumirah(tree):
    registry_catalogue()
    return make_person(name="Sumirah", desa="32.74.01.1001", sex="P", birth=date(1975, 4, 2))


def _person_form(person: Person, **extra) -> dict:
    birth = person.birth_date
    return {"nik": person.nik, "name": "Sumirah", "sex": person.sex, "birth_place": "Cirebon",
            "birth_date": birth.isoformat(), "education": "30", "desa": CIAMIS_DESA, "address": "Jl. Baru",
            "phone": "", "asn_status": "non_asn", "golongan": "", "nik_note": "", **extra}  # fmt: skip


def test_a_nik_held_elsewhere_is_not_described_and_becomes_a_transfer_request(sumirah, people, login):
    client = login(people["citra"])
    offered = client.post(reverse("registry:person_create"), _person_form(sumirah))
    page = offered.content.decode()
    assert offered.status_code == 200 and "tercatat di wilayah lain" in page
    # Nothing of the record is told: not where it is held, not a link to it.
    for secret in ("Kejaksan", "32.74.01", f"/registri/orang/{sumirah.pk}/"):
        assert secret not in page.split("<main")[1], secret
    assert 'name="kirim_permintaan"' in page and not TransferRequest.objects.exists()
    sent = client.post(reverse("registry:person_create"), _person_form(sumirah, kirim_permintaan="on"))
    assert sent.status_code == 302 and sent.url == reverse("transfer_list")
    request = TransferRequest.objects.get()
    assert (request.requested_by, request.to_desa_id, request.status) == (people["citra"], CIAMIS_DESA, "menunggu")
    assert Person.objects.count() == 1  # no second person with the same NIK
    mine = login(people["citra"]).get(reverse("transfer_list")).content.decode()
    assert "Sumirah" not in mine and "Menunggu keputusan" in mine


def test_the_owning_area_accepts_and_the_person_moves(sumirah, people, login):
    transfers.request_transfer(user=people["citra"], kind="registri", record=sumirah,
                               to_desa=sumirah.desa.__class__.objects.get(code=CIAMIS_DESA))  # fmt: skip
    owner = login(people["dedi"])
    page = owner.get(reverse("transfer_list")).content.decode()
    assert "Sumirah" in page  # the owner sees whose record is asked for
    request = TransferRequest.objects.get()
    decide = reverse("transfer_decide", args=[request.pk])
    for outsider in ("budi", "citra"):  # a neighbour kecamatan, the requester: not theirs to decide
        assert login(people[outsider]).post(decide, {"keputusan": "terima"}).status_code == 404
    login(people["dedi"]).post(decide, {"keputusan": "terima"})
    sumirah.refresh_from_db()
    request.refresh_from_db()
    assert sumirah.desa_id == CIAMIS_DESA and request.status == TransferStatus.ACCEPTED
    assert sumirah.history.first().history_user == people["dedi"]
    # Now Citra's own: her form says "already in your area".
    again = login(people["citra"]).post(reverse("registry:person_create"), _person_form(sumirah))
    assert "sudah terdaftar" in again.content.decode()


def test_a_decline_needs_a_reason_and_the_requester_reads_it(sumirah, people, login):
    from psks_portal.models import Wilayah

    request = transfers.request_transfer(user=people["citra"], kind="registri", record=sumirah,
                                         to_desa=Wilayah.objects.get(code=CIAMIS_DESA))  # fmt: skip
    owner = login(people["dedi"])
    owner.post(reverse("transfer_decide", args=[request.pk]), {"keputusan": "tolak"})
    request.refresh_from_db()
    assert request.status == TransferStatus.PENDING  # refused without a reason
    owner.post(reverse("transfer_decide", args=[request.pk]), {"keputusan": "tolak", "alasan": "Masih tinggal di sini"})
    request.refresh_from_db()
    assert request.status == TransferStatus.DECLINED
    assert "Masih tinggal di sini" in login(people["citra"]).get(reverse("transfer_list")).content.decode()
    sumirah.refresh_from_db()
    assert sumirah.desa_id == "32.74.01.1001"


def test_every_look_up_outside_the_area_is_logged_without_the_nik(sumirah, people, login):
    client = login(people["citra"])
    client.post(reverse("registry:person_create"), _person_form(sumirah))
    new = make_person(name="Belum ada", desa="32.74.02.1001")
    new_nik = new.nik
    new.delete()
    client.post(reverse("registry:person_create"), _person_form(sumirah, nik=new_nik))
    checks = list(NikCheck.objects.filter(user=people["citra"]).values_list("outcome", "nik_hash"))
    assert sorted(outcome for outcome, _h in checks) == ["baru", "di_wilayah_lain"]
    assert all(sumirah.nik not in h and new_nik not in h for _o, h in checks)
    # A look-up inside one's own area is not an out-of-area check.
    login(people["dedi"]).post(reverse("registry:person_create"), _person_form(sumirah, desa="32.74.01.1001"))
    assert not NikCheck.objects.filter(user=people["dedi"]).exists()


def test_held_elsewhere_answers_are_limited_per_day_and_the_limit_tells_nothing(sumirah, people, login, settings):
    settings.NIK_CHECKS_ELSEWHERE_PER_DAY = 2
    others = [make_person(name=f"Warga {n}", desa="32.74.02.1001") for n in range(3)]
    client = login(people["citra"])
    for person in others[:2]:
        assert "tercatat di wilayah lain" in client.post(reverse("registry:person_create"),
                                                         _person_form(person)).content.decode()  # fmt: skip
    # Asking again about a NIK already answered is not counted twice.
    assert "tercatat di wilayah lain" in client.post(reverse("registry:person_create"),
                                                     _person_form(others[0])).content.decode()  # fmt: skip
    # The third different one — held elsewhere or new — gets the same refusal.
    held = client.post(reverse("registry:person_create"), _person_form(others[2])).content.decode()
    fresh_nik = others[2].nik[:-4] + "9999"
    fresh = client.post(reverse("registry:person_create"), _person_form(others[2], nik=fresh_nik)).content.decode()
    assert transfers.LIMITED_MESSAGE in held and transfers.LIMITED_MESSAGE in fresh
    assert "tercatat di wilayah lain" not in held


def test_a_bnba_nik_held_elsewhere_is_a_transfer_request_too(people, login, tree):
    pmks_catalogue()
    record = PmksRecord.objects.create(name="Warsini", sex="P", birth_date=date(1950, 3, 1), desa_id="32.74.01.1001",
                                       identified_on=date(2026, 1, 5), nik="3274014103500001")  # fmt: skip
    record.categories.set([category("LUT")])
    client = login(people["citra"])
    data = {"nik": record.nik, "name": "Warsini", "sex": "P", "birth_date": "1950-03-01", "desa": CIAMIS_DESA,
            "address": "", "categories": [category("LUT").pk], "identified_on": "2026-02-01", "notes": ""}  # fmt: skip
    offered = client.post(reverse("pmks:register_create"), data).content.decode()
    assert "tercatat di wilayah lain" in offered and "32.74.01" not in offered.split("<main")[1]
    assert client.post(reverse("pmks:register_create"), {**data, "kirim_permintaan": "on"}).status_code == 302
    request = TransferRequest.objects.get()
    login(people["dedi"]).post(reverse("transfer_decide", args=[request.pk]), {"keputusan": "terima"})
    record.refresh_from_db()
    assert record.desa_id == CIAMIS_DESA and PmksRecord.objects.count() == 1


def test_the_tksk_look_up_offers_a_transfer_instead_of_naming_the_area(sumirah, people, login):
    client = login(people["euis"])  # operator of Kabupaten Ciamis
    url = reverse("registry:tksk_candidate_create", args=["32.07.01"])
    looked = client.post(url, {"nik": sumirah.nik}, follow=True)
    page = looked.content.decode()
    assert 'data-testid="transfer-offer"' in page and "Sumirah" not in page and "wilayah lain" in page
    sent = client.post(looked.redirect_chain[-1][0], {"kirim_permintaan": "1", "desa": CIAMIS_DESA})
    assert sent.status_code == 302 and TransferRequest.objects.filter(requested_by=people["euis"]).exists()


def test_an_import_row_held_elsewhere_is_refused_and_logged(sumirah, people, login, tmp_path, settings):
    from tests.registry.test_import import person_row, upload, write_xlsx

    settings.MEDIA_ROOT = tmp_path
    row = person_row(**{"NIK": sumirah.nik, "Nama": "Sumirah", "Jenis Kelamin": "P", "Kode Desa": CIAMIS_DESA,
                        "Tanggal Lahir": sumirah.birth_date})  # fmt: skip
    preview = upload(login(people["citra"]), write_xlsx(tmp_path / "orang.xlsx", [row]))
    assert transfers.ELSEWHERE_ROW in preview.content.decode()
    assert NikCheck.objects.filter(user=people["citra"], outcome="di_wilayah_lain", purpose="impor orang").exists()

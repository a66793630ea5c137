"""Eligibility per kind: criteria are data; each failed or unknown criterion gives an Indonesian reason."""

from datetime import date

import pytest

from registry import eligibility, selectors
from registry.models import Criterion
from tests.registry.conftest import assign, make_person, train

pytestmark = pytest.mark.django_db

ON = date(2026, 11, 23)


def _verdict(person, kind_code, on=ON):
    rows = [r for r in selectors.person_verdicts(person, on) if r.assignment.kind.code == kind_code]
    return rows[0].verdict


@pytest.fixture
def setup(tree, catalogue):
    return None


@pytest.mark.parametrize(
    ("birth", "status", "reason"),
    [
        (date(2008, 11, 23), eligibility.MEETS, None),  # 18th birthday on the reference date
        (date(2008, 11, 24), eligibility.DOES_NOT_MEET, "Usia 17 tahun, batas Tagana 18–40 tahun."),
        (date(1985, 11, 24), eligibility.MEETS, None),  # still 40 the day before the 41st birthday
        (date(1985, 11, 23), eligibility.DOES_NOT_MEET, "Usia 41 tahun, batas Tagana 18–40 tahun."),
    ],
)
def test_tagana_age_boundaries(setup, birth, status, reason):
    person = make_person(birth=birth)
    assign(person, "tagana")
    train(person, "pelatihan_tagana")
    verdict = _verdict(person, "tagana")
    assert verdict.status == status
    if reason:
        assert reason in verdict.reasons


def test_a_leap_day_birth_turns_older_on_the_first_of_march(setup):
    person = make_person(birth=date(2000, 2, 29))  # TKSK needs 25–50
    assign(person, "tksk", facts={"surat_sehat": True})
    assert _verdict(person, "tksk", on=date(2025, 2, 28)).status == eligibility.DOES_NOT_MEET
    assert "Usia 24 tahun, batas TKSK 25–50 tahun." in _verdict(person, "tksk", on=date(2025, 2, 28)).reasons
    assert _verdict(person, "tksk", on=date(2025, 3, 1)).status == eligibility.MEETS


def test_missing_data_is_incomplete_not_a_failure(setup):
    person = make_person(birth=date(1995, 1, 1))
    assign(person, "psm")  # no PSM training recorded, no statements
    verdict = _verdict(person, "psm")
    assert verdict.status == eligibility.INCOMPLETE
    assert "Belum tercatat: Pelatihan PSM." in verdict.reasons
    assert any(r.startswith("Belum dinyatakan: Sehat jasmani") for r in verdict.reasons)


def test_tksk_gates_give_each_reason(setup):
    person = make_person(birth=date(1990, 1, 1), education=20, asn="pns", golongan="III/a", desa="32.74.02.1001")
    assign(person, "tksk", wilayah="32.74.01", facts={"surat_sehat": False})
    verdict = _verdict(person, "tksk")
    assert verdict.status == eligibility.DOES_NOT_MEET
    assert "Berstatus PNS; TKSK harus Non-ASN." in verdict.reasons
    assert (
        "Berdomisili di Kecamatan Lemahwungkuk, bukan di kecamatan penugasan (Kecamatan Kejaksan)." in verdict.reasons
    )
    assert "Pendidikan SLTP/SMP/sederajat, minimal SLTA/SMA/SMK/sederajat untuk TKSK." in verdict.reasons
    assert any(r.startswith("Tidak terpenuhi: Berbadan sehat") for r in verdict.reasons)


def test_wpks_must_be_a_woman(setup):
    man = make_person(sex="L", education=30)
    assign(man, "wpks")
    assert "WPKS harus perempuan." in _verdict(man, "wpks").reasons
    woman = make_person(sex="P", education=30, facts={"diakui_masyarakat": True})
    assign(woman, "wpks")
    train(woman, "pelatihan_wpks")
    assert _verdict(woman, "wpks").status == eligibility.MEETS


def test_penyuluh_fungsional_rank_experience_and_certificate_expiry(setup):
    person = make_person(
        birth=date(1980, 6, 1),
        education=50,
        asn="pns",
        golongan="II/d",
        facts={"penilaian_kerja_baik": True, "mulai_penyuluhan": "2025-01-01"},
    )
    assign(person, "penyuluh-fungsional")
    train(person, "diklat_penyuluh", on=date(2020, 1, 1), until=date(2025, 12, 31))
    reasons = _verdict(person, "penyuluh-fungsional").reasons
    assert "Golongan II/d, minimal III/a untuk Penyuluh Fungsional." in reasons
    assert "Pengalaman 1 tahun, minimal 2 tahun untuk Penyuluh Fungsional." in reasons
    assert any("sudah tidak berlaku sejak 31-12-2025" in r for r in reasons)
    assert "Usia 46 tahun" not in " ".join(reasons)


def test_a_sub_kind_inherits_the_criteria_of_its_parent(setup):
    person = make_person(asn="non_asn")
    assign(person, "tks-asn")
    assert "Berstatus Non-ASN; TKS ASN harus PNS atau PPPK." in _verdict(person, "tks-asn").reasons


def test_changing_a_criterion_changes_the_verdict(setup):
    person = make_person(birth=date(1983, 1, 1))  # 43 on the reference date
    assign(person, "tagana")
    train(person, "pelatihan_tagana")
    assert _verdict(person, "tagana").status == eligibility.DOES_NOT_MEET
    criterion = Criterion.objects.get(kind__code="tagana", code="usia")
    criterion.params = {"min": 18, "max": 45}
    criterion.save()
    assert _verdict(person, "tagana").status == eligibility.MEETS

"""Person and organisation rosters in the browser pages: scope on every URL, filters, masking, history, forms."""

from datetime import date

import pytest
from django.urls import reverse

from registry.models import Assignment, BoardMember, Organisation, Person
from tests.registry.conftest import assign, make_person, train

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(people, catalogue):
    """Two Tagana in Kota Cirebon (one aged out), one PSM in Ciamis, an LKS in Kejaksan."""
    young = make_person(name="Tagana Muda", birth=date(2000, 1, 1), desa="32.74.01.1001")
    assign(young, "tagana")
    train(young, "pelatihan_tagana")
    old = make_person(name="Tagana Senior", birth=date(1980, 1, 1), desa="32.74.02.1001")
    assign(old, "tagana")
    train(old, "pelatihan_tagana")
    psm = make_person(name="PSM Ciamis", desa="32.07.01.1001")
    assign(psm, "psm")
    lks = Organisation.objects.create(
        kind_id=_kind("lks"), name="LKS Harapan Kejaksan", desa_id="32.74.01.1001", address="Jl. Siliwangi 1"
    )
    return {"young": young, "old": old, "psm": psm, "lks": lks}


def _kind(code):
    from registry.models import Kind

    return Kind.objects.get(code=code).pk


def _names(response):
    return [row.person.name for row in response.context["page"].object_list]


def test_a_kabupaten_lists_every_tagana_who_has_aged_out(roster, login):
    response = login(roster_people(roster)["dedi"]).get(
        reverse("registry:person_list"), {"jenis": "tagana", "kelayakan": "tidak_memenuhi"}
    )
    assert _names(response) == ["Tagana Senior"]
    assert "Usia 46 tahun, batas Tagana 18–40 tahun." in response.content.decode()


def roster_people(roster):
    from psks_portal.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("ani", ["Tagana Muda"]),  # her kecamatan only
        ("budi", ["Tagana Senior"]),
        ("dedi", ["Tagana Muda", "Tagana Senior"]),
        ("euis", ["PSM Ciamis"]),
        ("fajar", ["PSM Ciamis", "Tagana Muda", "Tagana Senior"]),
        ("gita", []),
        ("hadi", ["Tagana Muda", "Tagana Senior"]),
        ("root", ["PSM Ciamis", "Tagana Muda", "Tagana Senior"]),
    ],
)
def test_the_person_list_is_scoped(roster, people, login, persona, visible):
    response = login(people[persona]).get(reverse("registry:person_list"))
    assert sorted(_names(response)) == visible


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("ani", 200),
        ("budi", 404),
        ("citra", 404),
        ("dedi", 200),
        ("euis", 404),
        ("fajar", 200),
        ("gita", 404),
        ("hadi", 200),
        ("intan", 200),
        ("root", 200),
    ],
)
def test_person_pages_answer_404_outside_the_scope(roster, people, login, persona, status):
    client = login(people[persona])
    pk = roster["young"].pk
    assert client.get(reverse("registry:person_detail", args=[pk])).status_code == status
    write_status = status if persona not in ("hadi", "intan") else 403
    for name in ["person_edit", "assignment_add", "training_add", "person_facts"]:
        assert client.get(reverse(f"registry:{name}", args=[pk])).status_code == write_status, name
    response = client.post(reverse("registry:person_edit", args=[pk]), {"name": "Diubah Orang Luar"})
    roster["young"].refresh_from_db()
    assert roster["young"].name == "Tagana Muda"
    assert response.status_code in (200, 403, 404)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("ani", 200),
        ("budi", 404),
        ("euis", 404),
        ("gita", 404),
        ("dedi", 200),
        ("hadi", 200),
        ("root", 200),
    ],
)
def test_organisation_pages_answer_404_outside_the_scope(roster, people, login, persona, status):
    client = login(people[persona])
    pk = roster["lks"].pk
    assert client.get(reverse("registry:organisation_detail", args=[pk])).status_code == status
    write_status = status if persona != "hadi" else 403
    assert client.get(reverse("registry:organisation_edit", args=[pk])).status_code == write_status
    assert client.get(reverse("registry:organisation_facts", args=[pk])).status_code == write_status
    listed = [org.name for org, _ in client.get(reverse("registry:organisation_list")).context["page"].object_list]
    assert listed == (["LKS Harapan Kejaksan"] if status == 200 else [])


def test_pimpinan_sees_masked_nik_and_operators_see_it_whole(roster, people, login):
    nik = roster["young"].nik
    html = login(people["hadi"]).get(reverse("registry:person_detail", args=[roster["young"].pk])).content.decode()
    assert nik not in html and f"{nik[:4]}********{nik[12:]}" in html
    html = login(people["dedi"]).get(reverse("registry:person_detail", args=[roster["young"].pk])).content.decode()
    assert nik in html
    listing = login(people["dedi"]).get(reverse("registry:person_list")).content.decode()
    assert nik not in listing


def _person_form(**overrides):
    data = {
        "nik": "3274015705950003",
        "name": "Siti Aminah",
        "sex": "P",
        "birth_place": "Cirebon",
        "birth_date": "1995-05-17",
        "education": "30",
        "desa": "32.74.01.1002",
        "address": "Jl. Kartini 5",
        "phone": "081234567890",
        "asn_status": "non_asn",
        "golongan": "",
        "nik_note": "",
    }
    data.update(overrides)
    return data


def test_an_operator_adds_a_person_and_the_history_shows_old_and_new(roster, people, login):
    client = login(people["dedi"])
    response = client.post(reverse("registry:person_create"), _person_form())
    person = Person.objects.get(nik="3274015705950003")
    assert response.status_code == 302 and person.desa_id == "32.74.01.1002"
    edit_url = reverse("registry:person_edit", args=[person.pk])
    fingerprint = client.get(edit_url).context["form"].initial["fingerprint"]
    client.post(edit_url, _person_form(name="Siti Aminah Rahayu", fingerprint=fingerprint))
    html = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "Siti Aminah Rahayu" in html and "<del>Siti Aminah</del>" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nik": "327401570595000"}, "16 digit"),
        ({"nik": "3274011705950003"}, "jenis kelamin laki-laki"),  # male day for a woman
        ({"birth_date": "1995-05-18"}, "tidak sama dengan tanggal lahir"),
        ({"desa": "32.74.01"}, "tingkat desa"),
        ({"desa": "32.07.01.1001"}, "di luar wilayah"),
        ({"asn_status": "pns"}, "golongan"),
    ],
)
def test_bad_person_input_is_refused_with_a_reason(roster, people, login, overrides, message):
    response = login(people["dedi"]).post(reverse("registry:person_create"), _person_form(**overrides))
    assert response.status_code == 200
    errors = " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)
    assert message.lower() in errors.lower()
    assert not Person.objects.filter(name="Siti Aminah").exists()


def test_a_nik_mismatch_is_accepted_with_an_explanation(roster, people, login):
    response = login(people["dedi"]).post(
        reverse("registry:person_create"),
        _person_form(
            birth_date="1995-05-18", nik_note="Tanggal lahir di KTP salah cetak; sesuai akta kelahiran 18-05-1995."
        ),
    )
    assert response.status_code == 302


def test_an_unknown_nik_prefix_is_a_warning_not_a_refusal(roster, people, login):
    response = login(people["dedi"]).post(
        reverse("registry:person_create"), _person_form(nik="9999015705950003"), follow=True
    )
    assert Person.objects.filter(nik="9999015705950003").exists()
    assert "bukan kode kecamatan yang dikenal" in response.content.decode()


def test_a_duplicate_nik_elsewhere_reveals_nothing(roster, people, login):
    response = login(people["gita"]).post(
        reverse("registry:person_create"),
        _person_form(
            nik=roster["psm"].nik,
            desa="33.01.01.2001",
            sex=roster["psm"].sex,
            birth_date=roster["psm"].birth_date.isoformat(),
        ),
    )
    text = str(response.context["form"].errors["nik"])
    # The NIK is offered as a transfer request (psks_portal.transfers); whose record it is stays untold.
    assert "tercatat di wilayah lain" in text and "PSM Ciamis" not in response.content.decode()
    assert "Kirim permintaan pindah data" in response.content.decode()


def test_a_second_active_tksk_in_a_kecamatan_is_refused_with_a_message(roster, people, login):
    first = make_person(name="TKSK Pertama", desa="32.74.03.1001")
    assign(first, "tksk", status="aktif")
    second = make_person(name="TKSK Kedua", desa="32.74.03.1002")
    response = login(people["dedi"]).post(
        reverse("registry:assignment_add", args=[second.pk]),
        {"kind": _kind("tksk"), "wilayah": "32.74.03", "status": "aktif", "start_date": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "sudah memiliki TKSK aktif: TKSK Pertama" in response.content.decode()
    assert Assignment.objects.filter(wilayah_id="32.74.03", holds_tksk_seat=True).count() == 1


def test_an_organisation_with_board_and_eligibility(roster, people, login):
    client = login(people["dedi"])
    response = client.post(
        reverse("registry:organisation_create"),
        {
            "kind": _kind("karang-taruna"),
            "name": "Karang Taruna Tunas Harapan",
            "desa": "32.74.01.1003",
            "address": "Balai Kelurahan Kesenden",
            "is_active": "on",
            "pengurus-TOTAL_FORMS": "2",
            "pengurus-INITIAL_FORMS": "0",
            "pengurus-MIN_NUM_FORMS": "0",
            "pengurus-MAX_NUM_FORMS": "1000",
            "pengurus-0-name": "Rudi Hartono",
            "pengurus-0-position": "Ketua",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    org = Organisation.objects.get(name="Karang Taruna Tunas Harapan")
    assert list(BoardMember.objects.filter(organisation=org).values_list("position", "name")) == [
        ("Ketua", "Rudi Hartono")
    ]
    detail = client.get(reverse("registry:organisation_detail", args=[org.pk]))
    assert detail.context["verdict"].status == "memenuhi"


def test_the_roster_query_count_does_not_grow_with_rows(roster, people, login, django_assert_max_num_queries):
    client = login(people["fajar"])
    with django_assert_max_num_queries(20):
        client.get(reverse("registry:person_list"))
    for i in range(25):
        person = make_person(name=f"PSM {i}", desa="32.74.05.1001")
        assign(person, "psm")
        train(person, "pelatihan_psm")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("registry:person_list"))
    assert response.context["total"] == 28


def _criterion_form(criterion, params: str) -> dict:
    return {"label": criterion.label, "source": criterion.source, "note": "", "is_active": "on", "params_text": params}


def test_criterion_change_preview_counts_records_that_would_change(roster, people, login):
    from registry.models import Criterion, CriterionOverride

    criterion = Criterion.objects.get(kind__code="tagana", code="usia")
    client = login(people["fajar"])
    url = reverse("registry:criterion_edit", args=[criterion.pk])
    form = _criterion_form(criterion, '{"min": 18, "max": 50}')
    response = client.post(url, {**form, "pratinjau": "1"})
    preview = response.context["preview"]
    assert (preview.evaluated, preview.changed) == (2, 1)  # Tagana Senior (46) would become eligible
    assert not CriterionOverride.objects.exists()  # nothing saved by a preview
    client.post(url, {**form, "simpan": "1"})
    criterion.refresh_from_db()
    # An Admin Provinsi changes its provinsi's version; the national criterion stays as it was.
    assert criterion.params == {"min": 18, "max": 40}
    override = CriterionOverride.objects.get()
    assert (override.provinsi_id, override.params) == ("32", {"min": 18, "max": 50})
    assert override.history.first().history_change_reason == "Diubah oleh fajar"
    assert login(people["dedi"]).get(url).status_code == 403
    bad = login(people["fajar"]).post(url, {**form, "params_text": '{"min": 50, "max": 18}', "pratinjau": "1"})
    assert "tidak boleh melebihi" in bad.content.decode()


def test_a_provinsi_version_applies_in_that_provinsi_only(roster, people, login):
    from registry.eligibility import DOES_NOT_MEET, MEETS
    from registry.models import Criterion
    from registry.selectors import person_verdicts

    criterion = Criterion.objects.get(kind__code="tagana", code="usia")
    older = make_person(name="Tagana Jateng", birth=date(1980, 1, 1), desa="33.01.01.2001")
    assign(older, "tagana")
    train(older, "pelatihan_tagana")
    login(people["fajar"]).post(
        reverse("registry:criterion_edit", args=[criterion.pk]),
        {**_criterion_form(criterion, '{"min": 18, "max": 50}'), "simpan": "1"},
    )
    # Tagana Senior (46, Kota Cirebon) now meets Jawa Barat's age rule; the same age in Jawa Tengah does not.
    assert person_verdicts(roster["old"])[0].verdict.status == MEETS
    assert person_verdicts(older)[0].verdict.status == DOES_NOT_MEET
    # Jawa Tengah's admin sees and edits the national version, and a national change does not reach Jawa Barat.
    gita = login(people["gita"])
    page = gita.get(reverse("registry:criterion_edit", args=[criterion.pk]))
    assert page.context["current"].params == {"min": 18, "max": 40}
    root = login(people["root"])
    national = _criterion_form(criterion, '{"min": 18, "max": 35}')
    preview = root.post(reverse("registry:criterion_edit", args=[criterion.pk]), {**national, "pratinjau": "1"})
    # A national change reaches Tagana Jateng only: both Jawa Barat Tagana are judged by Jawa Barat's version.
    assert preview.context["preview"].evaluated == 1
    root.post(reverse("registry:criterion_edit", args=[criterion.pk]), {**national, "simpan": "1"})
    criterion.refresh_from_db()
    assert criterion.params == {"min": 18, "max": 35}
    assert person_verdicts(roster["old"])[0].verdict.status == MEETS  # Jawa Barat keeps its own version


def test_an_admin_provinsi_goes_back_to_the_national_criterion(roster, people, login):
    from registry.models import Criterion, CriterionOverride

    criterion = Criterion.objects.get(kind__code="tagana", code="usia")
    client = login(people["fajar"])
    url = reverse("registry:criterion_edit", args=[criterion.pk])
    client.post(url, {**_criterion_form(criterion, '{"min": 18, "max": 50}'), "simpan": "1"})
    assert 'data-testid="criterion-reset"' in client.get(url).content.decode()
    client.post(url, {"kembalikan": "1"})
    assert not CriterionOverride.objects.exists()
    listing = client.get(reverse("registry:criteria_list")).content.decode()
    assert 'title="Nasional:' not in listing  # no criterion is marked as the provinsi's own any more


def test_the_registry_admin_is_scoped(roster, people, login):
    from django.contrib.auth.models import Permission

    fajar = people["fajar"]
    fajar.is_staff = True
    fajar.save()
    fajar.user_permissions.add(*Permission.objects.filter(codename__in=["view_person", "view_organisation"]))
    client = login(fajar)
    assert client.get("/admin/registry/person/").context["cl"].result_count == 3
    gita = people["gita"]
    gita.is_staff = True
    gita.save()
    gita.user_permissions.add(*Permission.objects.filter(codename__in=["view_person"]))
    client = login(gita)
    assert client.get("/admin/registry/person/").context["cl"].result_count == 0
    assert client.get(f"/admin/registry/person/{roster['psm'].pk}/change/").status_code in (302, 403, 404)


def test_criteria_catalogue_lists_all_twelve_psks_with_sources(roster, people, login):
    response = login(people["ani"]).get(reverse("registry:criteria_list"))
    kinds = [kind for kind, _criteria in response.context["rows"]]
    psks = sorted(k.psks_number for k in kinds if k.psks_number and k.parent_id is None)
    assert psks == list(range(1, 13))
    html = response.content.decode()
    assert "Kriteria PSKS, Dinas Sosial Kota Cirebon" in html
    assert "ubah" not in html.split('data-testid="criteria-table"')[1]  # a TKSK cannot edit criteria


def test_role_changes_appear_in_the_person_history(roster, people, login):
    client = login(people["dedi"])
    assignment = roster["young"].assignments.get()
    response = client.post(
        reverse("registry:assignment_edit", args=[roster["young"].pk, assignment.pk]),
        {
            "kind": assignment.kind_id,
            "wilayah": "32.74.01",
            "status": "nonaktif",
            "start_date": "2020-01-01",
            "end_date": "2026-06-30",
            "sk_number": "",
            "sk_date": "",
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("registry:person_detail", args=[roster["young"].pk])).content.decode()
    assert "<del>aktif</del> → <strong>nonaktif</strong>" in html

"""TKSK selection and coverage: gates, scores and ranking, one active TKSK per kecamatan (also under a race), scope on
every URL, and the coverage roll-up in a fixed number of queries.

Reference date for the ages below is ``ON`` unless a test says otherwise. The default synthetic person (``make_person``)
lives in Desa Kejaksan (Kecamatan Kejaksan, 32.74.01), was born 17-05-1990, has SLTA and is not an ASN.
"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from psks_portal.models import Wilayah
from registry import tksk
from registry.models import TKSK_DOCUMENTS, Assignment, AssignmentStatus, CandidateStatus, Kind, Person, TkskCandidate
from tests.registry.conftest import make_person, synthetic_nik

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 15)
KEJAKSAN, LEMAHWUNGKUK, HARJAMUKTI = "32.74.01", "32.74.02", "32.74.03"
ALL_DOCUMENTS = [code for code, _ in TKSK_DOCUMENTS]

# The score rule as the selection team wrote it down, restated here on purpose (not imported): a change to the
# constants in registry/tksk.py must be a conscious change to these tests too.
WEIGHT_WRITTEN, WEIGHT_INTERVIEW = Decimal("0.6"), Decimal("0.4")
BONUS = {"has_vehicle": 2, "computer_skills": 2, "higher_education": 3, "activist": 3, "runs_uep": 2}


def expected_total(written, interview, prefs) -> Decimal:
    raw = WEIGHT_WRITTEN * Decimal(written) + WEIGHT_INTERVIEW * Decimal(interview) + sum(BONUS[p] for p in prefs)
    return raw.quantize(Decimal("0.01"))


def kec(code: str) -> Wilayah:
    return Wilayah.objects.get(code=code)


def first_desa(kecamatan: str) -> str:
    return Wilayah.objects.filter(parent_id=kecamatan).order_by("code").values_list("code", flat=True)[0]


def add_candidate(
    *,
    kecamatan=KEJAKSAN,
    person=None,
    year=2026,
    documents=ALL_DOCUMENTS,
    preferences=(),
    written=None,
    interview=None,
    **person_fields,
) -> TkskCandidate:
    person = person or make_person(desa=first_desa(kecamatan), **person_fields)
    return tksk.tksk_candidate_create(
        kecamatan=kec(kecamatan),
        selection_year=year,
        person=person,
        documents=list(documents),
        preferences=list(preferences),
        written_score=None if written is None else Decimal(str(written)),
        interview_score=None if interview is None else Decimal(str(interview)),
    )


def seat(code: str, name: str, **extra) -> Assignment:
    """A TKSK assignment (active unless told) created directly, the way an import or the admin would."""
    person = make_person(name=name, desa=first_desa(code))
    extra.setdefault("status", AssignmentStatus.ACTIVE)
    return Assignment.objects.create(person=person, kind=Kind.objects.get(code="tksk"), wilayah_id=code, **extra)


def appoint(candidate, sk="466/001/Dinsos/2026", **extra) -> Assignment:
    return tksk.tksk_appoint(candidate=candidate, sk_number=sk, sk_date=ON, start_date=ON, **extra)


@pytest.fixture
def setup(tree, catalogue):
    return None


# --- Score --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "interview", "prefs", "total"),
    [
        ("80", "70", {}, Decimal("76.00")),
        ("80", "70", {"has_vehicle": True, "runs_uep": True}, Decimal("80.00")),
        ("80", "70", dict.fromkeys(BONUS, True), Decimal("88.00")),
        ("77.25", "66.66", {}, Decimal("73.01")),  # 46.35 + 26.664 rounds half-up to two decimals
        ("80", "70", {"has_vehicle": False, "unknown": True}, Decimal("76.00")),
    ],
)
def test_it_weights_written_and_interview_and_adds_preference_bonuses(written, interview, prefs, total):
    assert tksk.score_total(Decimal(written), Decimal(interview), prefs) == total


def test_it_has_no_total_until_both_scores_are_in():
    assert tksk.score_total(Decimal(80), None, {"activist": True}) is None
    assert tksk.score_total(None, Decimal(80), {}) is None


# --- Gates --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "passes"),
    [
        (date(2001, 3, 15), ON, True),  # 25th birthday on the reference date
        (date(2001, 3, 16), ON, False),  # still 24
        (date(1975, 3, 16), ON, True),  # 50, the day before the 51st birthday
        (date(1975, 3, 15), ON, False),  # 51st birthday on the reference date
        (date(2000, 2, 29), date(2025, 2, 28), False),  # leap-day birth: 24 on 28 February of a common year …
        (date(2000, 2, 29), date(2025, 3, 1), True),  # … and 25 on 1 March
        (date(2000, 2, 29), date(2024, 2, 29), False),  # 24 on the leap day itself
        (date(1976, 2, 29), date(2027, 2, 28), True),  # leap-day birth still 50 on 28 February …
        (date(1976, 2, 29), date(2027, 3, 1), False),  # … and 51 on 1 March
    ],
)
def test_it_applies_the_age_gate_25_to_50_on_the_reference_date(setup, birth, on, passes):
    candidate = add_candidate(birth=birth)
    verdict = tksk.candidate_gates(candidate, on=on)
    assert (verdict.status == "memenuhi") is passes
    if not passes:
        age = candidate.person.age_on(on)
        assert verdict.reasons == [f"Usia {age} tahun, batas TKSK 25–50 tahun."]


@pytest.mark.parametrize(
    ("person_fields", "documents", "reason"),
    [
        ({"asn": "pns", "golongan": "III/a"}, ALL_DOCUMENTS, "Berstatus PNS; TKSK harus Non-ASN."),
        ({"asn": "pppk"}, ALL_DOCUMENTS, "Berstatus PPPK; TKSK harus Non-ASN."),
        (
            {"desa": "32.74.02.1001"},
            ALL_DOCUMENTS,
            "Berdomisili di Kecamatan Lemahwungkuk, bukan di kecamatan penugasan",
        ),
        ({"education": 20}, ALL_DOCUMENTS, "Pendidikan SLTP/SMP/sederajat, minimal SLTA/SMA/SMK/sederajat untuk TKSK."),
        (
            {},
            [d for d in ALL_DOCUMENTS if d != "surat_sehat"],
            "Tidak terpenuhi: Berbadan sehat (surat keterangan dokter/puskesmas).",
        ),
        ({"birth": date(1960, 1, 1)}, ALL_DOCUMENTS, "Usia 66 tahun, batas TKSK 25–50 tahun."),
    ],
)
def test_a_failed_gate_makes_the_candidate_gugur_with_an_indonesian_reason(setup, person_fields, documents, reason):
    person = make_person(**person_fields)
    candidate = add_candidate(person=person, documents=documents, written=90, interview=90)
    [line] = tksk.selection_ranking(kecamatan=kec(KEJAKSAN), selection_year=2026, on=ON)
    assert line.candidate == candidate
    assert line.gate == tksk.FAILED and line.gate_label == "Gugur"
    [actual] = line.reasons
    assert actual.startswith(reason)
    assert line.rank is None


def test_missing_data_is_incomplete_not_gugur(setup):
    add_candidate(education=None, written=90, interview=90)
    [line] = tksk.selection_ranking(kecamatan=kec(KEJAKSAN), selection_year=2026, on=ON)
    assert line.gate == tksk.INCOMPLETE
    assert line.reasons == ["Pendidikan terakhir belum diisi."]


def test_missing_documents_are_listed_but_only_the_health_letter_is_a_gate(setup):
    add_candidate(
        documents=[d for d in ALL_DOCUMENTS if d not in ("npwp", "bukti_kendaraan")], written=70, interview=70
    )
    [line] = tksk.selection_ranking(kecamatan=kec(KEJAKSAN), selection_year=2026, on=ON)
    assert line.gate == tksk.PASSED
    assert line.missing_documents == ["Fotokopi NPWP", "Fotokopi bukti kepemilikan kendaraan bermotor"]


def test_the_gates_follow_the_criteria_data(setup):
    """The age range is data: an admin who widens it changes the gate without a code change."""
    criterion = Kind.objects.get(code="tksk").criteria.get(code="usia")
    criterion.params = {"min": 25, "max": 55}
    criterion.save()
    candidate = add_candidate(birth=date(1975, 3, 15))
    assert tksk.candidate_gates(candidate, on=ON).status == "memenuhi"


# --- Ranking ------------------------------------------------------------------------------------------------------


def test_it_ranks_passing_candidates_by_total_with_bonuses_then_the_rest(setup):
    spec = {
        # name: (written, interview, stored preferences, person fields)
        "Ayu": (80, 80, ["higher_education"], {}),  # SLTA: the stored D3/S1 flag does not count
        "Bayu": (76, 78, ["has_vehicle", "computer_skills"], {}),
        "Cici": (85, 70, ["activist"], {}),
        "Dodi": (70, 75, ["runs_uep"], {"education": 50}),  # S1 earns the D3/S1 bonus from the education
        "Gina": (75, 87.5, [], {}),  # same total as Ayu, lower written score
        "Eka": (95, 95, ["has_vehicle"], {"asn": "pns", "golongan": "III/b"}),  # best scores, but a PNS
        "Fani": (90, None, ["activist"], {}),  # no interview yet
        "Hana": (88, 88, [], {"education": None}),  # education unknown
    }
    for name, (written, interview, prefs, fields) in spec.items():
        add_candidate(name=name, written=written, interview=interview, preferences=prefs, **fields)

    effective = {
        "Ayu": [],
        "Bayu": ["has_vehicle", "computer_skills"],
        "Cici": ["activist"],
        "Dodi": ["runs_uep", "higher_education"],
        "Gina": [],
    }
    totals = {name: expected_total(spec[name][0], spec[name][1], prefs) for name, prefs in effective.items()}
    assert totals == {
        "Ayu": Decimal("80.00"),
        "Bayu": Decimal("80.80"),
        "Cici": Decimal("82.00"),
        "Dodi": Decimal("77.00"),
        "Gina": Decimal("80.00"),
    }
    scored = sorted(totals, key=lambda n: (-totals[n], -spec[n][0]))

    ranking = tksk.selection_ranking(kecamatan=kec(KEJAKSAN), selection_year=2026, on=ON)

    assert [line.candidate.person.name for line in ranking] == [*scored, "Fani", "Hana", "Eka"]
    assert scored == ["Cici", "Bayu", "Ayu", "Gina", "Dodi"]
    by_name = {line.candidate.person.name: line for line in ranking}
    for rank, name in enumerate(scored, start=1):
        assert (by_name[name].rank, by_name[name].total) == (rank, totals[name])
    assert by_name["Dodi"].bonus == Decimal(5)
    assert by_name["Fani"].rank is None and by_name["Fani"].total is None and by_name["Fani"].gate == tksk.PASSED
    assert by_name["Hana"].gate == tksk.INCOMPLETE and by_name["Hana"].rank is None
    assert by_name["Eka"].gate == tksk.FAILED and by_name["Eka"].reasons == ["Berstatus PNS; TKSK harus Non-ASN."]


def test_applying_the_ranking_marks_lulus_and_gugur(setup):
    passing = add_candidate(name="Lulus", written=80, interview=80)
    failing = add_candidate(name="Gugur", asn="pns", golongan="III/a", written=80, interview=80)
    unscored = add_candidate(name="Belum Dinilai")
    counts = tksk.tksk_selection_apply(kecamatan=kec(KEJAKSAN), selection_year=2026, on=ON)
    assert counts == {"lulus": 1, "gugur": 1}
    statuses = dict(TkskCandidate.objects.values_list("pk", "status"))
    assert statuses == {
        passing.pk: CandidateStatus.PASSED,
        failing.pk: CandidateStatus.FAILED,
        unscored.pk: CandidateStatus.CANDIDATE,
    }


# --- One active TKSK per kecamatan --------------------------------------------------------------------------------


def test_the_database_refuses_a_second_active_tksk_in_a_kecamatan(setup):
    seat(KEJAKSAN, "TKSK Pertama")
    with pytest.raises(IntegrityError), transaction.atomic():
        seat(KEJAKSAN, "TKSK Kedua")
    assert Assignment.objects.filter(wilayah_id=KEJAKSAN, status=AssignmentStatus.ACTIVE).count() == 1


def test_the_constraint_leaves_inactive_terms_other_kecamatan_and_other_kinds_alone(setup):
    first = seat(KEJAKSAN, "TKSK Lama", start_date=date(2020, 1, 1))
    tksk.tksk_term_end(assignment=first, end_date=date(2025, 12, 31))
    seat(KEJAKSAN, "TKSK Baru")  # the seat was freed
    seat(LEMAHWUNGKUK, "TKSK Tetangga")
    psm = Kind.objects.get(code="psm")
    for name in ("PSM Satu", "PSM Dua"):
        Assignment.objects.create(person=make_person(name=name), kind=psm, wilayah_id=KEJAKSAN)
    assert Assignment.objects.filter(wilayah_id=KEJAKSAN, holds_tksk_seat=True).get().person.name == "TKSK Baru"


def test_appointing_creates_the_assignment_and_marks_the_candidate(setup):
    candidate = add_candidate(name="Sri Wahyuni", written=80, interview=75)
    assignment = appoint(candidate)
    assert (assignment.kind.code, assignment.wilayah_id, assignment.status) == ("tksk", KEJAKSAN, "aktif")
    assert (assignment.sk_number, assignment.sk_date, assignment.start_date) == ("466/001/Dinsos/2026", ON, ON)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.APPOINTED and candidate.assignment == assignment
    assert tksk.seat_holder(kec(KEJAKSAN)) == assignment


def test_a_taken_seat_is_refused_with_an_indonesian_message(setup):
    appoint(add_candidate(name="Sri Wahyuni"))
    second = add_candidate(name="Rahmat Hidayat")
    with pytest.raises(tksk.TkskSeatTaken) as refused:
        appoint(second, sk="466/002/Dinsos/2026")
    assert str(refused.value).startswith(
        "Kecamatan Kejaksan sudah memiliki TKSK aktif: Sri Wahyuni (SK 466/001/Dinsos/2026). Nonaktifkan dulu"
    )
    second.refresh_from_db()
    assert second.status == CandidateStatus.CANDIDATE and second.assignment is None
    assert Assignment.objects.filter(kind__code="tksk", wilayah_id=KEJAKSAN).count() == 1


def test_the_database_decides_when_the_friendly_check_is_passed(setup, monkeypatch):
    """Even when the pre-check misses the holder (as in a race), the unique index refuses and the error is worded."""
    seat(KEJAKSAN, "Sri Wahyuni", sk_number="466/001")
    real = tksk.seat_holder
    calls = []

    def blind_first_time(kecamatan):
        calls.append(kecamatan.code)
        return None if len(calls) == 1 else real(kecamatan)

    monkeypatch.setattr(tksk, "seat_holder", blind_first_time)
    candidate = add_candidate(name="Rahmat Hidayat")
    with pytest.raises(tksk.TkskSeatTaken, match=r"Kecamatan Kejaksan sudah memiliki TKSK aktif: Sri Wahyuni"):
        appoint(candidate)
    assert calls == [KEJAKSAN, KEJAKSAN]  # the pre-check, then the lookup for the message after the refusal
    assert TkskCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.CANDIDATE


def test_a_candidate_who_fails_a_gate_or_is_appointed_already_cannot_be_appointed(setup):
    pns = add_candidate(name="Pegawai", asn="pns", golongan="III/a")
    with pytest.raises(tksk.TkskError, match=r"^Pegawai belum memenuhi syarat TKSK: Berstatus PNS"):
        appoint(pns)
    chosen = add_candidate(name="Terpilih")
    appoint(chosen)
    with pytest.raises(tksk.TkskError, match="sudah diangkat"):
        appoint(chosen)


def test_ending_a_term_frees_the_seat_for_the_next_appointment(setup):
    first = appoint(add_candidate(name="Sri Wahyuni"))
    with pytest.raises(tksk.TkskError, match="tidak boleh sebelum tanggal mulai"):
        tksk.tksk_term_end(assignment=first, end_date=date(2026, 3, 1))
    tksk.tksk_term_end(assignment=first, end_date=date(2026, 6, 30))
    first.refresh_from_db()
    assert (first.status, first.end_date, first.holds_tksk_seat) == ("nonaktif", date(2026, 6, 30), None)
    successor = appoint(add_candidate(name="Rahmat Hidayat"), sk="466/002")
    assert tksk.seat_holder(kec(KEJAKSAN)) == successor


def _skip_unless_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite lets one connection write at a time and the test database lives in one connection's "
            "memory, so two appointments cannot race there; the constraint itself is tested on both."
        )


def _in_thread(results: list, work) -> threading.Thread:
    def run():
        try:
            results.append(("diangkat", work()))
        except tksk.TkskSeatTaken as exc:
            results.append(("ditolak", str(exc)))
        finally:
            connection.close()  # this thread's own connection

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_appointments_in_one_kecamatan_seat_exactly_one(setup, monkeypatch):
    """Two connections appoint two candidates for Kejaksan at once. Both pass the friendly check (a barrier holds
    each one there until the other has checked too), so only the partial unique index can stop the second."""
    _skip_unless_postgresql()
    first, second = add_candidate(name="Sri Wahyuni"), add_candidate(name="Rahmat Hidayat")
    barrier = threading.Barrier(2, timeout=20)
    real, checked = tksk.seat_holder, threading.local()
    passed_check = []

    def racing_seat_holder(kecamatan):
        holder = real(kecamatan)
        if not getattr(checked, "done", False):  # only the pre-check, not the lookup for the message
            checked.done = True
            passed_check.append(holder is None)
            barrier.wait()
        return holder

    monkeypatch.setattr(tksk, "seat_holder", racing_seat_holder)
    results: list = []
    threads = [_in_thread(results, lambda c=c, n=n: appoint(c, sk=f"466/00{n}")) for n, c in ((1, first), (2, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert passed_check == [True, True]
    assert sorted(outcome for outcome, _ in results) == ["diangkat", "ditolak"]
    winner = next(value for outcome, value in results if outcome == "diangkat")
    message = next(value for outcome, value in results if outcome == "ditolak")
    assert message.startswith(f"Kecamatan Kejaksan sudah memiliki TKSK aktif: {winner.person.name} (SK ")
    assert "Nonaktifkan dulu" in message
    active = Assignment.objects.filter(kind__code="tksk", wilayah_id=KEJAKSAN, status="aktif")
    assert list(active.values_list("pk", flat=True)) == [winner.pk]
    statuses = dict(TkskCandidate.objects.values_list("person__name", "status"))
    loser = ({"Sri Wahyuni", "Rahmat Hidayat"} - {winner.person.name}).pop()
    assert statuses == {winner.person.name: "diangkat", loser: "calon"}


@pytest.mark.django_db(transaction=True)
def test_racing_appointments_never_seat_two_tksk(setup):
    """Without any help to line them up, several rounds of two simultaneous appointments: always exactly one wins."""
    _skip_unless_postgresql()
    for code in (KEJAKSAN, LEMAHWUNGKUK, HARJAMUKTI, "32.74.04", "32.74.05"):
        pair = [add_candidate(kecamatan=code, name=f"Calon {code} {n}") for n in (1, 2)]
        start = threading.Barrier(2, timeout=20)
        results: list = []

        def work(c, start=start):
            start.wait()
            return appoint(c)

        threads = [_in_thread(results, lambda c=c: work(c)) for c in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcome for outcome, _ in results) == ["diangkat", "ditolak"], code
        assert Assignment.objects.filter(wilayah_id=code, holds_tksk_seat=True).count() == 1


# --- Coverage -----------------------------------------------------------------------------------------------------


@pytest.fixture
def covered(setup):
    """Kota Cirebon: Kejaksan and Harjamukti have an active TKSK; Lemahwungkuk had one whose term ended."""
    seat(KEJAKSAN, "Sri Wahyuni", sk_number="466/001", sk_date=date(2025, 1, 2), start_date=date(2025, 1, 6))
    seat(HARJAMUKTI, "Joko Santoso", sk_number="466/003")
    seat(LEMAHWUNGKUK, "Mantan TKSK", status=AssignmentStatus.INACTIVE, end_date=date(2025, 1, 1))
    seat("32.07.01", "Citra Lestari")
    Assignment.objects.create(
        person=make_person(name="PSM Saja", desa="32.74.04.1001"),
        kind=Kind.objects.get(code="psm"),
        wilayah_id="32.74.04",
    )


def _totals(t: tksk.CoverageTotals) -> tuple:
    return t.kecamatan, t.covered, t.not_covered, t.percentage


def test_coverage_of_a_kota_counts_kecamatan_with_and_without_an_active_tksk(covered):
    result = tksk.coverage(kec("32.74"))
    assert _totals(result.totals) == (5, 2, 3, Decimal("40.0"))
    rows = {w.code: (w.tksk_name, w.tksk_sk_number) for w in result.rows}
    assert rows == {
        KEJAKSAN: ("Sri Wahyuni", "466/001"),
        LEMAHWUNGKUK: (None, None),
        HARJAMUKTI: ("Joko Santoso", "466/003"),
        "32.74.04": (None, None),
        "32.74.05": (None, None),
    }
    uncovered = tksk.coverage(kec("32.74"), uncovered_only=True)
    assert [w.code for w in uncovered.rows] == [LEMAHWUNGKUK, "32.74.04", "32.74.05"]
    assert _totals(uncovered.totals) == (5, 2, 3, Decimal("40.0"))  # the totals stay those of the wilayah


def test_coverage_of_a_provinsi_is_grouped_by_kabupaten(covered):
    result = tksk.coverage(kec("32"))
    assert [(a.area.code, a.area.label, a.kecamatan, a.covered) for a in result.areas] == [
        ("32.07", "Kabupaten Ciamis", 27, 1),
        ("32.74", "Kota Cirebon", 5, 2),
    ]
    assert _totals(result.totals) == (32, 3, 29, Decimal("9.4"))
    assert result.grouped_by_kabupaten


def test_national_coverage_lists_provinsi_only(covered):
    result = tksk.coverage(None)
    assert [(a.area.label, a.kecamatan, a.covered) for a in result.areas] == [
        ("Provinsi Jawa Barat", 32, 3),
        ("Provinsi Jawa Tengah", 24, 0),
    ]
    assert result.rows is None


def test_the_coverage_page_shows_names_sk_and_belum_ada(covered, people, login):
    response = login(people["dedi"]).get(reverse("registry:tksk_coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sri Wahyuni" in html and "466/001" in html and "02-01-2025" in html and "06-01-2025" in html
    assert html.count('badge text-bg-danger">belum ada') == 3
    assert "Mantan TKSK" not in html and "PSM Saja" not in html
    assert _totals(response.context["coverage"].totals) == (5, 2, 3, Decimal("40.0"))


def test_a_tksk_sees_the_coverage_of_their_own_kecamatan(covered, people, login):
    response = login(people["ani"]).get(reverse("registry:tksk_coverage"))
    assert [w.code for w in response.context["coverage"].rows] == [KEJAKSAN]
    assert _totals(response.context["coverage"].totals) == (1, 1, 0, Decimal("100.0"))


def test_the_coverage_page_costs_the_same_queries_however_many_kecamatan(
    covered, people, login, django_assert_max_num_queries
):
    """Kota Cirebon (5 kecamatan) and Kabupaten Ciamis (27) cost the same; so does Jawa Barat (32) with more TKSK.

    (A provinsi and a kabupaten differ by a query or two of the wilayah picker, which depends on the level chosen.)
    """
    client = login(people["fajar"])
    url = reverse("registry:tksk_coverage")
    client.get(url, {"wilayah": "32.74"})  # warm the session and content-type caches

    def queries(code: str) -> int:
        with django_assert_max_num_queries(15), CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"wilayah": code}).status_code == 200
        return len(ctx.captured_queries)

    assert queries("32.74") == queries("32.07")
    before = queries("32")
    for code in ("32.07.02", "32.07.03", "32.07.04", "32.74.05"):
        seat(code, f"TKSK {code}")
    assert queries("32") == before


# --- Pages and scope ----------------------------------------------------------------------------------------------


@pytest.fixture
def kejaksan(setup, people):
    """A candidate and an active TKSK in Kecamatan Kejaksan (32.74.01), Kota Cirebon."""
    candidate = add_candidate(name="Calon Kejaksan", written=80, interview=80)
    holder = seat(KEJAKSAN, "TKSK Kejaksan", sk_number="466/001", start_date=date(2024, 1, 1))
    return {"candidate": candidate, "holder": holder}


# Who reaches Kecamatan Kejaksan: Ani (its TKSK), Dedi (Kota Cirebon), Fajar (Jawa Barat), Hadi (Pimpinan of Kota
# Cirebon), Intan (national Pimpinan), Root. Budi: another kecamatan; Citra, Euis: another kabupaten; Gita: another
# provinsi. Of those who reach it, only Dedi, Fajar and Root run a selection: Ani is a TKSK, Hadi and Intan read only.
SEES_KEJAKSAN = {"ani", "dedi", "fajar", "hadi", "intan", "root"}
MANAGES_KEJAKSAN = {"dedi", "fajar", "root"}
PERSONAS = ["ani", "budi", "citra", "dedi", "euis", "fajar", "gita", "hadi", "intan", "root"]
COVERAGE_VISIBLE = {
    KEJAKSAN: SEES_KEJAKSAN,
    LEMAHWUNGKUK: {"budi", "dedi", "fajar", "hadi", "intan", "root"},
    "32.74": {"dedi", "fajar", "hadi", "intan", "root"},
    "32.07": {"euis", "fajar", "intan", "root"},
    "32": {"fajar", "intan", "root"},
    "33.01": {"gita", "intan", "root"},
}


def _write_urls(data) -> list[str]:
    return [
        reverse("registry:tksk_candidate_create", args=[KEJAKSAN]),
        reverse("registry:tksk_candidate_edit", args=[data["candidate"].pk]),
        reverse("registry:tksk_appoint", args=[data["candidate"].pk]),
        reverse("registry:tksk_term_end", args=[data["holder"].pk]),
    ]


def _expected(persona: str, *, write: bool) -> int:
    if persona not in SEES_KEJAKSAN:
        return 404
    if write and persona not in MANAGES_KEJAKSAN:
        return 403
    return 200


def test_anonymous_users_are_sent_to_the_login_page(kejaksan, client):
    urls = [
        reverse("registry:tksk_coverage"),
        reverse("registry:tksk_selection", args=[KEJAKSAN]),
        reverse("registry:tksk_selection_apply", args=[KEJAKSAN]),
        *_write_urls(kejaksan),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("code", list(COVERAGE_VISIBLE))
def test_coverage_of_a_wilayah_is_404_outside_the_scope(kejaksan, login, people, persona, code):
    response = login(people[persona]).get(reverse("registry:tksk_coverage"), {"wilayah": code})
    assert response.status_code == (200 if persona in COVERAGE_VISIBLE[code] else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_reaches_the_coverage_of_their_own_wilayah(kejaksan, login, people, persona):
    response = login(people[persona]).get(reverse("registry:tksk_coverage"))
    assert response.status_code == 200
    wilayah = response.context["coverage"].wilayah
    assert (wilayah.code if wilayah else None) == people[persona].wilayah_id


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_selection_page_is_404_outside_the_scope(kejaksan, login, people, persona):
    client = login(people[persona])
    response = client.get(reverse("registry:tksk_selection", args=[KEJAKSAN]))
    assert response.status_code == _expected(persona, write=False)
    if response.status_code == 200:
        assert client.get(response.context["coverage_url"]).status_code == 200  # the way back stays in scope
        can_manage = persona in MANAGES_KEJAKSAN
        assert response.context["can_manage"] is can_manage
        html = response.content.decode()
        assert (reverse("registry:tksk_candidate_create", args=[KEJAKSAN]) in html) is can_manage
        assert (reverse("registry:tksk_appoint", args=[kejaksan["candidate"].pk]) in html) is False  # seat taken
        assert (reverse("registry:tksk_term_end", args=[kejaksan["holder"].pk]) in html) is can_manage


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_write_page_answers_by_scope_and_role(kejaksan, login, people, persona):
    client = login(people[persona])
    for url in _write_urls(kejaksan):
        assert client.get(url).status_code == _expected(persona, write=True), url


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - MANAGES_KEJAKSAN))
def test_refused_writes_change_nothing(kejaksan, login, people, persona):
    client = login(people[persona])
    candidate, holder = kejaksan["candidate"], kejaksan["holder"]
    expected = _expected(persona, write=True)
    posts = {
        reverse("registry:tksk_candidate_create", args=[KEJAKSAN]): {
            "nik": candidate.person.nik,
            "selection_year": 2027,
        },
        reverse("registry:tksk_candidate_edit", args=[candidate.pk]): {"written_score": "10", "interview_score": "10"},
        reverse("registry:tksk_appoint", args=[candidate.pk]): {
            "sk_number": "X",
            "sk_date": "2026-03-15",
            "start_date": "2026-03-15",
            "reference_date": "2026-03-15",
        },
        reverse("registry:tksk_term_end", args=[holder.pk]): {"end_date": "2026-03-15"},
        reverse("registry:tksk_selection_apply", args=[KEJAKSAN]): {"tahun": 2026, "tanggal": "2026-03-15"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == expected, url
    candidate.refresh_from_db()
    holder.refresh_from_db()
    assert TkskCandidate.objects.count() == 1
    assert (candidate.status, candidate.written_score) == (CandidateStatus.CANDIDATE, Decimal("80.00"))
    assert holder.status == AssignmentStatus.ACTIVE


def test_a_pimpinan_views_coverage_and_rankings_but_cannot_add_or_appoint(kejaksan, login, people):
    holder = kejaksan["holder"]
    tksk.tksk_term_end(assignment=holder, end_date=date(2026, 1, 31))
    client = login(people["hadi"])
    assert client.get(reverse("registry:tksk_coverage")).status_code == 200
    page = client.get(reverse("registry:tksk_selection", args=[KEJAKSAN]))
    assert page.status_code == 200 and "Calon Kejaksan" in page.content.decode()
    assert "Tambah calon" not in page.content.decode() and "Angkat" not in page.content.decode()
    appoint_url = reverse("registry:tksk_appoint", args=[kejaksan["candidate"].pk])
    response = client.post(
        appoint_url,
        {"sk_number": "X", "sk_date": "2026-03-15", "start_date": "2026-03-15", "reference_date": "2026-03-15"},
    )
    assert response.status_code == 403
    assert not Assignment.objects.filter(holds_tksk_seat=True).exists()


def test_the_selection_page_masks_nik_and_shows_the_formula(kejaksan, login, people):
    person = kejaksan["candidate"].person
    html = login(people["dedi"]).get(reverse("registry:tksk_selection", args=[KEJAKSAN])).content.decode()
    assert person.nik not in html
    assert person.masked_nik in html
    assert "Total = 0,6 × nilai tes tertulis + 0,4 × nilai wawancara + nilai tambah." in html
    assert "bukan ketentuan peraturan" in html


def test_the_reference_date_is_chosen_in_the_page(setup, login, people):
    add_candidate(name="Hampir Cukup Umur", birth=date(2001, 3, 16), written=80, interview=80)
    client = login(people["dedi"])
    url = reverse("registry:tksk_selection", args=[KEJAKSAN])
    before = client.get(url, {"tahun": 2026, "tanggal": "2026-03-15"})
    after = client.get(url, {"tahun": 2026, "tanggal": "2026-03-16"})
    assert [line.gate for line in before.context["ranking"]] == [tksk.FAILED]
    assert "Usia 24 tahun, batas TKSK 25–50 tahun." in before.content.decode()
    assert [line.gate for line in after.context["ranking"]] == [tksk.PASSED]
    assert after.context["on"] == date(2026, 3, 16)


# --- Forms --------------------------------------------------------------------------------------------------------


def test_an_operator_appoints_through_the_page_and_a_second_appointment_is_a_message(setup, login, people):
    first, second = add_candidate(name="Sri Wahyuni"), add_candidate(name="Rahmat Hidayat")
    client = login(people["dedi"])
    data = {
        "sk_number": "466/001/Dinsos/2026",
        "sk_date": "2026-03-20",
        "start_date": "2026-04-01",
        "reference_date": "2026-03-15",
    }
    response = client.post(reverse("registry:tksk_appoint", args=[first.pk]), data)
    assert response.status_code == 302
    assignment = Assignment.objects.get(holds_tksk_seat=True)
    assert (assignment.person, assignment.sk_date, assignment.start_date) == (
        first.person,
        date(2026, 3, 20),
        date(2026, 4, 1),
    )
    assert assignment.history.first().history_user == people["dedi"]
    response = client.post(reverse("registry:tksk_appoint", args=[second.pk]), {**data, "sk_number": "466/002"})
    assert response.status_code == 200
    assert (
        "Kecamatan Kejaksan sudah memiliki TKSK aktif: Sri Wahyuni (SK 466/001/Dinsos/2026). Nonaktifkan dulu"
        in response.content.decode()
    )
    coverage = client.get(reverse("registry:tksk_coverage")).content.decode()
    assert "Sri Wahyuni" in coverage and "466/001/Dinsos/2026" in coverage


def test_ending_a_term_through_the_page_frees_the_seat(setup, login, people):
    holder = appoint(add_candidate(name="Sri Wahyuni"))
    client = login(people["fajar"])
    response = client.post(
        reverse("registry:tksk_term_end", args=[holder.pk]), {"end_date": "2026-06-30", "reason": "Mengundurkan diri"}
    )
    assert response.status_code == 302
    holder.refresh_from_db()
    assert (holder.status, holder.end_date) == ("nonaktif", date(2026, 6, 30))
    assert client.get(reverse("registry:tksk_term_end", args=[holder.pk])).status_code == 200
    again = client.post(reverse("registry:tksk_term_end", args=[holder.pk]), {"end_date": "2026-07-01"})
    assert "Hanya penugasan TKSK yang masih aktif" in again.content.decode()


def _look_up(client, nik: str) -> str:
    """Post the NIK lookup; the answer sends the browser to a URL that holds an opaque key, never the NIK."""
    response = client.post(reverse("registry:tksk_candidate_create", args=[KEJAKSAN]), {"nik": nik})
    assert response.status_code == 303 and nik not in response.url and "?cari=" in response.url
    return response.url


def test_an_operator_registers_a_known_person_by_nik(setup, login, people):
    person = make_person(name="Warga Terdaftar")
    client = login(people["dedi"])
    url = _look_up(client, person.nik)
    page = client.get(url)
    assert page.status_code == 200 and page.context["person"] == person and page.context["person_form"] is None
    response = client.post(
        url,
        {
            "selection_year": 2026,
            "documents": ["ktp", "kk", "surat_sehat"],
            "preferences": ["activist"],
            "written_score": "81.5",
            "interview_score": "77",
        },
    )
    assert response.status_code == 302
    candidate = TkskCandidate.objects.get()
    assert (candidate.person, candidate.kecamatan_id, candidate.selection_year) == (person, KEJAKSAN, 2026)
    assert candidate.documents["surat_sehat"] is True and candidate.documents["npwp"] is False
    assert candidate.preferences == {
        "has_vehicle": False,
        "computer_skills": False,
        "higher_education": False,
        "activist": True,
        "runs_uep": False,
    }
    assert (candidate.written_score, candidate.interview_score) == (Decimal("81.5"), Decimal("77"))
    again = client.post(url, {"selection_year": 2026})
    assert "Warga Terdaftar sudah terdaftar sebagai calon TKSK Kecamatan Kejaksan pada seleksi 2026." in (
        again.content.decode()
    )


def test_an_operator_registers_a_new_person_with_the_minimal_data(setup, login, people):
    nik = synthetic_nik("32.74.01.1002", "P", date(1992, 8, 9))
    client = login(people["dedi"])
    url = _look_up(client, nik)
    assert client.get(url).context["person_form"] is not None
    response = client.post(
        url,
        {
            "orang-nik": nik,
            "orang-name": "Nur Aisyah",
            "orang-sex": "P",
            "orang-birth_place": "Cirebon",
            "orang-birth_date": "1992-08-09",
            "orang-education": "43",
            "orang-desa": "32.74.01.1002",
            "orang-asn_status": "non_asn",
            "selection_year": 2026,
            "documents": ALL_DOCUMENTS,
        },
    )
    assert response.status_code == 302, response.context and response.context["person_form"].errors
    person = Person.objects.get(nik=nik)
    assert (person.name, person.desa_id, person.education) == ("Nur Aisyah", "32.74.01.1002", 43)
    [line] = tksk.selection_ranking(kecamatan=kec(KEJAKSAN), selection_year=2026, on=ON)
    assert line.candidate.person == person
    assert line.gate == tksk.PASSED and line.preferences["higher_education"] is True


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("12345", "NIK harus 16 digit, bukan 5 digit."),
        ("32740199019000x1", "NIK hanya boleh berisi angka."),
    ],
)
def test_an_invalid_nik_is_refused_in_indonesian(setup, login, people, nik, message):
    response = login(people["dedi"]).post(reverse("registry:tksk_candidate_create", args=[KEJAKSAN]), {"nik": nik})
    assert response.status_code == 200 and response.context["form"] is None
    assert message in response.content.decode()


def test_a_nik_registered_outside_the_scope_is_not_revealed_or_reused(setup, login, people):
    elsewhere = make_person(name="Warga Ciamis", desa="32.07.01.1001")
    client = login(people["dedi"])
    response = client.get(_look_up(client, elsewhere.nik))
    html = response.content.decode()
    # Offered as a transfer request (psks_portal.transfers): never whose record it is, nor a form to reuse it.
    assert "tercatat di wilayah lain" in html and "Warga Ciamis" not in html and "32.07.01.1001" not in html
    assert 'data-testid="transfer-offer"' in html and "person_form" not in response.context


def test_an_operator_records_documents_preferences_and_scores(setup, login, people):
    candidate = add_candidate(documents=[])
    response = login(people["dedi"]).post(
        reverse("registry:tksk_candidate_edit", args=[candidate.pk]),
        {
            "documents": ["pas_foto", "surat_sehat"],
            "preferences": ["has_vehicle", "runs_uep"],
            "written_score": "90",
            "interview_score": "85",
            "notes": "Aktif di Karang Taruna",
        },
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert {k for k, v in candidate.documents.items() if v} == {"pas_foto", "surat_sehat"}
    assert {k for k, v in candidate.preferences.items() if v} == {"has_vehicle", "runs_uep"}
    assert (candidate.written_score, candidate.interview_score, candidate.notes) == (
        Decimal("90"),
        Decimal("85"),
        "Aktif di Karang Taruna",
    )
    refused = login(people["dedi"]).post(
        reverse("registry:tksk_candidate_edit", args=[candidate.pk]), {"written_score": "101"}
    )
    assert refused.status_code == 200 and refused.context["form"].errors["written_score"]


def test_applying_the_ranking_through_the_page(setup, login, people):
    add_candidate(name="Lulus", written=80, interview=80)
    response = login(people["dedi"]).post(
        reverse("registry:tksk_selection_apply", args=[KEJAKSAN]), {"tahun": 2026, "tanggal": "2026-03-15"}
    )
    assert response.status_code == 302
    assert TkskCandidate.objects.get().status == CandidateStatus.PASSED

"""TKSK selection and coverage: candidates, gates, scores, ranking, appointment, "satu kecamatan satu TKSK".

Selection (seed ``profil-tksk-ciamis-2011.txt``, Permensos 28/2018): administrative check of the documents, the gates
of the ``tksk`` kind (criteria kept as data in ``Criterion``: non-PNS, domicile in the kecamatan, education ≥ SLTA,
age 25–50, health letter), a written test and an interview, preferences as ranking bonuses, a ranking, and an
appointment by SK. At most one active TKSK per kecamatan: the partial unique index ``one_active_tksk_per_kecamatan``
decides, the friendly pre-check only words the common case.

Writes are the ``tksk_*`` functions (atomic, keyword-only); reads return querysets or small dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from psks_portal.models import Role, User, Wilayah
from psks_portal.scope import can_change
from registry import eligibility
from registry.models import (
    TKSK_CODE,
    TKSK_DOCUMENTS,
    TKSK_PREFERENCES,
    Assignment,
    AssignmentStatus,
    CandidateStatus,
    Education,
    Kind,
    Person,
    TkskCandidate,
)

# --- Score: local practice, not regulation --------------------------------------------------------------------------
# No regulation fixes how the written test, the interview and the preferences combine; these numbers are the local
# practice of the selection team and may be changed here (the ranking page prints the formula it used):
#
#     total = WRITTEN_WEIGHT × written + INTERVIEW_WEIGHT × interview + Σ PREFERENCE_BONUS[p] for each preference met
#
# Scores are 0–100; the total is rounded half-up to two decimals. A candidate missing either score has no total yet.
WRITTEN_WEIGHT = Decimal("0.6")
INTERVIEW_WEIGHT = Decimal("0.4")
PREFERENCE_BONUS: dict[str, Decimal] = {
    "has_vehicle": Decimal("2"),
    "computer_skills": Decimal("2"),
    "higher_education": Decimal("3"),
    "activist": Decimal("3"),
    "runs_uep": Decimal("2"),
}
# "Diutamakan D3/S1": D3 or anything above it counts.
HIGHER_EDUCATION_MIN = Education.D3
CENT = Decimal("0.01")

# Who runs a selection: Operator Dinsos of the kabupaten/kota, Admin Provinsi above it, and superusers. A TKSK sees
# their own kecamatan, a Pimpinan sees everything in scope; neither changes anything here.
MANAGER_ROLES = frozenset({Role.ADMIN_PROVINSI, Role.OPERATOR_KABKOTA})

# Gate outcome per candidate, in ranking order.
PASSED, INCOMPLETE, FAILED = "lolos", "belum_lengkap", "gugur"
GATE_LABELS = {PASSED: "Memenuhi syarat", INCOMPLETE: "Data belum lengkap", FAILED: "Gugur"}
_GATE_OF_VERDICT = {eligibility.MEETS: PASSED, eligibility.INCOMPLETE: INCOMPLETE, eligibility.DOES_NOT_MEET: FAILED}


class TkskError(Exception):
    """A selection or appointment step that cannot be done; the message is an Indonesian sentence for the user."""


class TkskSeatTaken(TkskError):
    """The kecamatan already has an active TKSK (the database refused a second one)."""


# --- Pure rules -----------------------------------------------------------------------------------------------------


def bonus_points(preferences: dict) -> Decimal:
    """Sum of the bonus of every preference marked true (unknown keys are ignored)."""
    return sum((points for key, points in PREFERENCE_BONUS.items() if preferences.get(key)), Decimal(0))


def score_total(written: Decimal | None, interview: Decimal | None, preferences: dict) -> Decimal | None:
    """The selection total (see the formula above), or ``None`` while the written or interview score is missing."""
    if written is None or interview is None:
        return None
    raw = WRITTEN_WEIGHT * Decimal(written) + INTERVIEW_WEIGHT * Decimal(interview) + bonus_points(preferences)
    return raw.quantize(CENT, rounding=ROUND_HALF_UP)


def effective_preferences(candidate: TkskCandidate) -> dict[str, bool]:
    """The candidate's preferences; "D3/S1" follows the person's recorded education when it is known."""
    stored = candidate.preferences or {}
    prefs = {key: bool(stored.get(key)) for key, _ in TKSK_PREFERENCES}
    education = candidate.person.education
    if education is not None:
        prefs["higher_education"] = education >= HIGHER_EDUCATION_MIN
    return prefs


def can_manage_selection(user, kecamatan: Wilayah) -> bool:
    """May ``user`` add candidates, score them and appoint a TKSK in ``kecamatan``?"""
    if not can_change(user, kecamatan):
        return False
    return user.is_superuser or user.role in MANAGER_ROLES


# --- Gates ----------------------------------------------------------------------------------------------------------


def tksk_kind() -> Kind:
    try:
        return Kind.objects.get(code=TKSK_CODE)
    except Kind.DoesNotExist:
        raise TkskError(
            "Jenis TKSK belum ada di katalog registri; jalankan 'manage.py load_registry_catalogue' lebih dulu."
        ) from None


def tksk_criteria(kind: Kind | None = None) -> list:
    """The criteria in force for the ``tksk`` kind (data, editable by an admin): the selection gates."""
    return list((kind or tksk_kind()).criteria_in_force())


def candidate_subject(candidate: TkskCandidate, kind: Kind) -> eligibility.Subject:
    """The rule input for a candidate: the person's data, the candidate's kecamatan, the health letter from the
    documents checklist (``surat_sehat``; unticked means not submitted, so the gate fails rather than waits).

    Needs ``person__desa__kecamatan`` and ``kecamatan`` loaded (``candidates_for_selection`` does it).
    """
    person = candidate.person
    domicile = person.desa.kecamatan if person.desa_id else None
    facts = {**(person.facts or {}), "surat_sehat": bool((candidate.documents or {}).get("surat_sehat"))}
    return eligibility.person_subject(
        person,
        kind_name=kind.short_name,
        facts=facts,
        domicile_kecamatan=domicile.code if domicile is not None else None,
        assignment_kecamatan=candidate.kecamatan_id,
        # Labels, so the Indonesian reason names the kecamatan instead of a bare code.
        domicile_label=domicile.label if domicile is not None else "",
        assignment_label=candidate.kecamatan.label,
    )


def candidate_gates(
    candidate: TkskCandidate, *, on: date, kind: Kind | None = None, criteria: list | None = None
) -> eligibility.Verdict:
    """Evaluate the TKSK gates for a candidate on the reference date ``on``."""
    kind = kind or tksk_kind()
    criteria = tksk_criteria(kind) if criteria is None else criteria
    return eligibility.evaluate(candidate_subject(candidate, kind), criteria, kind=kind, on=on)


# --- Ranking --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedCandidate:
    """One line of a selection: candidate, gate verdict, bonus, total, and rank (only when passing with scores)."""

    candidate: TkskCandidate
    verdict: eligibility.Verdict
    preferences: dict[str, bool]
    bonus: Decimal
    total: Decimal | None
    age: int | None
    rank: int | None = None

    @property
    def gate(self) -> str:
        return _GATE_OF_VERDICT[self.verdict.status]

    @property
    def gate_label(self) -> str:
        return GATE_LABELS[self.gate]

    @property
    def reasons(self) -> list[str]:
        return self.verdict.reasons

    @property
    def missing_documents(self) -> list[str]:
        return self.candidate.missing_documents()

    @property
    def preference_labels(self) -> list[str]:
        return [str(label) for key, label in TKSK_PREFERENCES if self.preferences.get(key)]

    def sort_key(self) -> tuple:
        # Passing and scored first by total, then passing without a complete score, then incomplete data, then gugur.
        # Ties on the total go to the higher written score, then the higher interview score, then by name.
        c = self.candidate
        group = {PASSED: 0 if self.total is not None else 1, INCOMPLETE: 2, FAILED: 3}[self.gate]
        return (group, -(self.total or 0), -(c.written_score or 0), -(c.interview_score or 0), c.person.name, c.pk)


def candidates_for_selection(kecamatan: Wilayah, selection_year: int) -> QuerySet[TkskCandidate]:
    return (
        TkskCandidate.objects.filter(kecamatan=kecamatan, selection_year=selection_year)
        .select_related("kecamatan", "person__desa__kecamatan", "assignment")
        .order_by("pk")
    )


def rank_candidates(candidates, *, on: date, kind: Kind | None = None) -> list[RankedCandidate]:
    """Gate, score and order candidates (already fetched with their person, desa and kecamatan)."""
    kind = kind or tksk_kind()
    criteria = tksk_criteria(kind)
    lines = []
    for candidate in candidates:
        prefs = effective_preferences(candidate)
        birth = candidate.person.birth_date
        lines.append(
            RankedCandidate(
                candidate=candidate,
                verdict=candidate_gates(candidate, on=on, kind=kind, criteria=criteria),
                preferences=prefs,
                bonus=bonus_points(prefs),
                total=score_total(candidate.written_score, candidate.interview_score, prefs),
                age=candidate.person.age_on(on) if birth and birth <= on else None,
            )
        )
    lines.sort(key=RankedCandidate.sort_key)
    ranked, rank = [], 0
    for line in lines:
        if line.gate == PASSED and line.total is not None:
            rank += 1
            line = replace(line, rank=rank)
        ranked.append(line)
    return ranked


def selection_ranking(*, kecamatan: Wilayah, selection_year: int, on: date | None = None) -> list[RankedCandidate]:
    """The ranking of one kecamatan's selection on the reference date ``on`` (default today); three queries."""
    return rank_candidates(candidates_for_selection(kecamatan, selection_year), on=on or timezone.localdate())


def selection_years(kecamatan: Wilayah) -> list[int]:
    """Years with candidates in this kecamatan, newest first, always including the current year."""
    years = set(TkskCandidate.objects.filter(kecamatan=kecamatan).values_list("selection_year", flat=True))
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def seat_holder(kecamatan: Wilayah) -> Assignment | None:
    """The active TKSK assignment of a kecamatan, if any."""
    return (
        Assignment.objects.filter(wilayah=kecamatan, holds_tksk_seat=True)
        .select_related("person", "wilayah")
        .order_by("pk")
        .first()
    )


def person_by_nik(user, nik: str) -> tuple[Person | None, bool]:
    """The person with this NIK inside the user's scope, and whether the NIK is registered at all."""
    person = Person.objects.for_user(user).select_related("desa").filter(nik=nik).first()
    return person, person is not None or Person.objects.filter(nik=nik).exists()


# --- Coverage -------------------------------------------------------------------------------------------------------

# The column that groups kecamatan when viewing a wilayah of each level (None = the whole country).
COVERAGE_GROUP = {
    None: "provinsi",
    Wilayah.PROVINSI: "kabupaten",
    Wilayah.KABUPATEN: "kabupaten",
    Wilayah.KECAMATAN: "kecamatan",
}


@dataclass(frozen=True)
class CoverageTotals:
    """Kecamatan and those with an active TKSK, for one area (or the sum of all shown)."""

    area: Wilayah | None
    kecamatan: int
    covered: int

    @property
    def not_covered(self) -> int:
        return self.kecamatan - self.covered

    @property
    def percentage(self) -> Decimal:
        if not self.kecamatan:
            return Decimal("0.0")
        return (Decimal(self.covered) * 100 / self.kecamatan).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Coverage:
    """Coverage below ``wilayah``: totals per area (GROUP BY) and, below the national level, one row per kecamatan."""

    wilayah: Wilayah | None
    areas: list[CoverageTotals]
    rows: QuerySet[Wilayah] | None = None
    totals: CoverageTotals = field(init=False)

    def __post_init__(self) -> None:
        self.totals = CoverageTotals(
            self.wilayah, sum(a.kecamatan for a in self.areas), sum(a.covered for a in self.areas)
        )

    @property
    def grouped_by_kabupaten(self) -> bool:
        return self.wilayah is not None and self.wilayah.level == Wilayah.PROVINSI


def _seats():
    return Assignment.objects.filter(wilayah=OuterRef("code"), holds_tksk_seat=True).order_by()


def kecamatan_in(wilayah: Wilayah | None) -> QuerySet[Wilayah]:
    """Current kecamatan in and below ``wilayah`` (a kecamatan gives itself)."""
    return Wilayah.objects.within(wilayah).at_level(Wilayah.KECAMATAN).active()


def coverage_rows(wilayah: Wilayah | None, *, uncovered_only: bool = False) -> QuerySet[Wilayah]:
    """Kecamatan rows annotated with their active TKSK (``tksk_*``; all ``None`` when there is none): one query."""
    seats = _seats()
    qs = kecamatan_in(wilayah).annotate(
        tksk_assignment_id=Subquery(seats.values("pk")[:1]),
        tksk_person_id=Subquery(seats.values("person_id")[:1]),
        tksk_name=Subquery(seats.values("person__name")[:1]),
        tksk_sk_number=Subquery(seats.values("sk_number")[:1]),
        tksk_sk_date=Subquery(seats.values("sk_date")[:1]),
        tksk_start_date=Subquery(seats.values("start_date")[:1]),
    )
    if uncovered_only:
        qs = qs.filter(~Exists(_seats()))
    return qs.select_related("kabupaten").order_by("code")


def coverage_areas(wilayah: Wilayah | None) -> list[CoverageTotals]:
    """Kecamatan and covered kecamatan per area below ``wilayah``, in one GROUP BY query."""
    column = COVERAGE_GROUP[wilayah.level if wilayah else None]
    grouped = (
        kecamatan_in(wilayah)
        .annotate(has_tksk=Exists(_seats()))
        .values(column, f"{column}__name", f"{column}__kind", f"{column}__level")
        .annotate(n=Count("code"), covered=Count("code", filter=Q(has_tksk=True)))
        .order_by(column)
    )
    return [
        CoverageTotals(
            # An unsaved Wilayah carries what ``label`` needs without another query.
            Wilayah(code=g[column], name=g[f"{column}__name"], kind=g[f"{column}__kind"], level=g[f"{column}__level"]),
            g["n"],
            g["covered"],
        )
        for g in grouped
    ]


def coverage(wilayah: Wilayah | None, *, uncovered_only: bool = False) -> Coverage:
    """ "Satu kecamatan satu TKSK" below ``wilayah``; the national view lists areas only, not 7,000 kecamatan."""
    rows = coverage_rows(wilayah, uncovered_only=uncovered_only) if wilayah is not None else None
    return Coverage(wilayah, coverage_areas(wilayah), rows)


# --- Writes ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPerson:
    """The minimal data to register a candidate who is not yet in the registry."""

    nik: str
    name: str
    sex: str
    birth_place: str
    birth_date: date
    desa: Wilayah
    education: int | None = None
    asn_status: str = "non_asn"
    golongan: str = ""
    nik_note: str = ""


def _documents(checked) -> dict[str, bool]:
    checked = set(checked or ())
    return {code: code in checked for code, _ in TKSK_DOCUMENTS}


def _preferences(checked) -> dict[str, bool]:
    checked = set(checked or ())
    return {code: code in checked for code, _ in TKSK_PREFERENCES}


def _with_history(obj, by: User | None, reason: str):
    obj._history_user = by
    obj._change_reason = reason
    return obj


@transaction.atomic
def tksk_candidate_create(
    *,
    kecamatan: Wilayah,
    selection_year: int,
    person: Person | None = None,
    new_person: NewPerson | None = None,
    documents: list[str] | tuple = (),
    preferences: list[str] | tuple = (),
    written_score: Decimal | None = None,
    interview_score: Decimal | None = None,
    notes: str = "",
    by: User | None = None,
) -> TkskCandidate:
    """Register a candidate for a kecamatan's selection, creating the person first when they are new."""
    if kecamatan.level != Wilayah.KECAMATAN:
        raise TkskError("Calon TKSK didaftarkan pada sebuah kecamatan.")
    if (person is None) == (new_person is None):
        raise TkskError("Pilih orang yang sudah terdaftar atau isi data orang baru (salah satu).")
    if new_person is not None:
        if Person.objects.filter(nik=new_person.nik).exists():
            raise TkskError("NIK ini sudah terdaftar; cari orangnya dengan NIK tersebut.")
        person = _with_history(Person(**new_person.__dict__), by, "Didaftarkan sebagai calon TKSK")
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:  # the same NIK saved by someone else a moment ago
            raise TkskError("NIK ini sudah terdaftar; cari orangnya dengan NIK tersebut.") from None
    duplicate = TkskError(
        f"{person.name} sudah terdaftar sebagai calon TKSK {kecamatan.label} pada seleksi {selection_year}."
    )
    if TkskCandidate.objects.filter(kecamatan=kecamatan, person=person, selection_year=selection_year).exists():
        raise duplicate
    candidate = TkskCandidate(
        kecamatan=kecamatan,
        person=person,
        selection_year=selection_year,
        documents=_documents(documents),
        preferences=_preferences(preferences),
        written_score=written_score,
        interview_score=interview_score,
        notes=notes,
    )
    try:
        with transaction.atomic():
            _with_history(candidate, by, "Calon TKSK didaftarkan").save()
    except IntegrityError:  # registered by someone else a moment ago (tksk_candidate_once_per_selection)
        raise duplicate from None
    return candidate


@transaction.atomic
def tksk_candidate_update(
    *,
    candidate: TkskCandidate,
    documents: list[str] | tuple,
    preferences: list[str] | tuple,
    written_score: Decimal | None,
    interview_score: Decimal | None,
    notes: str = "",
    by: User | None = None,
) -> TkskCandidate:
    """Record the documents checklist, preferences and scores of a candidate."""
    candidate.documents = _documents(documents)
    candidate.preferences = _preferences(preferences)
    candidate.written_score = written_score
    candidate.interview_score = interview_score
    candidate.notes = notes
    _with_history(candidate, by, "Kelengkapan/nilai calon TKSK diperbarui").save()
    return candidate


@transaction.atomic
def tksk_selection_apply(
    *, kecamatan: Wilayah, selection_year: int, on: date, by: User | None = None
) -> dict[str, int]:
    """Write the outcome of the ranking: "lulus" for those passing with both scores, "gugur" for gate failures.

    Appointed candidates keep their status; candidates with incomplete data or scores stay "calon".
    """
    counts = {CandidateStatus.PASSED: 0, CandidateStatus.FAILED: 0}
    candidates = candidates_for_selection(kecamatan, selection_year).select_for_update(of=("self",))
    for line in rank_candidates(candidates, on=on):
        candidate = line.candidate
        if candidate.status == CandidateStatus.APPOINTED:
            continue
        if line.gate == FAILED:
            new_status = CandidateStatus.FAILED
        elif line.gate == PASSED and line.total is not None:
            new_status = CandidateStatus.PASSED
        else:
            new_status = CandidateStatus.CANDIDATE
        if new_status in counts:
            counts[new_status] += 1
        if candidate.status != new_status:
            candidate.status = new_status
            _with_history(candidate, by, f"Hasil seleksi per {on:%d-%m-%Y}").save(update_fields=["status"])
    return {"lulus": counts[CandidateStatus.PASSED], "gugur": counts[CandidateStatus.FAILED]}


def seat_taken_message(kecamatan: Wilayah, holder: Assignment | None) -> str:
    if holder is None:  # the winner of a race ended its term already: rare, still worded
        who = "TKSK lain yang baru saja diangkat"
    else:
        who = holder.person.name + (f" (SK {holder.sk_number})" if holder.sk_number else "")
    return (
        f"{kecamatan.label} sudah memiliki TKSK aktif: {who}. Nonaktifkan dulu TKSK tersebut (akhiri masa "
        f"tugasnya) sebelum mengangkat TKSK baru — satu kecamatan satu TKSK."
    )


@transaction.atomic
def tksk_appoint(
    *,
    candidate: TkskCandidate,
    sk_number: str,
    sk_date: date,
    start_date: date,
    reference_date: date | None = None,
    by: User | None = None,
) -> Assignment:
    """Appoint a candidate who meets every gate (on ``reference_date``, default the SK date) as the kecamatan's TKSK.

    Creates the active TKSK ``Assignment`` with the SK data, marks the candidate "diangkat" and links it. A second
    active TKSK in the kecamatan is refused by the database (even when two appointments race); that refusal becomes
    ``TkskSeatTaken`` with an Indonesian message naming the current TKSK.
    """
    candidate = (
        TkskCandidate.objects.select_for_update(of=("self",))
        .select_related("kecamatan", "person__desa__kecamatan")
        .get(pk=candidate.pk)
    )
    kecamatan = candidate.kecamatan
    if candidate.status == CandidateStatus.APPOINTED:
        raise TkskError(f"{candidate.person.name} sudah diangkat sebagai TKSK {kecamatan.label}.")
    kind = tksk_kind()
    verdict = candidate_gates(candidate, on=reference_date or sk_date, kind=kind)
    if verdict.status != eligibility.MEETS:
        raise TkskError(f"{candidate.person.name} belum memenuhi syarat TKSK: " + " ".join(verdict.reasons))
    holder = seat_holder(kecamatan)
    if holder is not None:
        raise TkskSeatTaken(seat_taken_message(kecamatan, holder))
    assignment = Assignment(
        person=candidate.person,
        kind=kind,
        wilayah=kecamatan,
        status=AssignmentStatus.ACTIVE,
        sk_number=sk_number,
        sk_date=sk_date,
        start_date=start_date,
    )
    try:
        with transaction.atomic():  # a savepoint, so the transaction is still usable after a refusal
            _with_history(assignment, by, f"Diangkat sebagai TKSK (SK {sk_number})").save()
    except IntegrityError as exc:
        if not _is_seat_violation(exc):
            raise
        # Another appointment committed between the check above and the insert: name whoever holds the seat now.
        raise TkskSeatTaken(seat_taken_message(kecamatan, seat_holder(kecamatan))) from None
    candidate.status = CandidateStatus.APPOINTED
    candidate.assignment = assignment
    _with_history(candidate, by, f"Diangkat (SK {sk_number})").save(update_fields=["status", "assignment"])
    return assignment


def _is_seat_violation(exc: IntegrityError) -> bool:
    text = str(exc)
    # PostgreSQL names the index; SQLite names the column of the partial unique index.
    return "one_active_tksk_per_kecamatan" in text or "registry_assignment.wilayah_id" in text


@transaction.atomic
def tksk_term_end(*, assignment: Assignment, end_date: date, reason: str = "", by: User | None = None) -> Assignment:
    """End an active TKSK's term (status nonaktif, end date): the kecamatan's seat is free again."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("kind").get(pk=assignment.pk)
    if assignment.kind.code != TKSK_CODE or assignment.status != AssignmentStatus.ACTIVE:
        raise TkskError("Hanya penugasan TKSK yang masih aktif yang dapat diakhiri.")
    if assignment.start_date and end_date < assignment.start_date:
        raise TkskError(
            f"Tanggal selesai ({end_date:%d-%m-%Y}) tidak boleh sebelum tanggal mulai "
            f"({assignment.start_date:%d-%m-%Y})."
        )
    assignment.status = AssignmentStatus.INACTIVE
    assignment.end_date = end_date
    _with_history(assignment, by, reason or "Masa tugas TKSK diakhiri").save()
    return assignment

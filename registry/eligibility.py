"""Eligibility: the criteria of a kind (data in ``Criterion``) evaluated for one person or organisation on a date.

Each criterion gives *terpenuhi* (met), *tidak terpenuhi* (failed, with the reason) or *belum diketahui* (data missing,
with what is missing). A record **memenuhi syarat** when every criterion is met, is **tidak memenuhi syarat** when any
fails, and otherwise has **data belum lengkap**. All reasons are Indonesian sentences for the record's page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from psks_portal import ages
from registry.models import GOLONGAN, AsnStatus, CriterionType, Education, TrainingCategory

MET, FAILED, UNKNOWN = "met", "failed", "unknown"
MEETS, DOES_NOT_MEET, INCOMPLETE = "memenuhi", "tidak_memenuhi", "belum_lengkap"
STATUS_LABELS = {MEETS: "Memenuhi syarat", DOES_NOT_MEET: "Tidak memenuhi syarat", INCOMPLETE: "Data belum lengkap"}
SEX_LABELS = {"L": "laki-laki", "P": "perempuan"}
ORG_FIELD_LABELS = {
    "address": "alamat",
    "board": "susunan pengurus",
    "work_programme": "program kerja",
    "registration_number": "nomor tanda daftar",
    "founded_date": "tanggal berdiri",
    "legal_status": "status badan hukum",
}


@dataclass(frozen=True)
class Check:
    criterion: object
    outcome: str
    reason: str = ""


@dataclass
class Verdict:
    kind: object
    on: date
    checks: list[Check] = field(default_factory=list)

    @property
    def status(self) -> str:
        outcomes = {c.outcome for c in self.checks}
        if FAILED in outcomes:
            return DOES_NOT_MEET
        if UNKNOWN in outcomes:
            return INCOMPLETE
        return MEETS

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def reasons(self) -> list[str]:
        return [c.reason for c in self.checks if c.outcome != MET]


@dataclass(frozen=True)
class Subject:
    """What the rules look at, gathered once (so a list page evaluates many records without extra queries)."""

    kind_name: str
    birth_date: date | None = None
    sex: str = ""
    education: int | None = None
    asn_status: str = ""
    golongan: str = ""
    domicile_kecamatan: str | None = None
    assignment_kecamatan: str | None = None
    assignment_start: date | None = None
    domicile_label: str = ""
    assignment_label: str = ""
    trainings: tuple = ()  # ``Training`` instances (category, date, valid_until, name are read)
    facts: dict = field(default_factory=dict)
    org_values: dict = field(default_factory=dict)


def evaluate(subject: Subject, criteria: Iterable, *, kind=None, on: date | None = None) -> Verdict:
    on = on or timezone.localdate()
    verdict = Verdict(kind=kind, on=on)
    for criterion in criteria:
        rule = RULES.get(criterion.type)
        outcome, reason = (
            rule(subject, criterion.params or {}, on, criterion)
            if rule
            else (UNKNOWN, f"Tipe kriteria tidak dikenal: {criterion.type}")
        )
        verdict.checks.append(Check(criterion, outcome, reason))
    return verdict


def person_subject(person, *, kind_name: str, facts: dict, **where) -> Subject:
    """The person's own fields for the rules; ``where`` adds what depends on the role (kecamatan, start, trainings)."""
    return Subject(
        kind_name=kind_name,
        birth_date=person.birth_date,
        sex=person.sex,
        education=person.education,
        asn_status=person.asn_status,
        golongan=person.golongan,
        facts=facts,
        **where,
    )


def subject_for_person(person, assignment=None, kind=None) -> Subject:
    """Build the rule input from a ``Person`` (with ``trainings`` and ``desa`` prefetched) and one assignment."""
    facts = dict(person.facts or {})
    if assignment is not None:
        facts.update(assignment.facts or {})
    kind = kind or (assignment.kind if assignment else None)
    return person_subject(
        person,
        kind_name=kind.short_name if kind else "",
        facts=facts,
        domicile_kecamatan=person.desa.kecamatan_id if person.desa_id else None,
        assignment_kecamatan=_kecamatan_of(assignment.wilayah) if assignment is not None else None,
        assignment_start=assignment.start_date if assignment is not None else None,
        domicile_label=person.desa.kecamatan.label if person.desa_id and person.desa.kecamatan_id else "",
        assignment_label=_kecamatan_label(assignment.wilayah) if assignment is not None else "",
        trainings=tuple(person.trainings.all()),
    )


def subject_for_organisation(org) -> Subject:
    values = {
        "address": org.address,
        "work_programme": org.work_programme,
        "registration_number": org.registration_number,
        "founded_date": org.founded_date,
        "legal_status": org.legal_status,
        "board": len(org.board.all()),
    }
    return Subject(kind_name=org.kind.short_name, facts=dict(org.facts or {}), org_values=values)


def _kecamatan_label(wilayah) -> str:
    if wilayah is None:
        return ""
    return wilayah.label if wilayah.level == 3 else (wilayah.kecamatan.label if wilayah.kecamatan_id else wilayah.label)


def _kecamatan_of(wilayah) -> str | None:
    if wilayah is None:
        return None
    return wilayah.code if wilayah.level == 3 else wilayah.kecamatan_id


def _age(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    if s.birth_date is None:
        return UNKNOWN, "Tanggal lahir belum diisi."
    age = ages.age_on(s.birth_date, on) if on >= s.birth_date else 0
    low, high = p.get("min"), p.get("max")
    if (low is None or age >= low) and (high is None or age <= high):
        return MET, ""
    if low is not None and high is not None:
        limit = f"batas {s.kind_name} {low}–{high} tahun"
    elif low is not None:
        limit = f"minimal {low} tahun untuk {s.kind_name}"
    else:
        limit = f"paling tinggi {high} tahun untuk {s.kind_name}"
    return FAILED, f"Usia {age} tahun, {limit}."


def _sex(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    wanted = p.get("sex")
    if not s.sex:
        return UNKNOWN, "Jenis kelamin belum diisi."
    if s.sex == wanted:
        return MET, ""
    return FAILED, f"{s.kind_name} harus {SEX_LABELS.get(wanted, wanted)}."


def _education(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    level = int(p.get("level", 0))
    if s.education is None:
        return UNKNOWN, "Pendidikan terakhir belum diisi."
    if s.education >= level:
        return MET, ""
    return FAILED, f"Pendidikan {Education(s.education).label}, minimal {Education(level).label} untuk {s.kind_name}."


def _asn(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    allowed = p.get("allowed", [])
    if s.asn_status in allowed:
        return MET, ""
    wanted = " atau ".join(str(AsnStatus(a).label) for a in allowed)
    current = AsnStatus(s.asn_status).label if s.asn_status else "tidak diketahui"
    return FAILED, f"Berstatus {current}; {s.kind_name} harus {wanted}."


def _rank(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    minimum = p.get("golongan", "III/a")
    if not s.golongan:
        return UNKNOWN, "Pangkat/golongan belum diisi."
    if GOLONGAN.index(s.golongan) >= GOLONGAN.index(minimum):
        return MET, ""
    return FAILED, f"Golongan {s.golongan}, minimal {minimum} untuk {s.kind_name}."


def _training(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    category = p.get("category")
    label = TrainingCategory(category).label if category in TrainingCategory.values else category
    held = [t for t in s.trainings if t.category == category]
    if not held:
        return UNKNOWN, f"Belum tercatat: {label}."
    if any(t.is_valid_on(on) for t in held):
        return MET, ""
    latest = max((t.valid_until for t in held if t.valid_until), default=None)
    if latest and latest < on:
        return FAILED, f"{label} sudah tidak berlaku sejak {latest:%d-%m-%Y}."
    return UNKNOWN, f"{label} baru berlaku setelah {on:%d-%m-%Y}."


def _domicile(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    if s.assignment_kecamatan is None or s.domicile_kecamatan is None:
        return UNKNOWN, "Kecamatan penugasan atau domisili belum diisi."
    if s.domicile_kecamatan == s.assignment_kecamatan:
        return MET, ""
    return FAILED, (
        f"Berdomisili di {s.domicile_label or s.domicile_kecamatan}, bukan di kecamatan penugasan "
        f"({s.assignment_label or s.assignment_kecamatan})."
    )


def _experience(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    years = float(p.get("years", 0))
    started = s.facts.get(p.get("key", "")) or s.assignment_start
    if isinstance(started, str):
        try:
            started = date.fromisoformat(started)
        except ValueError:
            started = None
    if not started:
        return UNKNOWN, "Tanggal mulai pengalaman belum diisi."
    have = ages.years_between(started, on)
    if have >= years:
        return MET, ""
    return FAILED, f"Pengalaman {int(have)} tahun, minimal {years:g} tahun untuk {s.kind_name}."


def _org_fact(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    name = p.get("field", "")
    if s.org_values.get(name):
        return MET, ""
    return UNKNOWN, f"Data {ORG_FIELD_LABELS.get(name, name)} belum diisi."


def _fact(s: Subject, p: dict, on: date, c) -> tuple[str, str]:
    value = s.facts.get(p.get("key", ""))
    if value is True:
        return MET, ""
    if value is False:
        return FAILED, f"Tidak terpenuhi: {c.label}."
    return UNKNOWN, f"Belum dinyatakan: {c.label}."


RULES: dict[str, Callable] = {
    CriterionType.AGE_RANGE: _age,
    CriterionType.SEX: _sex,
    CriterionType.EDUCATION_MIN: _education,
    CriterionType.ASN_STATUS: _asn,
    CriterionType.RANK_MIN: _rank,
    CriterionType.TRAINING: _training,
    CriterionType.DOMICILE: _domicile,
    CriterionType.EXPERIENCE: _experience,
    CriterionType.ORG_FACT: _org_fact,
    CriterionType.FACT: _fact,
}

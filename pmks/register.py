"""The by-name (BNBA) PMKS register: read-side queries, access logging and the writes.

Specific personal data under UU 27/2022: every list page and every record shown is logged in ``AccessLog``; the log
holds filters and counts, never a name or a NIK.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Page, Paginator
from django.db import transaction

from pmks.models import AccessLog, Category, HandlingStatus, PmksRecord
from psks_portal.ages import age_on

PER_PAGE = 50


# --- rules ------------------------------------------------------------------------------------------------------


def category_problems(categories, *, sex: str | None, birth_date: date | None, on: date | None) -> list[str]:
    """Indonesian messages for every category whose age (on ``on``, inclusive bounds) or sex rule is not met."""
    problems = []
    for category in categories:
        label = f"{category.name} ({category.code})"
        if category.sex and sex and sex != category.sex:
            who = "perempuan" if category.sex == "P" else "laki-laki"
            problems.append(f"{label} hanya untuk {who}.")
        if category.min_age is None and category.max_age is None:
            continue
        if birth_date is None or on is None:
            problems.append(
                f"{label} berbatas usia ({category.age_rule}): isi tanggal lahir dan tanggal teridentifikasi."
            )
            continue
        if on < birth_date:
            continue  # reported on the date fields
        age = age_on(birth_date, on)
        too_young = category.min_age is not None and age < category.min_age
        too_old = category.max_age is not None and age > category.max_age
        if too_young or too_old:
            problems.append(f"{label} untuk usia {category.age_rule}; usia pada tanggal teridentifikasi {age} tahun.")
    return problems


def possible_duplicate(*, name: str, birth_date: date, desa, exclude_pk: int | None = None) -> bool:
    """Another record with the same name (case-insensitive), birth date and desa."""
    return (
        PmksRecord.objects.filter(name__iexact=name.strip(), birth_date=birth_date, desa=desa)
        .exclude(pk=exclude_pk)
        .exists()
    )


# --- reads ------------------------------------------------------------------------------------------------------


def records_for(user):
    return PmksRecord.objects.for_user(user)


def filtered_records(user, *, wilayah=None, category: Category | None = None, status: str = "", q: str = ""):
    """The register in the user's scope narrowed by the list filters, by name; desa and categories fetched along."""
    qs = records_for(user).in_wilayah(wilayah).select_related("desa").prefetch_related("categories")
    if category is not None:
        qs = qs.filter(categories=category)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    return qs.order_by("name", "pk")


def record_page(user, *, page, wilayah=None, category: Category | None = None, status: str = "", q: str = "") -> Page:
    """One page (50 rows) of the register in the user's scope; a fixed number of queries whatever the page size."""
    qs = filtered_records(user, wilayah=wilayah, category=category, status=status, q=q)
    return Paginator(qs, PER_PAGE).get_page(page)


@dataclass
class StatusChange:
    at: datetime
    user: object
    old: str
    new: str
    referral_target: str
    reason: str


def status_history(record: PmksRecord) -> list[StatusChange]:
    """Every change of the handling status (the first row is the creation: — → baru), newest first."""
    labels = dict(HandlingStatus.choices)
    rows, previous = [], None
    for version in record.history.select_related("history_user").order_by("history_date", "history_id"):
        if previous is None or version.status != previous:
            rows.append(
                StatusChange(
                    at=version.history_date,
                    user=version.history_user,
                    old=str(labels.get(previous, "—")) if previous else "—",
                    new=str(labels.get(version.status, version.status)),
                    referral_target=version.referral_target,
                    reason=version.history_change_reason or "",
                )
            )
        previous = version.status
    return list(reversed(rows))


# --- access log -------------------------------------------------------------------------------------------------


def log_list(user, *, wilayah, row_count: int, filters: dict) -> AccessLog:
    return AccessLog.objects.create(
        user=user, action=AccessLog.VIEW_LIST, wilayah=wilayah, row_count=row_count, filters=filters
    )


def log_record(user, record: PmksRecord) -> AccessLog:
    return AccessLog.objects.create(
        user=user, action=AccessLog.VIEW_RECORD, record=record, wilayah_id=record.desa_id, row_count=1
    )


# --- writes -----------------------------------------------------------------------------------------------------


@transaction.atomic
def record_save(*, record: PmksRecord, categories: list[Category]) -> PmksRecord:
    """Save a record checked by ``RecordForm`` with its categories (the history rows record who)."""
    record._change_reason = "Diubah lewat formulir" if record.pk else "Ditambahkan lewat formulir"
    record.save()
    record.categories.set(categories)
    return record


@transaction.atomic
def status_change(*, record: PmksRecord, status: str, referral_target: str = "", reason: str = "") -> PmksRecord:
    """Move a record to another handling status; one history row per change. ``dirujuk`` needs a target."""
    record = PmksRecord.objects.select_for_update().get(pk=record.pk)
    record.status = status
    if referral_target.strip():  # a later status keeps the earlier referral target unless a new one is given
        record.referral_target = referral_target.strip()
    record._change_reason = reason.strip() or "Perubahan status penanganan"
    record.save()
    return record

"""The completeness recap: reports handed in per area, on time, verified, accepted, and who has not reported."""

from __future__ import annotations

from django.utils import timezone

from psks_portal import periods
from psks_portal.models import Wilayah
from reporting import selectors
from reporting.models import State
from reporting.recaps.columns import (
    CODE,
    DATA,
    DATE,
    PERCENT,
    TEXT,
    TOTAL,
    Column,
    Row,
    Section,
    code_column,
    name_column,
)
from reporting.recaps.generators.base import (
    CODE_WIDTH,
    LEVEL_NAMES,
    PERIOD_KIND_WORDS,
    PERMENSOS_28_2018,
    RecapGenerator,
    child_level,
    ident,
    parent_ident,
)


class CompletenessRecap(RecapGenerator):
    code = "kelengkapan"
    name = "Rekapitulasi Kelengkapan Laporan TKSK"
    description = "Laporan yang diharapkan, dikirim, tepat waktu, diverifikasi dan diterima per wilayah, dengan "
    description += "daftar kecamatan yang belum melapor."
    legal_basis = (PERMENSOS_28_2018,)
    finest_level = Wilayah.KECAMATAN
    MISSING_LIMIT = 1000

    def detail_levels(self, wilayah):
        return []

    def columns(self, rows_level: int) -> tuple[Column, ...]:
        group = "Laporan"
        return (
            code_column(CODE_WIDTH[rows_level]),
            name_column(LEVEL_NAMES[rows_level]),
            Column("kec", "Jml kec.", width=5, title="Jumlah kecamatan (semua laporan yang diharapkan)"),
            Column("tksk", "Ada TKSK", width=5, title="Kecamatan dengan TKSK aktif"),
            Column("dikirim", "Dikirim", group=group, width=5, title="Dikirim, diverifikasi atau diterima"),
            Column("tepat", "Tepat waktu", group=group, width=5),
            Column("terlambat", "Terlambat", group=group, width=5),
            Column(
                "verifikasi",
                "Verifikasi",
                group=group,
                width=5,
                title="Diverifikasi kabupaten/kota atau sudah diterima",
            ),
            Column("diterima", "Diterima", group=group, width=5, title="Diterima provinsi"),
            Column("tidak", "Tidak melapor", group=group, width=5, title="Ditandai tidak melapor, dengan alasan"),
            Column("revisi", "Revisi", group=group, width=5, title="Dikembalikan untuk revisi"),
            Column("draf", "Draf", group=group, width=5),
            Column(
                "belum", "Belum dikirim", group=group, width=5, title="Belum dikirim dan tidak ditandai tidak melapor"
            ),
            Column("persen", "% dikirim", group=group, kind=PERCENT, width=5, summable=False),
        )

    @staticmethod
    def values(row: selectors.CompletenessRow) -> list:
        return [
            row.kecamatan, row.with_tksk, row.submitted, row.on_time, row.late, row.verified, row.accepted,
            row.not_reporting, row.revision, row.draft, row.not_submitted, row.share(row.submitted),
        ]  # fmt: skip

    MISSING_COLUMNS = (
        Column("kode", "Kode", kind=CODE, width=9, stub=True, summable=False),
        Column("wilayah", "Kecamatan", kind=TEXT, width=22, stub=True, summable=False),
        Column("kabupaten", "Kabupaten/Kota", kind=TEXT, width=18, summable=False),
        Column("tksk", "TKSK aktif", kind=TEXT, width=20, summable=False),
        Column("status", "Status laporan", kind=TEXT, width=14, summable=False),
        Column("batas", "Batas waktu", kind=DATE, width=10, summable=False),
        Column("lewat", "Lewat (hari)", width=5, summable=False),
    )

    def build(self, *, wilayah, period, accepted_only, options):
        options = self.clean_options(wilayah, options)
        rows, total = selectors.completeness(wilayah=wilayah, period=period)
        rows_level = min(child_level(wilayah), Wilayah.KECAMATAN)
        rows = [r for r in rows if wilayah is None or r.wilayah.code != wilayah.code]
        body = [
            Row(r.wilayah.code, [r.wilayah.code, r.wilayah.label, *self.values(r)], DATA, ident(wilayah)) for r in rows
        ]
        label = (f"Jumlah {wilayah.label}" if rows else wilayah.label) if wilayah else "Jumlah Nasional"
        body.append(
            Row(
                ident(wilayah),
                [wilayah.code if wilayah else "", label, *self.values(total)],
                TOTAL,
                parent_ident(wilayah),
            )
        )
        summary = Section(
            title=f"Kelengkapan per {LEVEL_NAMES[rows_level]}",
            sheet="Kelengkapan",
            columns=self.columns(rows_level),
            rows=body,
            child_level=rows_level,
        )
        today = timezone.localdate()
        missing = selectors.missing_reports(
            wilayah=wilayah, period=period, today=today, due=self.due_dates(wilayah, period), limit=self.MISSING_LIMIT
        )
        states = dict(State.choices)
        listed = Section(
            title="Kecamatan yang belum melapor",
            sheet="Belum melapor",
            columns=self.MISSING_COLUMNS,
            rows=[
                Row(
                    m.kecamatan.code,
                    [
                        m.kecamatan.code,
                        m.kecamatan.label,
                        m.kecamatan.parent.label if m.kecamatan.parent else "",
                        m.tksk_name or ("—" if not m.has_tksk else ""),
                        str(states.get(m.state, "Belum dibuat")) if m.state else "Belum dibuat",
                        m.due_date,
                        m.days_overdue,
                    ],
                )
                for m in missing
            ],
            notes=[f"Keadaan pada {today:%d-%m-%Y}. Paling banyak {self.MISSING_LIMIT} kecamatan dicantumkan."],
            child_level=Wilayah.KECAMATAN,
        )
        notes = [
            "Kecamatan = laporan yang diharapkan (semua kecamatan); Ada TKSK = kecamatan dengan TKSK aktif saat ini.",
            "Dikirim mencakup laporan yang sudah diverifikasi atau diterima; tepat waktu dihitung dari pengiriman "
            "pertama terhadap batas waktu periode.",
            "Kelengkapan dihitung dari laporan periode ini sendiri (bulanan, triwulanan, semesteran atau tahunan).",
        ]
        return self.document(
            wilayah=wilayah,
            period=period,
            accepted_only=accepted_only,
            options=options,
            sections=[summary, listed],
            count=2,
            notes=notes,
            source=f"Status laporan TKSK {period.label} (laporan {PERIOD_KIND_WORDS[period.kind]}) di Portal PSKS, "
            f"pada {today:%d-%m-%Y}.",
        )

    @staticmethod
    def due_dates(wilayah: Wilayah | None, period: periods.Period) -> dict:
        from reporting.services import deadline_days

        codes = (
            [wilayah.provinsi_id]
            if wilayah is not None
            else list(Wilayah.objects.filter(level=Wilayah.PROVINSI).values_list("code", flat=True))
        )
        return {code: period.due_date(deadline_days(code, period.kind)) for code in codes}

    def estimate_rows(self, *, wilayah, options):
        return len(selectors.children_of(wilayah)) + 50

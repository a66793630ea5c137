"""Every URL of the ``pmks`` and ``reporting`` apps, tried from another wilayah: refused, nothing disclosed, nothing
written. And every one of them tried by a Pimpinan: never a BNBA name, NIK or address.

The target is Kecamatan Kejaksan (32.74.01, Kota Cirebon): a BNBA record, PMKS figures, a March draft with an
activity and its attachment, a verified February (the kota's month ready to accept), a submitted annual report for
2025, and a finished recap file of Dedi's. Every piece carries a marker (``SECRETS``) that must never reach an
outsider; the BNBA markers (``BNBA_SECRETS``) must never reach a Pimpinan either. So that a refusal is known to be the
scope's and not a malformed request's, every aimed request is also made by someone whose scope holds Kejaksan, and
the writing ones must write.

``URLS`` is the matrix: one row per URL name with the methods the view accepts, how an outsider aims at Kejaksan
through it, and where the cross-wilayah test lives (an existing test, or this module for the pairs that had none).
``test_every_url_name_is_in_the_matrix`` fails as soon as a URL is added to either app without a row here.

The data is built once per module (the personas of ``tests/conftest.py``, same names, roles and wilayah, as in
``tests/reporting/recap_data.py``); each test runs in its own savepoint, so refused writes are checked against a
snapshot and anything a test writes is rolled back.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.test import Client, override_settings
from django.urls import URLPattern, reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from pmks import selectors as pmks_selectors
from pmks import urls as pmks_urls
from pmks.models import AccessLog, PmksFigure, PmksRecord
from psks_portal import periods, tabular
from psks_portal.models import User, Wilayah
from reporting import urls as reporting_urls
from reporting.models import Activity, Export, ExportStatus, PsksCount, Report, State, Transition
from tests.factories import personas
from tests.reporting.conftest import activity, category, desa_of, make_report, put

pytestmark = pytest.mark.django_db

KEJAKSAN, LEMAHWUNGKUK, CIAMIS = "32.74.01", "32.74.02", "32.07.01"
KOTA = "32.74"
MARCH, FEBRUARY, APRIL, YEAR = "2026M03", "2026M02", "2026M04", "2025"
GRID_MONTH = "2026M03"

# Outsiders to Kejaksan: a TKSK and the operator of another kabupaten, the admin of another provinsi (Budi, of the
# neighbouring kecamatan, is in the targeted tests below and in the existing ones). Readers: the Pimpinan of the kota
# and the national Pimpinan (they see Kejaksan, change nothing).
OUTSIDERS = ("citra", "euis", "gita")
READERS = ("hadi", "intan")

BNBA_NAME = "Sumirah Rahasiawati"
BNBA_NIK = "3274014103500777"  # Kejaksan, woman born 1 March 1950
BNBA_ADDRESS = "Gang Rahasia Kejaksan 7"
BNBA_SECRETS = (BNBA_NAME, BNBA_NIK, BNBA_ADDRESS)
CASES = "Kasus rahasia Kejaksan Maret"  # the March draft's narrative
SUMMARY = "Narasi tahunan rahasia Kejaksan"  # the 2025 annual report
PLACE = "Balai rahasia Kesenden"  # the March activity
SECRETS = (
    *BNBA_SECRETS,
    CASES,
    SUMMARY,
    PLACE,
    "lampiran rahasia Kejaksan",  # the attachment's bytes
    "7919", "7.919",  # FM, March (draft month)
    "6917", "6.917",  # FM, February (verified)
    "424242",  # inside Dedi's recap file
)  # fmt: skip
ATTACHMENT = b"%PDF-1.4\n% lampiran rahasia Kejaksan\n"
EXPORT_FILE = b"kode;jumlah\n32.74;424242\n"
OUTSIDER_TEXT = "Ditulis dari wilayah lain"


# -- the data ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    people: dict
    desa: list[str]  # two desa of Kejaksan
    record: PmksRecord
    march: Report
    february: Report
    annual: Report
    item: Activity  # the March activity, with its attachment
    budi_march: Report  # Lemahwungkuk, March (Budi's own)
    citra_march: Report  # Ciamis, March (Citra's own)
    export: Export  # Dedi's finished recap of Kota Cirebon


def _build(people: dict) -> dict:
    d1, d2 = desa_of(KEJAKSAN)
    record = PmksRecord.objects.create(
        nik=BNBA_NIK, name=BNBA_NAME, sex="P", birth_date=date(1950, 3, 1), desa_id=d1, address=BNBA_ADDRESS,
        identified_on=date(2026, 1, 5),
    )  # fmt: skip
    record.categories.set([category("LUT")])

    march = make_report(KEJAKSAN, MARCH)
    march.cases = CASES
    march.save()
    item = activity(march, 5, male=2, female=3)
    item.place = PLACE
    item.attachment_kind = "daftar_hadir"
    item.attachment.save("daftar.pdf", ContentFile(ATTACHMENT), save=False)
    item.save()
    february = make_report(KEJAKSAN, FEBRUARY, State.VERIFIED)
    for code in ("32.74.02", "32.74.03", "32.74.04", "32.74.05"):  # Kota Cirebon's February is ready to accept
        make_report(code, FEBRUARY, State.NOT_REPORTING)
    annual = make_report(KEJAKSAN, YEAR, State.SUBMITTED)
    annual.summary = SUMMARY
    annual.save()
    put(d1, "FM", MARCH, 7919)
    put(d2, "LUT", MARCH, 3)  # a small count
    put(d1, "FM", FEBRUARY, 6917)

    now = timezone.now()
    export = Export.objects.create(
        user=people["dedi"], recap="pmks", format="csv", wilayah_id=KOTA, period="2026Q1", status=ExportStatus.DONE,
        progress=100, finished_at=now, expires_at=now + timedelta(days=30), filename="rekap-pmks-32.74-2026Q1.csv",
        rows=1, size=len(EXPORT_FILE),
    )  # fmt: skip
    export.file.save("rekap-pmks-32.74-2026Q1.csv", ContentFile(EXPORT_FILE), save=True)
    return {
        "desa": [d1, d2],
        "record": record,
        "march": march,
        "february": february,
        "annual": annual,
        "item": item,
        "budi_march": make_report(LEMAHWUNGKUK, MARCH),
        "citra_march": make_report(CIAMIS, MARCH),
        "export": export,
    }


@pytest.fixture(scope="module")
def scope_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once per module inside a transaction rolled back afterwards (each test runs in its own savepoint)."""
    media = tmp_path_factory.mktemp("scope-matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        users = personas()
        yield World(people=users, **_build(users))
        transaction.set_rollback(True)


@pytest.fixture
def world(scope_world, db) -> World:
    return scope_world


@pytest.fixture
def people(world) -> dict:
    """Overrides the conftest fixture: the same personas, already in the module's database."""
    return world.people


# -- what must not change, and what must not be seen --------------------------------------------------------------


def snapshot() -> dict:
    """Everything a refused request could have written (exports and BNBA history included)."""
    return {
        "reports": sorted(
            Report.objects.values_list(
                "pk",
                "kecamatan_id",
                "period",
                "state",
                "version",
                "cases",
                "summary",
                "evaluation_performance",
                "evaluation_activeness",
                "updated_at",
            )
        ),  # fmt: skip
        "transitions": Transition.objects.count(),
        "psks_counts": PsksCount.objects.count(),
        "activities": sorted(
            Activity.objects.values_list("pk", "report_id", "kind", "place", "participants_male", "attachment")
        ),
        "figures": sorted(
            PmksFigure.objects.values_list("pk", "desa_id", "category_id", "month", "total", "updated_at")
        ),
        "records": sorted(
            PmksRecord.objects.values_list("pk", "nik", "name", "desa_id", "address", "status", "updated_at")
        ),
        "record_history": PmksRecord.history.count(),
        "exports": sorted(Export.objects.values_list("pk", "user_id", "wilayah_id", "status")),
    }


def kejaksan_data() -> dict:
    """What a Pimpinan may not change (their own exports and access are theirs to create)."""
    state = snapshot()
    del state["exports"]
    return state


def body(response) -> str:
    """The response as text: pages, CSV, streamed files, and the cells of an XLSX workbook."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(tabular.XLSX_TYPE):
        workbook = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value
        )
    return raw.decode("utf-8", errors="replace")


def _shown(secret: str, text: str) -> bool:
    """A name or phrase anywhere; a figure only as a number of its own (never inside a random token or nonce)."""
    if not secret.replace(".", "").isdigit():
        return secret in text
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", text) is not None


def disclosed(response, secrets=SECRETS) -> list[str]:
    text = body(response)
    return [s for s in secrets if _shown(s, text)]


# -- how each URL is aimed at Kejaksan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Aim:
    kwargs: dict | None = None
    query: dict | None = None  # sent with GET, and in the address of the POST
    data: dict | Callable[[], dict] | None = None  # the POST body (a callable for one-shot things such as uploads)


def _grid_post(w: World) -> dict:
    kejaksan = Wilayah.objects.get(code=KEJAKSAN)
    lut = category("LUT").pk
    return {"versi": pmks_selectors.grid_version(kejaksan, periods.parse(GRID_MONTH)), "keterangan": OUTSIDER_TEXT,
            f"f-{w.desa[0]}-{lut}-t": "55", f"f-{w.desa[1]}-{lut}-t": "0"}  # fmt: skip


def _record_post(w: World) -> dict:
    return {"nik": "", "name": OUTSIDER_TEXT, "sex": "P", "birth_date": "1950-03-01", "desa": w.desa[0],
            "address": OUTSIDER_TEXT, "categories": [category("LUT").pk], "identified_on": "2026-01-05"}  # fmt: skip


def _activity_post(w: World) -> dict:
    return {"date": "2026-03-12", "kind": "rujukan", "place": OUTSIDER_TEXT, "desa": w.desa[0],
            "participants_male": "9", "participants_female": "9", "result": OUTSIDER_TEXT,
            "attachment_kind": "daftar_hadir"}  # fmt: skip


def _activity_edit_post(w: World) -> dict:
    """The edit of Kejaksan's activity, with the fingerprint of the activity as stored (what an opened form carries)."""
    from reporting.forms import ActivityForm

    item = Activity.objects.get(pk=w.item.pk)
    return {**_activity_post(w), "fingerprint": ActivityForm(instance=item, report=item.report).initial["fingerprint"]}


def _bnba_file(rows: list[list]) -> Callable[[], dict]:
    headers = ["NIK", "Nama", "Jenis Kelamin", "Tanggal Lahir", "Kode Desa", "Alamat", "Kategori",
               "Tanggal Teridentifikasi", "Status Penanganan", "Dirujuk Ke", "Catatan"]  # fmt: skip

    def data() -> dict:
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return {"berkas": SimpleUploadedFile("bnba.xlsx", buffer.getvalue())}

    return data


def _kejaksan_rows(w: World) -> list[list]:
    """A new person in a Kejaksan desa, and Kejaksan's own record (by its NIK) renamed."""
    return [
        ["3274014203500778", OUTSIDER_TEXT, "P", date(1950, 3, 2), w.desa[0], "Jl. Luar 1", "LUT", date(2026, 1, 5),
         "", "", ""],
        [BNBA_NIK, OUTSIDER_TEXT, "P", date(1950, 3, 1), w.desa[1], "Jl. Luar 2", "LUT", date(2026, 1, 5), "", "",
         ""],
    ]  # fmt: skip


def _transition(w: World, persona: str) -> Aim:
    """The move each role would make if it reached Kejaksan: submit, mark not reporting, return the verified month."""
    period, action = {"euis": (MARCH, "not_reporting"), "gita": (FEBRUARY, "return")}.get(persona, (MARCH, "submit"))
    return Aim({"kecamatan": KEJAKSAN, "period": period}, data={"action": action, "comment": OUTSIDER_TEXT})


RECAP_QUERY = {"rekap": "pmks", "wilayah": KOTA, "periode": "2026Q1"}  # all submitted: February counts
EXPORT_PURPOSE = {"format": "csv", "tujuan": "bantuan", "keterangan": "Verifikasi calon penerima bantuan 2026"}


@dataclass(frozen=True)
class Url:
    methods: tuple[str, ...]  # what the view accepts (any other method: 405)
    aim: Callable[[World, str], Aim]
    existing: str  # the cross-wilayah test that already existed, or MISSING (then covered in this module)
    scoped: bool = True  # the aimed request must be refused (404) for an outsider; False: own-scope page, no leak


GP = ("GET", "POST")
KEC_MARCH = {"kecamatan": KEJAKSAN, "period": MARCH}

URLS: dict[str, Url] = {
    # --- pmks -------------------------------------------------------------------------------------------------
    "pmks:catalogue_mapping": Url(
        GP, lambda w, p: Aim(), "n/a: reference data, no wilayah (test_catalogues::test_the_catalogue_page_is_"
        "reference_data_for_every_signed_in_user)", scoped=False,
    ),
    "pmks:grid_index": Url(
        GP, lambda w, p: Aim(query={"kecamatan": KEJAKSAN, "periode": GRID_MONTH}),
        "MISSING (?kecamatan= of another wilayah) → test_the_grid_index_leads_an_outsider_nowhere", scoped=False,
    ),
    "pmks:grid": Url(
        GP, lambda w, p: Aim({"code": KEJAKSAN, "period": GRID_MONTH}, data=_grid_post(w)),
        "tests/pmks/test_grid.py::test_the_grid_is_for_writers_inside_the_scope; Kejaksan cells posted with one's "
        "own grid MISSING → test_kejaksans_figures_cannot_be_smuggled_into_ones_own_grid",
    ),
    "pmks:grid_legacy": Url(
        ("GET",), lambda w, p: Aim({"code": KEJAKSAN, "year": "2026", "month": "03"}),
        "tests/pmks/test_grid.py::test_an_old_grid_address_moves_to_the_new_one",
    ),
    "pmks:register_list": Url(
        GP, lambda w, p: Aim(data={"wilayah": KEJAKSAN, "q": "Sumirah"}),
        "tests/pmks/test_register.py::test_a_tksk_sees_only_their_kecamatan_in_the_list, ::test_filters_narrow_the_"
        "list (same kota, Dedi only); other kabupaten/provinsi MISSING → test_the_bnba_list_of_another_wilayah_"
        "stays_empty", scoped=False,
    ),
    "pmks:register_create": Url(
        GP, lambda w, p: Aim(data=_record_post(w)),
        "tests/pmks/test_register.py::test_refused_writes_change_nothing", scoped=False,
    ),
    "pmks:register_detail": Url(
        GP, lambda w, p: Aim({"pk": w.record.pk}),
        "tests/pmks/test_register.py::test_every_url_answers_each_persona_as_expected (GET); POST MISSING → "
        "test_an_outsider_is_refused_and_learns_nothing",
    ),
    "pmks:register_edit": Url(
        GP, lambda w, p: Aim({"pk": w.record.pk}, data=_record_post(w)),
        "tests/pmks/test_register.py::test_every_url_answers_each_persona_as_expected, ::test_refused_writes_change_"
        "nothing",
    ),
    "pmks:register_status": Url(
        GP, lambda w, p: Aim({"pk": w.record.pk}, data={"status": "dirujuk", "referral_target": OUTSIDER_TEXT}),
        "tests/pmks/test_register.py::test_every_url_answers_each_persona_as_expected, ::test_refused_writes_change_"
        "nothing",
    ),
    "pmks:register_import": Url(
        GP, lambda w, p: Aim(data=_bnba_file(_kejaksan_rows(w))),
        "tests/pmks/test_register_import.py::test_another_kecamatan_cannot_import_into_kejaksan (same kota); other "
        "kabupaten/provinsi MISSING → test_an_import_from_another_wilayah_writes_nothing_into_kejaksan",
        scoped=False,
    ),
    "pmks:register_import_confirm": Url(
        ("POST",), lambda w, p: Aim(data={"token": "x" * 32, "hanya_valid": "on"}),
        "MISSING (another user's pending import) → test_a_confirmation_cannot_use_another_users_upload",
        scoped=False,
    ),
    "pmks:register_template": Url(
        ("GET",), lambda w, p: Aim(),
        "MISSING (desa list of the template) → test_the_template_offers_only_the_uploaders_desa", scoped=False,
    ),
    "pmks:register_export": Url(
        GP, lambda w, p: Aim(data={**EXPORT_PURPOSE, "wilayah": KEJAKSAN}),
        "tests/pmks/test_register_export.py::test_another_wilayah_cannot_be_exported, ::test_each_persona_exports_"
        "only_their_scope", scoped=False,
    ),
    # --- reporting --------------------------------------------------------------------------------------------
    "reporting:report_list": Url(
        GP, lambda w, p: Aim(query={"wilayah": KOTA}),
        "tests/reporting/test_report_views.py::test_the_list_is_scoped, ::test_the_list_filters_by_period_kind_state_"
        "and_wilayah (fajar → 33.01 only)",
    ),
    "reporting:report_detail": Url(
        GP, lambda w, p: Aim(KEC_MARCH, data={"version": w.march.version, "cases": OUTSIDER_TEXT}),
        "tests/reporting/test_report_views.py::test_it_shows_the_report_only_inside_the_scope, ::test_it_refuses_"
        "writes_outside_the_scope_and_by_readers; POST buka (opening a draft) MISSING → test_an_outsider_cannot_open_"
        "a_draft_for_kejaksan_nor_read_its_annual_report",
    ),
    "reporting:report_transition": Url(
        ("POST",), _transition,
        "tests/reporting/test_report_views.py::test_it_refuses_writes_outside_the_scope_and_by_readers",
    ),
    "reporting:report_evaluation": Url(
        ("POST",),
        lambda w, p: Aim({"kecamatan": KEJAKSAN, "period": YEAR}, data={
            "version": w.annual.version, "evaluation_performance": "buruk", "evaluation_activeness": "tidak_aktif",
            "evaluation_note": OUTSIDER_TEXT}),
        "tests/reporting/test_report_views.py::test_it_refuses_writes_outside_the_scope_and_by_readers (a monthly "
        "draft only); a submitted annual report MISSING → test_an_outsider_is_refused_and_learns_nothing",
    ),  # fmt: skip
    "reporting:activity_add": Url(
        ("POST",), lambda w, p: Aim(KEC_MARCH, data=_activity_post(w)),
        "tests/reporting/test_report_views.py::test_it_refuses_writes_outside_the_scope_and_by_readers",
    ),
    "reporting:activity_edit": Url(
        GP, lambda w, p: Aim({**KEC_MARCH, "pk": w.item.pk}, data=_activity_edit_post(w)),
        "tests/reporting/test_report_views.py::test_it_refuses_writes_outside_the_scope_and_by_readers; through "
        "one's own kecamatan's address MISSING → test_kejaksans_activity_is_not_reached_through_another_address",
    ),
    "reporting:activity_delete": Url(
        ("POST",), lambda w, p: Aim({**KEC_MARCH, "pk": w.item.pk}, data={}),
        "tests/reporting/test_report_views.py::test_it_refuses_writes_outside_the_scope_and_by_readers; own address "
        "MISSING → test_kejaksans_activity_is_not_reached_through_another_address",
    ),
    "reporting:activity_attachment": Url(
        GP, lambda w, p: Aim({**KEC_MARCH, "pk": w.item.pk}),
        "tests/reporting/test_report_views.py::test_attachments_are_served_only_inside_the_scope; own address "
        "MISSING → test_kejaksans_activity_is_not_reached_through_another_address",
    ),
    "reporting:completeness": Url(
        GP, lambda w, p: Aim(query={"wilayah": KOTA, "periode": MARCH}),
        "tests/reporting/test_completeness_views.py::test_it_answers_404_for_a_wilayah_outside_the_scope",
    ),
    "reporting:accept_kabupaten": Url(
        ("POST",), lambda w, p: Aim(data={"kabupaten": KOTA, "periode": FEBRUARY}),
        "tests/reporting/test_completeness_views.py::test_only_an_admin_provinsi_in_scope_accepts",
    ),
    "reporting:not_reporting": Url(
        ("POST",), lambda w, p: Aim(data={"kecamatan": KEJAKSAN, "periode": APRIL, "reason": OUTSIDER_TEXT}),
        "tests/reporting/test_completeness_views.py::test_only_the_operator_in_scope_marks_not_reporting",
    ),
    "reporting:rollup": Url(
        GP, lambda w, p: Aim(query={"wilayah": KOTA, "periode": FEBRUARY, "dasar": "dikirim"}),
        "tests/reporting/test_rollup_views.py::test_it_answers_404_for_a_wilayah_outside_the_scope",
    ),
    "reporting:recap_index": Url(
        GP, lambda w, p: Aim(query=RECAP_QUERY),
        "tests/reporting/test_recaps.py::test_the_page_is_scoped",
    ),
    "reporting:recap_download": Url(
        ("POST",), lambda w, p: Aim(data={**RECAP_QUERY, "format": "csv"}),
        "tests/reporting/test_recaps.py::test_a_download_outside_the_scope_is_404_and_records_nothing (Dedi only); "
        "other kabupaten/provinsi MISSING → test_an_outsider_is_refused_and_learns_nothing",
    ),
    "reporting:downloads": Url(
        ("GET",), lambda w, p: Aim(),
        "tests/reporting/test_downloads.py::test_the_page_lists_only_the_users_own_exports_newest_first",
        scoped=False,
    ),
    "reporting:export_create": Url(
        ("POST",), lambda w, p: Aim(data={"recap": "pmks", "format": "csv", "wilayah": KOTA, "period": "2026Q1"}),
        "tests/reporting/test_downloads.py::test_a_request_for_a_wilayah_outside_the_scope_is_404_and_records_nothing",
    ),
    "reporting:download_status": Url(
        ("GET",), lambda w, p: Aim({"pk": w.export.pk}),
        "tests/reporting/test_downloads.py::test_nobody_downloads_or_polls_another_users_export",
    ),
    "reporting:download_file": Url(
        ("GET",), lambda w, p: Aim({"pk": w.export.pk}),
        "tests/reporting/test_downloads.py::test_nobody_downloads_or_polls_another_users_export, ::test_a_file_made_"
        "for_an_operator_is_not_handed_to_the_account_once_it_is_read_only; owner moved to another wilayah MISSING "
        "→ test_a_finished_recap_is_not_served_after_its_owner_left_the_wilayah",
    ),
    "reporting:dashboard": Url(
        ("GET",), lambda w, p: Aim(query={"wilayah": KOTA}),
        "tests/reporting/test_dashboard.py::test_it_answers_404_for_a_wilayah_outside_the_scope",
    ),
    "reporting:pmks_table": Url(
        ("GET",), lambda w, p: Aim(query={"wilayah": KOTA, "periode": GRID_MONTH}),
        "tests/reporting/test_pmks_table.py::test_the_table_is_scoped",
    ),
}  # fmt: skip


def _names(module) -> set[str]:
    return {f"{module.app_name}:{p.name}" for p in module.urlpatterns if isinstance(p, URLPattern)}


def _request(client: Client, name: str, method: str, aim: Aim):
    path = reverse(name, kwargs=aim.kwargs)
    if method == "GET":
        return client.get(path, aim.query or {})
    data = aim.data() if callable(aim.data) else (aim.data or {})
    if aim.query:
        path = f"{path}?{urlencode(aim.query)}"
    return client.post(path, data)


def _landing(client: Client, response):
    """For an own-scope page: where a redirect lands (the body to check), one hop at most."""
    return client.get(response["Location"]) if response.status_code == 302 else response


# -- the guard ---------------------------------------------------------------------------------------------------


def test_every_url_name_is_in_the_matrix():
    """A new URL in pmks or reporting must get a row in ``URLS`` (and so a cross-wilayah sweep) before it ships."""
    names = _names(pmks_urls) | _names(reporting_urls)
    assert set(URLS) - names == set(), "rows for URLs that no longer exist"
    assert names - set(URLS) == set(), "URLs without a row in URLS: add them, with how an outsider aims at Kejaksan"


def test_every_missing_pair_names_a_test_of_this_module():
    """A row marked MISSING points at the test here that now covers it."""
    for name, row in URLS.items():
        if "MISSING" in row.existing:
            target = row.existing.split("→")[-1].split()[0]
            assert callable(globals().get(target)) and target.startswith("test_"), (name, target)


def test_every_url_with_parameters_is_swept_as_scoped(world):
    """A URL with path parameters names one object: it must be refused outright, so its row cannot be unscoped."""
    for name, row in URLS.items():
        aim = row.aim(world, "gita")
        if aim.kwargs:
            assert row.scoped, name
        reverse(name, kwargs=aim.kwargs)  # the aim fits the pattern


# -- the aims are real: Kejaksan's own people get through ------------------------------------------------------

# A POST aimed at Kejaksan that writes when made by someone whose scope holds it; the sweep's refusals are therefore
# refusals of the scope, not of a malformed request.
WRITES = {
    "pmks:grid", "pmks:register_create", "pmks:register_edit", "pmks:register_status", "reporting:report_detail",
    "reporting:report_transition", "reporting:report_evaluation", "reporting:activity_add",
    "reporting:activity_edit", "reporting:activity_delete", "reporting:accept_kabupaten", "reporting:not_reporting",
    "reporting:recap_download", "reporting:export_create",
}  # fmt: skip


@pytest.fixture
def keep_attachment(world):
    """Deleting the activity deletes its file too, which no savepoint brings back: put it back afterwards."""
    yield
    storage = world.item.attachment.storage
    if not storage.exists(world.item.attachment.name):
        with open(storage.path(world.item.attachment.name), "wb") as handle:
            handle.write(ATTACHMENT)


@pytest.mark.parametrize("name", list(URLS))
def test_the_aims_reach_kejaksan_for_someone_whose_scope_holds_it(world, people, login, keep_attachment, name):
    row = URLS[name]
    owner = "dedi" if name in ("reporting:download_status", "reporting:download_file") else "root"
    client = login(people[owner])
    for method in row.methods:
        writes = method == "POST" and name in WRITES
        before = snapshot() if writes else None
        sid = transaction.savepoint()
        response = _request(client, name, method, row.aim(world, owner))
        assert response.status_code in (200, 301, 302), f"{method} {name}"
        if writes:
            assert snapshot() != before, f"{method} {name} wrote nothing"
        transaction.savepoint_rollback(sid)


def test_every_marker_is_shown_to_kejaksans_own_people(world, people, login):
    """The markers the sweeps look for do appear where Kejaksan's data is shown, so their absence means something."""
    seen = set()
    for name, row in URLS.items():
        owner = "dedi" if name.startswith("reporting:download_") else "root"
        client = login(people[owner])
        aim = row.aim(world, owner)
        if "GET" in row.methods:
            seen.update(disclosed(_request(client, name, "GET", aim)))
        if name in ("pmks:register_export", "reporting:recap_download"):  # files, made without touching Kejaksan
            seen.update(disclosed(_request(client, name, "POST", aim)))
    seen.update(disclosed(login(people["root"]).get(reverse("reporting:report_detail", args=[KEJAKSAN, YEAR]))))
    assert seen == set(SECRETS)


# -- the sweep: outsiders -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(URLS))
def test_an_outsider_is_refused_and_learns_nothing(world, people, login, name):
    """Each outsider, GET and POST, aimed at Kejaksan: 404 (405 for a method the view refuses), or for a page of
    one's own scope (no object in the address) one's own data only; no marker of Kejaksan, nothing written."""
    row = URLS[name]
    before = snapshot()
    for persona in OUTSIDERS:
        client = login(people[persona])
        for method in ("GET", "POST"):
            response = _request(client, name, method, row.aim(world, persona))
            where = f"{method} {name} as {persona}"
            if method not in row.methods:
                assert response.status_code == 405, where
            elif row.scoped:
                assert response.status_code == 404, where
            else:
                assert response.status_code in (200, 302), where
                response = _landing(client, response)
                assert response.status_code in (200, 404), where
            assert disclosed(response) == [], where
    assert snapshot() == before, f"{name}: an outsider's request wrote something"
    logged = AccessLog.objects.filter(user__in=[people[p] for p in OUTSIDERS])
    assert not logged.filter(Q(record=world.record) | Q(wilayah__code__startswith=KEJAKSAN)).exists()


# -- the sweep: readers -------------------------------------------------------------------------------------------

# What a Pimpinan of Kota Cirebon (and the national one) gets on each URL aimed at Kejaksan: (GET, POST).
READER_STATUS = {
    "pmks:catalogue_mapping": (200, 200),
    "pmks:grid_index": (302, 302),  # to the grid, which answers 403
    "pmks:grid": (403, 403),
    "pmks:grid_legacy": (301, 405),
    "pmks:register_list": (403, 403),
    "pmks:register_create": (403, 403),
    "pmks:register_detail": (403, 403),
    "pmks:register_edit": (403, 403),
    "pmks:register_status": (403, 403),
    "pmks:register_import": (403, 403),
    "pmks:register_import_confirm": (405, 403),
    "pmks:register_template": (403, 405),
    "pmks:register_export": (403, 403),
    "reporting:report_list": (200, 200),
    "reporting:report_detail": (200, 403),
    "reporting:report_transition": (405, 403),
    "reporting:report_evaluation": (405, 403),
    "reporting:activity_add": (405, 403),
    "reporting:activity_edit": (403, 403),
    "reporting:activity_delete": (405, 403),
    "reporting:activity_attachment": (200, 200),
    "reporting:completeness": (200, 200),
    "reporting:accept_kabupaten": (405, 403),
    "reporting:not_reporting": (405, 403),
    "reporting:rollup": (200, 200),
    "reporting:recap_index": (200, 200),
    "reporting:recap_download": (405, 200),  # a PMKS recap with small figures withheld
    "reporting:downloads": (200, 405),
    "reporting:export_create": (405, 302),  # queues the reader's own recap
    "reporting:download_status": (404, 405),  # Dedi's export
    "reporting:download_file": (404, 405),
    "reporting:dashboard": (200, 405),
    "reporting:pmks_table": (200, 405),
}


def test_the_reader_table_has_every_url():
    assert set(READER_STATUS) == set(URLS)


@pytest.mark.parametrize("name", list(URLS))
def test_a_pimpinan_changes_nothing_and_never_receives_bnba_names_or_nik(world, people, login, name):
    before = kejaksan_data()
    for persona in READERS:
        client = login(people[persona])
        for method, expected in zip(("GET", "POST"), READER_STATUS[name], strict=True):
            response = _request(client, name, method, URLS[name].aim(world, persona))
            where = f"{method} {name} as {persona}"
            assert response.status_code == expected, where
            assert disclosed(response, BNBA_SECRETS) == [], where
            if response.status_code == 302:
                landed = client.get(response["Location"])
                assert disclosed(landed, BNBA_SECRETS) == [], where
                if name == "pmks:grid_index":
                    assert landed.status_code == 403, where
    assert kejaksan_data() == before, f"{name}: a Pimpinan's request wrote something"
    assert not AccessLog.objects.filter(user__in=[people[p] for p in READERS]).exists()  # no by-name page shown


# -- the pairs that had no test ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "lands"), [("euis", 404), ("gita", 404), ("citra", 200), ("budi", 200)])
def test_the_grid_index_leads_an_outsider_nowhere(world, people, login, persona, lands):
    client = login(people[persona])
    response = client.get(reverse("pmks:grid_index"), {"kecamatan": KEJAKSAN, "periode": GRID_MONTH}, follow=True)
    assert response.status_code == lands
    if lands == 200:  # a TKSK is always taken to their own kecamatan's grid
        assert response.context["grid"].kecamatan.code == people[persona].wilayah_id
    assert disclosed(response) == []
    if persona in ("euis", "gita"):
        offered = {k.code for k in client.get(reverse("pmks:grid_index")).context["kecamatan"]}
        assert offered and all(code.startswith(people[persona].wilayah_id) for code in offered)


@pytest.mark.parametrize("persona", ["citra", "euis", "gita"])
def test_the_bnba_list_of_another_wilayah_stays_empty(world, people, login, persona):
    client = login(people[persona])
    assert client.post(reverse("pmks:register_list"), {"wilayah": KEJAKSAN, "q": "Sumirah"}).status_code == 302
    response = client.get(reverse("pmks:register_list"))
    assert response.status_code == 200 and response.context["rows"] == []
    assert response.context["filter_form"].errors["wilayah"]
    assert disclosed(response) == []
    log = AccessLog.objects.get(user=people[persona])
    assert (log.row_count, log.wilayah_id, log.record_id) == (0, None, None)


@pytest.mark.parametrize("persona", ["citra", "euis", "gita"])
def test_an_import_from_another_wilayah_writes_nothing_into_kejaksan(world, people, login, persona):
    client = login(people[persona])
    rows = _kejaksan_rows(world)
    rows[1][4] = _first_desa(people[persona].wilayah_id)  # Kejaksan's NIK, moved into the outsider's own desa
    before = snapshot()
    preview = client.post(reverse("pmks:register_import"), _bnba_file(rows)())
    assert preview.status_code == 200
    outcome = preview.context["preview"]
    assert outcome.counts["ditolak"] == 2 and outcome.counts["baru"] == outcome.counts["diperbarui"] == 0
    messages = [m for row in outcome.error_rows for m in row.messages]
    assert any("di luar wilayah Anda" in m for m in messages), messages
    assert disclosed(preview) == []
    token = client.session["imports"]["bnba"]["token"]
    confirmed = client.post(reverse("pmks:register_import_confirm"), {"token": token, "hanya_valid": "on"})
    assert confirmed.status_code in (200, 302)
    assert disclosed(_landing(client, confirmed)) == []
    assert snapshot() == before
    assert not AccessLog.objects.filter(record=world.record).exists()


def _first_desa(parent_code: str) -> str:
    return Wilayah.objects.filter(code__startswith=f"{parent_code}.", level=Wilayah.DESA).order_by("code").first().code


@pytest.mark.parametrize("persona", ["budi", "euis", "gita"])
def test_a_confirmation_cannot_use_another_users_upload(world, people, persona):
    ani = Client()
    ani.force_login(people["ani"])
    rows = [["3274014203500779", "Warga Baru Kejaksan", "P", date(1950, 3, 2), world.desa[0], "Jl. Baru", "LUT",
             date(2026, 1, 5), "", "", ""]]  # fmt: skip
    assert ani.post(reverse("pmks:register_import"), _bnba_file(rows)()).status_code == 200
    token = ani.session["imports"]["bnba"]["token"]
    before = snapshot()
    other = Client()
    other.force_login(people[persona])
    response = other.post(reverse("pmks:register_import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("pmks:register_import")
    assert snapshot() == before
    # Ani's upload was not used up by the attempt: her confirmation still imports it.
    assert ani.post(reverse("pmks:register_import_confirm"), {"token": token}).status_code == 302
    assert PmksRecord.objects.filter(name="Warga Baru Kejaksan", desa_id=world.desa[0]).exists()


@pytest.mark.parametrize(("persona", "prefix"), [("citra", CIAMIS), ("euis", "32.07"), ("gita", "33")])
def test_the_template_offers_only_the_uploaders_desa(world, people, login, persona, prefix):
    response = login(people[persona]).get(reverse("pmks:register_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["Kode Desa"]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[0]]
    assert codes and all(code.startswith(f"{prefix}.") for code in codes)
    assert not any(code.startswith(KOTA) for code in codes)


@pytest.mark.parametrize("persona", ["budi", *OUTSIDERS, *READERS])
def test_an_outsider_cannot_open_a_draft_for_kejaksan_nor_read_its_annual_report(world, people, login, persona):
    client = login(people[persona])
    url = reverse("reporting:report_detail", args=[KEJAKSAN, APRIL])
    expected = 403 if persona in READERS else 404
    assert client.post(url, {"buka": "1"}).status_code == expected
    assert client.get(url).status_code == (200 if persona in READERS else 404)
    assert not Report.objects.filter(kecamatan_id=KEJAKSAN, period=APRIL).exists()
    annual = client.get(reverse("reporting:report_detail", args=[KEJAKSAN, YEAR]))  # a handed-in report, too
    assert annual.status_code == (200 if persona in READERS else 404)
    assert disclosed(annual, BNBA_SECRETS if persona in READERS else SECRETS) == []


@pytest.mark.parametrize(("persona", "own"), [("budi", LEMAHWUNGKUK), ("citra", CIAMIS)])
def test_kejaksans_figures_cannot_be_smuggled_into_ones_own_grid(world, people, login, persona, own):
    """Cells naming a Kejaksan desa, posted with one's own kecamatan's grid: only one's own desa are read."""
    client = login(people[persona])
    url = reverse("pmks:grid", args=[own, GRID_MONTH])
    version = client.get(url).context["grid"].version
    fm, lut = category("FM").pk, category("LUT").pk
    own_desa = desa_of(own, 1)[0]
    kejaksan = dict(PmksFigure.objects.filter(desa__kecamatan_id=KEJAKSAN).values_list("pk", "total"))
    response = client.post(url, {"versi": version, "keterangan": OUTSIDER_TEXT, f"f-{own_desa}-{lut}-t": "2",
                                 f"f-{world.desa[0]}-{fm}-t": "1", f"f-{world.desa[1]}-{lut}-t": "99"})  # fmt: skip
    assert response.status_code == 302  # one's own grid is saved
    assert dict(PmksFigure.objects.filter(desa__kecamatan_id=KEJAKSAN).values_list("pk", "total")) == kejaksan
    assert PmksFigure.objects.get(desa_id=own_desa, category_id=lut).total == 2


@pytest.mark.parametrize(("persona", "own"), [("budi", LEMAHWUNGKUK), ("citra", CIAMIS)])
def test_kejaksans_activity_is_not_reached_through_another_address(world, people, login, persona, own):
    """The activity's number with the user's own kecamatan in the address: still 404, nothing changed or served."""
    client = login(people[persona])
    before = snapshot()
    pk = world.item.pk
    edit = reverse("reporting:activity_edit", args=[own, MARCH, pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {**_activity_post(world), "desa": ""}).status_code == 404
    assert client.post(reverse("reporting:activity_delete", args=[own, MARCH, pk])).status_code == 404
    attachment = client.get(reverse("reporting:activity_attachment", args=[own, MARCH, pk]))
    assert attachment.status_code == 404 and disclosed(attachment) == []
    assert snapshot() == before


def test_a_finished_recap_is_not_served_after_its_owner_left_the_wilayah(world, people, login):
    """Dedi's Kota Cirebon recap, made while he was its operator; he is then moved to Kabupaten Ciamis. A queued
    export is refused once its owner left the wilayah (test_downloads.py::test_a_job_whose_user_left_the_wilayah_fails_
    when_it_runs); a finished one must not be handed out either, nor offered on his downloads page."""
    dedi = User.objects.get(pk=people["dedi"].pk)  # a copy: the module's persona keeps its wilayah
    file_url = reverse("reporting:download_file", args=[world.export.pk])
    assert login(dedi).get(file_url).status_code == 200  # while he is Kota Cirebon's operator
    dedi.wilayah_id = "32.07"
    dedi.save()
    client = login(dedi)
    response = client.get(file_url)
    status = client.get(reverse("reporting:download_status", args=[world.export.pk]))
    offered = file_url in client.get(reverse("reporting:downloads")).content.decode()
    # Was a LEAK up to 89c4b70: reporting/views/downloads.py:120-131 (_own_export, downloads) selected exports with
    # Export.objects.for_owner (reporting/models.py:324-325), which filtered on the owner only, so the operator moved
    # to Ciamis still listed, polled and downloaded Kota Cirebon's recap ((200, 200, True) here). a87575d scopes
    # for_owner by the owner's wilayah now (and withholds unsuppressed files from an owner made read-only).
    assert (response.status_code, status.status_code, offered) == (404, 404, False)
    assert disclosed(response) == []

"""Recap exports as background jobs and the "Unduhan" page: the job's life (queued → running → done with the file;
failed with a reason and no file; expired and deleted), ownership, scope, and the database backend with its worker.

The recap file itself is the recaps service's business (tested beside it); here a stand-in renderer writes a small file
and reports progress, unless a test says otherwise.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from psks_portal import periods
from psks_portal.models import Wilayah
from reporting import tasks
from reporting.models import Export, ExportStatus

pytestmark = pytest.mark.django_db

URL = "/laporan/unduhan/"
REQUEST_URL = "/laporan/unduhan/minta/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.MEDIA_ROOT


@pytest.fixture
def renderer(monkeypatch):
    """A stand-in for the recaps service that records what it saw of the export while it ran."""
    seen: list[dict] = []

    def render(export, directory: Path, progress):
        row = Export.objects.get(pk=export.pk)
        suppress = tasks.suppresses_small_cells(export.user)
        seen.append({"status": row.status, "user": export.user.username, "suppress": suppress})
        progress(40)
        seen.append({"progress": Export.objects.get(pk=export.pk).progress})
        path = directory / "rekap.csv"
        path.write_text("kode;jumlah\n32.74;15\n", encoding="utf-8")
        progress(90)
        return tasks.Rendered(path=path, filename=f"rekap-{export.recap}-{export.period}.{export.format}", rows=1)

    monkeypatch.setattr(tasks, "render", render)
    return seen


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def request_export(client, **fields):
    data = {"recap": "pmks", "format": "csv", "wilayah": "32.74", "period": "2026", **fields}
    return client.post(REQUEST_URL, data)


def test_it_runs_a_job_from_queued_through_running_to_done_with_the_file(people, renderer, login, media):
    response = request_export(login(people["dedi"]))
    assert response.status_code == 302 and response.url == URL
    export = Export.objects.get()
    assert renderer[0] == {"status": ExportStatus.RUNNING, "user": "dedi", "suppress": False}
    assert renderer[1] == {"progress": 40}
    assert export.status == ExportStatus.DONE and export.progress == 100 and export.task_id
    assert (export.user, export.recap, export.format, export.wilayah_id, export.period) == (
        people["dedi"],
        "pmks",
        "csv",
        "32.74",
        "2026",
    )
    assert export.filename == "rekap-pmks-2026.csv" and export.rows == 1
    stored = media / export.file.name
    assert stored.read_text(encoding="utf-8") == "kode;jumlah\n32.74;15\n" and export.size == stored.stat().st_size
    assert export.file.name.startswith("unduhan/") and "rekap" not in export.file.name  # random, unguessable name
    assert export.expires_at - export.finished_at == timedelta(hours=72)
    assert export.options == {"accepted_only": False, "delimiter": ","}


def test_a_job_waits_in_the_queue_until_a_worker_takes_it(people, renderer, login, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    export = tasks.export_request(
        user=people["fajar"], recap="pmks", format="xlsx", wilayah=Wilayah.objects.get(code="32"),
        period=periods.parse("2026"),
    )  # fmt: skip
    assert export.status == ExportStatus.QUEUED and export.task_id and not renderer
    page = login(people["fajar"]).get(URL).content.decode()
    assert 'hx-trigger="every 2s"' in page and "Dalam antrean" in page
    tasks.export_build.call(export.pk)  # what the worker does with the queued task
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    row = login(people["fajar"]).get(f"{URL}{export.pk}/status/").content.decode()
    assert "hx-trigger" not in row and "Unduh" in row
    assert tasks.export_build.call(export.pk) == "skipped"  # a second delivery does nothing


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_builds_queued_exports(people, renderer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    export = tasks.export_request(
        user=people["dedi"], recap="pmks", format="csv", wilayah=Wilayah.objects.get(code="32.74"),
        period=periods.parse("2026M03"),
    )  # fmt: skip
    assert export.status == ExportStatus.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and default_storage.exists(export.file.name)


def test_a_failing_render_ends_failed_with_a_reason_and_no_file(people, login, monkeypatch, media):
    def broken(export, directory, progress):
        progress(30)
        (directory / "setengah.pdf").write_bytes(b"%PDF-1.7 half")
        raise RuntimeError("font hilang")

    monkeypatch.setattr(tasks, "render", broken)
    client = login(people["dedi"])
    response = request_export(client, format="pdf")
    export = Export.objects.get()
    assert export.status == ExportStatus.FAILED and export.error == tasks.generic_failure()
    assert "font hilang" not in export.error  # no internals shown to the user
    assert not export.file and export.size is None and files_under(media) == []
    page = client.get(response.url).content.decode()
    assert "Gagal" in page and export.error in page and 'data-testid="download-link"' not in page
    assert client.get(f"{URL}{export.pk}/berkas/").status_code == 404


def test_a_failure_while_storing_leaves_no_file(people, renderer, monkeypatch, media):
    def broken_size(name):
        raise OSError("I/O error")

    monkeypatch.setattr(default_storage, "size", broken_size)  # fails after the copy, before the row is done
    export = tasks.export_request(
        user=people["dedi"], recap="pmks", format="csv", wilayah=Wilayah.objects.get(code="32.74"),
        period=periods.parse("2026"),
    )  # fmt: skip
    assert export.status == ExportStatus.FAILED and not export.file and files_under(media) == []


def test_a_user_reason_from_the_service_is_shown_as_is(people, monkeypatch):
    def refuse(export, directory, progress):
        raise tasks.ExportFailed("Belum ada laporan yang diterima untuk periode ini.")

    monkeypatch.setattr(tasks, "render", refuse)
    export = tasks.export_request(
        user=people["dedi"], recap="pmks", format="csv", wilayah=Wilayah.objects.get(code="32.74"),
        period=periods.parse("2026"),
    )  # fmt: skip
    assert export.status == ExportStatus.FAILED and export.error == "Belum ada laporan yang diterima untuk periode ini."


def test_a_job_whose_user_left_the_wilayah_fails_when_it_runs(people, renderer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    export = tasks.export_request(
        user=people["dedi"], recap="pmks", format="csv", wilayah=Wilayah.objects.get(code="32.74"),
        period=periods.parse("2026"),
    )  # fmt: skip
    dedi = people["dedi"]
    dedi.wilayah_id = "32.07"
    dedi.save()
    tasks.export_build.call(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and "di luar cakupan" in export.error and not renderer


def test_expiry_deletes_the_file_and_keeps_the_record(people, renderer, login, media):
    client = login(people["dedi"])
    request_export(client)
    export = Export.objects.get()
    path = media / export.file.name
    assert path.exists()
    assert client.get(f"{URL}{export.pk}/berkas/").status_code == 200
    later = export.expires_at + timedelta(seconds=1)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # Past its expiry the file is no longer offered, even before the sweep runs.
    assert client.get(f"{URL}{export.pk}/berkas/").status_code == 404
    assert "Kedaluwarsa" in client.get(URL).content.decode()
    outcome = tasks.exports_expire(now=later)
    assert outcome.expired == 1 and not path.exists()
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and not export.file
    assert tasks.exports_expire(now=later).expired == 0  # safe to repeat


def test_the_command_expires_old_files_and_fails_abandoned_jobs(people, renderer, settings, media):
    request = {"user": people["dedi"], "recap": "pmks", "format": "csv", "wilayah": Wilayah.objects.get(code="32.74")}
    old = tasks.export_request(**request, period=periods.parse("2025"))
    fresh = tasks.export_request(**request, period=periods.parse("2026"))
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    stuck = tasks.export_request(**request, period=periods.parse("2026M01"))
    Export.objects.filter(pk=stuck.pk).update(
        status=ExportStatus.RUNNING, file="unduhan/2026/01/setengah.csv",
        created_at=timezone.now() - timedelta(hours=settings.EXPORT_FILE_TTL_HOURS + 1),
    )  # fmt: skip
    default_storage.save("unduhan/2026/01/setengah.csv", ContentFile(b"kode;"))
    call_command("expire_exports", verbosity=0)
    statuses = dict(Export.objects.values_list("pk", "status"))
    assert statuses == {old.pk: ExportStatus.EXPIRED, fresh.pk: ExportStatus.DONE, stuck.pk: ExportStatus.FAILED}
    assert [p.name for p in files_under(media)] == [Path(fresh.file.name).name]


def test_nobody_downloads_or_polls_another_users_export(people, renderer, login):
    request_export(login(people["dedi"]))
    export = Export.objects.get()
    for persona in ("hadi", "fajar", "root", "euis", "ani"):  # even a superuser or the admin above Dedi
        client = login(people[persona])
        assert client.get(f"{URL}{export.pk}/berkas/").status_code == 404
        assert client.get(f"{URL}{export.pk}/status/").status_code == 404
        assert f"ekspor-{export.pk}" not in client.get(URL).content.decode()
    owner = login(people["dedi"]).get(f"{URL}{export.pk}/berkas/")
    assert owner.status_code == 200 and owner["Content-Disposition"].startswith("attachment")
    assert owner["Cache-Control"] == "private, no-store"
    assert b"".join(owner.streaming_content).decode() == "kode;jumlah\n32.74;15\n"


def test_the_file_is_never_reachable_by_a_media_url(people, renderer, client, login):
    request_export(login(people["dedi"]))
    export = Export.objects.get()
    assert client.get(f"/media/{export.file.name}").status_code == 404
    assert export.file.name not in login(people["dedi"]).get(URL).content.decode()


@pytest.mark.parametrize(
    ("persona", "code"),
    [("gita", "32.74"), ("dedi", "32.07"), ("ani", "32.74.02"), ("hadi", "32.07"), ("euis", "32"), ("fajar", "33")],
)
def test_a_request_for_a_wilayah_outside_the_scope_is_404_and_records_nothing(people, renderer, login, persona, code):
    assert request_export(login(people[persona]), wilayah=code).status_code == 404
    assert not Export.objects.exists() and not renderer


def test_only_a_national_scope_may_ask_for_the_whole_country(people, renderer, login):
    assert request_export(login(people["fajar"]), wilayah="").status_code == 404
    assert request_export(login(people["intan"]), wilayah="").status_code == 302
    export = Export.objects.get()
    assert export.wilayah is None and export.user == people["intan"]


def test_an_invalid_request_records_nothing(people, renderer, login):
    client = login(people["dedi"])
    for fields in ({"period": "2026M13"}, {"recap": "gaji"}, {"format": "docx"}):
        response = request_export(client, **fields)
        assert response.status_code == 302
    assert not Export.objects.exists()
    assert client.get(REQUEST_URL).status_code == 405


def test_a_pimpinan_export_follows_the_small_cell_rule(people, renderer, login):
    request_export(login(people["hadi"]))
    assert renderer[0]["suppress"] is True and Export.objects.get().user == people["hadi"]


def test_too_many_pending_jobs_are_refused(people, renderer, login, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = login(people["dedi"])
    for year in range(2020, 2027):
        request_export(client, period=str(year))
    assert Export.objects.count() == 5


def test_the_page_lists_only_the_users_own_exports_newest_first(people, renderer, login):
    request_export(login(people["dedi"]), period="2025")
    request_export(login(people["dedi"]), period="2026", format="xlsx")
    request_export(login(people["euis"]), wilayah="32.07")
    page = login(people["dedi"]).get(URL)
    rows = [row.export.period for row in page.context["rows"]]
    assert rows == ["2026", "2025"]
    html = page.content.decode().split('data-testid="downloads-table"')[1]
    assert "Tahun 2026" in html and "Kota Cirebon" in html and "Kabupaten Ciamis" not in html
    assert login(people["ani"]).get(URL).context["rows"] == []


def test_anonymous_users_are_sent_to_the_login(client):
    for url in (URL, f"{URL}1/berkas/", f"{URL}1/status/"):
        assert client.get(url).status_code == 302
    assert client.post(REQUEST_URL).status_code == 302


def test_runs_in_background_follows_the_threshold(settings):
    settings.EXPORT_BACKGROUND_THRESHOLD = 1000  # rows
    assert not tasks.runs_in_background(1000) and tasks.runs_in_background(1001)


def test_a_pimpinans_background_export_withholds_small_figures(people, catalogue, login, media):
    """The real recaps service behind the job: Hadi (Pimpinan) gets "×" where Dedi (operator) gets 3."""
    from reporting.models import State
    from tests.reporting.conftest import desa_of, make_report, put

    make_report("32.74.01", "2026M03", State.ACCEPTED)
    desa = desa_of("32.74.01")[0]
    put(desa, "LUT", "2026M03", 3)
    put(desa, "FM", "2026M03", 40)
    cells = {}
    for persona in ("hadi", "dedi"):
        request_export(login(people[persona]), period="2026M03", accepted_only="on")
        export = Export.objects.get(user=people[persona])
        assert export.status == ExportStatus.DONE, export.error
        text = (media / export.file.name).read_text(encoding="utf-8-sig")
        cells[persona] = [row for row in csv.reader(io.StringIO(text)) if "32.74.01" in row]
    assert cells["dedi"] and any("3" in row for row in cells["dedi"])
    assert not any("×" in row for row in cells["dedi"])
    assert all("3" not in row for row in cells["hadi"]) and any("×" in row for row in cells["hadi"])


def test_a_file_made_without_an_expiry_expires_a_lifetime_after_it_was_made(people, renderer, login, media, settings):
    request_export(login(people["dedi"]))
    export = Export.objects.get()
    made = timezone.now() - timedelta(hours=settings.EXPORT_FILE_TTL_HOURS, minutes=1)
    Export.objects.filter(pk=export.pk).update(expires_at=None, finished_at=made)
    assert login(people["dedi"]).get(f"{URL}{export.pk}/berkas/").status_code == 404
    assert tasks.exports_expire().expired == 1 and files_under(media) == []


def test_a_file_made_for_an_operator_is_not_handed_to_the_account_once_it_is_read_only(people, renderer, login):
    """Dedi's PMKS recap shows small figures (he is an operator). Made a Pimpinan of the same kota, he may no longer
    have it: the file could give back what a read-only viewer never sees. A recap without sensitive figures stays."""
    from psks_portal.models import Role, User

    client = login(people["dedi"])
    request_export(client, recap="pmks")
    request_export(client, recap="kelengkapan")
    pmks, completeness = Export.objects.get(recap="pmks"), Export.objects.get(recap="kelengkapan")
    assert (pmks.fit_for_read_only, completeness.fit_for_read_only) == (False, True)
    dedi = User.objects.get(pk=people["dedi"].pk)
    dedi.role = Role.PIMPINAN
    dedi.save()
    client = login(dedi)
    page = client.get(URL).content.decode()
    assert f"{URL}{pmks.pk}/berkas/" not in page and f"{URL}{completeness.pk}/berkas/" in page
    assert client.get(f"{URL}{pmks.pk}/berkas/").status_code == 404
    assert client.get(f"{URL}{pmks.pk}/status/").status_code == 404
    assert client.get(f"{URL}{completeness.pk}/berkas/").status_code == 200


def test_a_pimpinans_own_pmks_file_withholds_small_figures_and_is_theirs_to_download(people, renderer, login):
    client = login(people["hadi"])
    request_export(client, recap="pmks")
    export = Export.objects.get()
    assert renderer[0]["suppress"] is True and export.fit_for_read_only
    assert client.get(f"{URL}{export.pk}/berkas/").status_code == 200

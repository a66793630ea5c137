"""Deployment: ``check --deploy`` warns when the portal sits behind a TLS proxy but the login throttle does not know
about it; uploaded attachments are stored under names nobody can guess."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from psks_portal import checks
from reporting.models import Activity, attachment_path
from tests.core.test_security import production_env
from tests.reporting.conftest import make_report


@pytest.mark.parametrize(
    ("behind_proxy", "proxy_count", "warned"),
    [(True, None, True), (True, 1, False), (False, None, False), (False, 2, False)],
)
def test_the_check_warns_only_behind_a_proxy_without_a_proxy_count(settings, behind_proxy, proxy_count, warned):
    settings.BEHIND_TLS_PROXY = behind_proxy
    settings.AXES_IPWARE_PROXY_COUNT = proxy_count
    found = checks.check_proxy_count()
    assert [w.id for w in found] == ([checks.W001] if warned else [])
    if warned:
        assert "AXES_PROXY_COUNT" in found[0].msg and "AXES_PROXY_COUNT" in found[0].hint


def _check_deploy(**env) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, cwd=settings.BASE_DIR, env=production_env(**env), capture_output=True, text=True)


def test_check_deploy_fails_behind_a_proxy_with_proxy_count_zero_and_passes_with_one():
    refused = _check_deploy(BEHIND_TLS_PROXY="true", AXES_PROXY_COUNT="0")
    assert refused.returncode != 0 and checks.W001 in refused.stderr + refused.stdout
    accepted = _check_deploy(BEHIND_TLS_PROXY="true", AXES_PROXY_COUNT="1")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


@pytest.mark.django_db
def test_an_attachment_gets_a_random_name_under_its_report(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = make_report("32.74.01", "2026M01")
    activity = Activity.objects.create(
        report=report, date=date(2026, 1, 7), kind="pendataan", place="Balai", result="Tercatat"
    )
    names = {attachment_path(activity, "Foto Kegiatan.PNG") for _ in range(20)}
    assert len(names) == 20
    assert all(re.fullmatch(r"laporan/32\.74\.01/2026M01/[0-9a-f]{32}\.png", name) for name in names)
    activity.attachment.save("daftar-hadir.pdf", ContentFile(b"%PDF-1.4 uji"))
    stored = activity.attachment.name
    assert re.fullmatch(r"laporan/32\.74\.01/2026M01/[0-9a-f]{32}\.pdf", stored)
    assert "daftar-hadir" not in stored
    assert (tmp_path / stored).read_bytes() == b"%PDF-1.4 uji"

"""The quick start's demo reports: every workflow stage present, figures consistent, safe to repeat."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from pmks.models import PmksFigure
from psks_portal.demo import demo_load
from reporting.demo import reporting_demo_load
from reporting.models import Report, State, Transition

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_reports(django_db_setup, django_db_blocker):
    """The demo accounts and reports as of 23 November 2026 (returns how many reports were made), built once for the
    module inside a transaction rolled back afterwards; each test runs in its own savepoint."""
    with django_db_blocker.unblock(), override_settings(PORTAL_DEMO_ENABLED=True), transaction.atomic():
        demo_load()
        yield reporting_demo_load(today=TODAY)
        transaction.set_rollback(True)


def test_the_demo_shows_every_stage_and_can_be_loaded_twice(demo_reports, settings):
    settings.PORTAL_DEMO_ENABLED = True
    created = demo_reports
    kecamatan = 5 + 27  # Kota Cirebon and Kabupaten Ciamis
    assert created == kecamatan * 6
    assert set(Report.objects.values_list("period", flat=True)) == {f"2026M{m:02d}" for m in range(5, 11)}
    assert {State.ACCEPTED, State.VERIFIED, State.SUBMITTED, State.DRAFT} <= set(
        Report.objects.values_list("state", flat=True)
    )
    # Every state reached through the workflow has its history row; drafts have none.
    handed_in = Report.objects.exclude(state=State.DRAFT)
    assert all(r.transitions.exists() for r in handed_in)
    assert not Transition.objects.filter(report__state=State.DRAFT).exists()
    # Figures respect the database rule total = L + P, and there is no figure for a month without a report.
    assert not PmksFigure.objects.exclude(male__isnull=True).exclude(total=F("male") + F("female")).exists()
    assert reporting_demo_load(today=TODAY) == 0


def test_the_demo_dates_and_signs_every_move_as_it_would_have_happened(demo_reports):
    today = TODAY
    for report in Report.objects.exclude(state=State.DRAFT).select_related("kecamatan"):
        submitted_on = timezone.localdate(report.first_submitted_at)
        # Sent after its month ended, never in the future; lateness agrees with the dates shown.
        assert report.end < submitted_on <= today, report
        assert report.days_late == max(0, (submitted_on - report.due_date).days), report
        moves = list(report.transitions.order_by("pk"))
        assert [timezone.localdate(m.at) for m in moves] == sorted(timezone.localdate(m.at) for m in moves)
        assert all(timezone.localdate(m.at) <= today for m in moves)
    # Kecamatan Ciamis (32.07.01) has a demo TKSK account, Kabupaten Ciamis an operator, Jawa Barat an Admin Provinsi:
    # their moves carry those accounts, not the superadmin.
    ciamis = Transition.objects.filter(report__kecamatan_id="32.07.01")
    assert set(ciamis.filter(action="submit").values_list("by__username", flat=True)) == {"tksk.ciamis"}
    assert set(ciamis.filter(action="verify").values_list("by__username", flat=True)) == {"operator.ciamis"}
    assert set(Transition.objects.filter(action="accept").values_list("by__username", flat=True)) == {"admin.jabar"}


def test_the_demo_is_refused_outside_demo_mode(tree, catalogue, settings):
    settings.PORTAL_DEMO_ENABLED = False
    with pytest.raises(RuntimeError, match="Mode demo tidak aktif"):
        reporting_demo_load()

"""Chromium enforces the portal's Content-Security-Policy and nothing on the main pages of any role breaks it.

Every page is opened as each demo account with a listener for ``securitypolicyviolation`` events (added before the
page's own scripts) and for console errors: a vendored library injecting a <style> element, an inline handler
left in a template or a script from elsewhere would show up here. The print button and the delete confirmation,
which were inline handlers, still work through ``static/js/actions.js``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from pmks.services import catalogue_load
from psks_portal import periods
from psks_portal.models import User
from registry.services import catalogue_load as registry_catalogue_load
from reporting.models import Activity, Export
from tests.registry.conftest import assign, make_person
from tests.reporting.conftest import desa_of, make_report, put

KEJAKSAN = "32.74.01"
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


@pytest.fixture
def csp_portal(portal, settings, tmp_path):
    """A report with an activity, PMKS figures, a TKSK, a person and a finished export in Kota Cirebon."""
    settings.MEDIA_ROOT = tmp_path / "media"
    catalogue_load()
    registry_catalogue_load()
    month = periods.last_closed(periods.MONTH, timezone.localdate())
    report = make_report(KEJAKSAN, month.id)
    Activity.objects.create(
        report=report,
        date=month.start,
        kind="pendataan",
        place="Balai desa",
        participants_male=2,
        participants_female=3,
        result="Tercatat",
    )
    for desa in desa_of(KEJAKSAN, 2):
        put(desa, "LUT", month.id, 12, male=5)
    person = make_person(name="TKSK Kejaksan", desa="32.74.01.1001")
    assign(person, "tksk", KEJAKSAN)
    return {"month": month, "report": report, "person": person}


def _pages(data) -> dict[str, list[str]]:
    month, person = data["month"], data["person"]
    report = reverse("reporting:report_detail", args=[KEJAKSAN, month.id])
    common = [
        "/",
        reverse("reporting:report_list"),
        reverse("reporting:pmks_table"),
        reverse("wilayah_index"),
        reverse("profile"),
        reverse("password_change"),
    ]
    return {
        "tksk.kejaksan": [
            *common,
            report,
            reverse("pmks:grid_index"),
            reverse("pmks:grid", args=[KEJAKSAN, month.id]),
            reverse("pmks:register_list"),
            reverse("pmks:register_create"),
        ],
        "operator.cirebon": [
            *common,
            report,
            reverse("registry:person_list"),
            reverse("registry:person_detail", args=[person.pk]),
            reverse("registry:person_create"),
            reverse("registry:organisation_list"),
            reverse("registry:tksk_coverage"),
            reverse("registry:tksk_candidate_create", args=[KEJAKSAN]),
            reverse("registry:person_import"),
            reverse("pmks:register_list"),
            reverse("pmks:register_export"),
            reverse("reporting:completeness"),
            reverse("reporting:rollup"),
            reverse("reporting:dashboard"),
            reverse("reporting:downloads"),
            reverse("user_list"),
            reverse("user_create"),
        ],
        "admin.jabar": [
            *common,
            reverse("reporting:dashboard"),
            reverse("reporting:recap_index"),
            reverse("registry:criteria_list"),
            reverse("reporting:completeness"),
        ],
        "pimpinan.jabar": [*common, reverse("reporting:dashboard"), reverse("registry:person_list")],
        "superadmin": ["/", "/admin/", "/admin/psks_portal/user/", "/admin/psks_portal/user/add/"],
    }


def _open(page: Page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__csp")


@pytest.mark.parametrize(
    "username", ["tksk.kejaksan", "operator.cirebon", "admin.jabar", "pimpinan.jabar", "superadmin"]
)
def test_no_page_of_any_role_violates_the_policy(page: Page, login, csp_portal, portal, username):
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.add_init_script(WATCH)
    login(page, username)
    violations = {}
    for url in _pages(csp_portal)[username]:
        found = _open(page, f"{portal}{url}")
        if found:
            violations[url] = found
    assert violations == {}
    assert [e for e in console_errors if "Content Security Policy" in e or "Refused" in e] == []


def test_the_policy_is_enforced_and_the_former_inline_handlers_still_work(page: Page, login, csp_portal, portal):
    page.add_init_script(WATCH)
    login(page, "tksk.kejaksan")
    month = csp_portal["month"]
    _open(page, f"{portal}{reverse('reporting:report_detail', args=[KEJAKSAN, month.id])}")

    # A handler slipped into the page is refused and reported.
    page.evaluate("""document.body.insertAdjacentHTML("beforeend",
                     '<img src="data:," onerror="window.__pwned = 1" alt="">')""")
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__pwned") is None
    assert "script-src" in page.evaluate("window.__csp")[0]

    page.get_by_role("button", name="Cetak").click()
    assert page.evaluate("window.__printed") == 1

    delete = page.locator("form[data-confirm]").get_by_role("button", name="Hapus")
    page.once("dialog", lambda dialog: dialog.dismiss())
    delete.click()
    page.wait_for_timeout(300)
    assert Activity.objects.filter(report=csp_portal["report"]).count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    expect(page.locator("form[data-confirm]")).to_have_count(0)
    assert not Activity.objects.filter(report=csp_portal["report"]).exists()


def test_htmx_keeps_updating_a_download_row_under_the_policy(page: Page, login, csp_portal, portal):
    """The downloads page polls a queued export with htmx; the row updates itself without a CSP violation."""
    page.add_init_script(WATCH)
    login(page, "operator.cirebon")
    export = Export.objects.create(
        user=User.objects.get(username="operator.cirebon"),
        recap="kelengkapan",
        format="csv",
        wilayah_id="32.74",
        period=csp_portal["month"].id,
    )
    _open(page, f"{portal}{reverse('reporting:downloads')}")
    expect(page.locator(f"#ekspor-{export.pk}")).to_have_attribute("data-status", "queued")
    Export.objects.filter(pk=export.pk).update(progress=50)
    bar = page.locator(f"#ekspor-{export.pk} .progress-bar")
    expect(bar).to_have_attribute("style", "width: 50%", timeout=8000)
    assert page.evaluate("window.__csp") == []

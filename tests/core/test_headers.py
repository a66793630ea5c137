"""Every page and file the portal makes carries a Content-Security-Policy, a Permissions-Policy and
``Cache-Control: no-store``; no HTML page has an inline event handler or an inline script without the page's nonce.

The check crawls the portal as each persona: from the home page and a few record pages, every same-site link found
in the HTML is followed (up to a bound), and every answer is checked, downloads included.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import date
from urllib.parse import urldefrag, urlsplit

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.template import engines
from django.urls import reverse

from pmks.models import Category, PmksRecord
from pmks.services import catalogue_load as pmks_catalogue_load
from registry.models import Kind, Organisation
from registry.services import catalogue_load as registry_catalogue_load
from reporting.models import Activity
from tests.registry.conftest import assign, make_person
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

REQUIRED_CSP = {
    "default-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "img-src": "'self' data:",
}
DEVICE_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")
PAGES_PER_PERSONA = 70
NEVER_FOLLOW = ("/keluar/", "/i18n/", "/static/")
HREF = re.compile(r'href="(/[^"#]*)"')
INLINE_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.DOTALL)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def csp_directives(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    parts = (p.strip().split(None, 1) for p in header.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def header_problems(url: str, response) -> list[str]:
    """What ``response`` lacks of the portal's protective headers (empty when it has them all)."""
    problems = []
    directives = csp_directives(response)
    for name, value in REQUIRED_CSP.items():
        if directives.get(name) != value:
            problems.append(f"{url}: CSP {name} is {directives.get(name)!r}, not {value!r}")
    for name in ("script-src", "style-src"):
        sources = directives.get(name, "").split()
        if sources[:1] != ["'self'"] or "'unsafe-inline'" in sources or "'unsafe-eval'" in sources:
            problems.append(f"{url}: CSP {name} is {directives.get(name)!r}")
    policy = response.headers.get("Permissions-Policy", "")
    problems += [f"{url}: Permissions-Policy allows {f}" for f in DEVICE_FEATURES if f"{f}=()" not in policy]
    if "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"{url}: Cache-Control is {response.headers.get('Cache-Control')!r}")
    if response.headers.get("Content-Type", "").startswith("text/html"):
        problems += html_problems(url, response.content.decode(), directives)
    return problems


def html_problems(url: str, html: str, directives: dict[str, str]) -> list[str]:
    problems = [f"{url}: inline event handler {m.group(0)[:80]!r}" for m in INLINE_HANDLER.finditer(html)]
    nonces = re.findall(r"'nonce-([^']+)'", directives.get("script-src", ""))
    for match in SCRIPT_TAG.finditer(html):
        attributes = match.group(1)
        if "src=" in attributes or "application/json" in attributes:
            continue
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        if not nonce or nonce.group(1) not in nonces:
            problems.append(f"{url}: inline <script{attributes}> without the page's nonce")
    return problems


@pytest.fixture
def records(people):
    registry_catalogue_load()
    pmks_catalogue_load()
    person = make_person(name="Warga Header", desa="32.74.01.1001", phone="081234567890")
    assign(person, "psm")
    organisation = Organisation.objects.create(
        kind=Kind.objects.get(code="lks"), name="LKS Header", desa_id="32.74.01.1001"
    )
    record = PmksRecord.objects.create(
        nik="",
        name="Warsini Header",
        sex="P",
        birth_date=date(1950, 3, 1),
        desa_id="32.74.01.1001",
        identified_on=date(2026, 1, 5),
    )
    record.categories.set([Category.objects.get(catalogue__is_active=True, code="LUT")])
    report = make_report("32.74.01", "2026M01")
    Activity.objects.create(
        report=report,
        date=date(2026, 1, 7),
        kind="pendataan",
        place="Balai desa",
        participants_male=3,
        participants_female=4,
        result="Tercatat",
    )
    return {
        "seeds": [
            reverse("registry:person_detail", args=[person.pk]),
            reverse("registry:organisation_detail", args=[organisation.pk]),
            reverse("pmks:register_detail", args=[record.pk]),
            reverse("reporting:report_detail", args=["32.74.01", "2026M01"]),
            reverse("registry:person_export") + "?format=csv",
            reverse("registry:person_import"),
            reverse("pmks:register_import"),
            reverse("pmks:register_export"),
        ]
    }


def crawl(client, seeds: list[str]) -> tuple[int, list[str]]:
    """Visit the seeds and every same-site link from their HTML, breadth first; return pages seen and problems."""
    queue, seen, problems = deque(["/", *seeds]), set(), []
    while queue and len(seen) < PAGES_PER_PERSONA:
        url = urldefrag(queue.popleft())[0]
        if url in seen or url.startswith(NEVER_FOLLOW):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, url
        problems += header_problems(url, response)
        if response.headers.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
            queue.extend(u.replace("&amp;", "&") for u in HREF.findall(html) if not urlsplit(u).netloc)
    return len(seen), problems


@pytest.mark.parametrize("persona", ["ani", "dedi", "fajar", "hadi", "root"])
def test_every_answer_of_a_crawl_carries_the_headers(records, people, login, persona):
    pages, problems = crawl(login(people[persona]), records["seeds"])
    assert problems == []
    assert pages >= 15, f"the crawl as {persona} reached only {pages} pages"


def test_the_login_page_and_errors_carry_them_too(client):
    for url in (reverse("login"), "/tidak-ada/"):
        assert header_problems(url, client.get(url)) == []


def test_a_page_with_an_inline_script_gets_a_nonce_in_its_policy(rf):
    """The convention of the README: ``<script nonce="{{ CSP_NONCE }}">`` — the header then names that nonce."""
    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">let a = 1;</script>')
    request = rf.get("/")
    middleware = CSPMiddleware(lambda r: HttpResponse(template.render({}, r)))
    response = middleware(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in csp_directives(response)["script-src"]
    assert html_problems("/", response.content.decode(), csp_directives(response)) == []
    assert html_problems("/", "<script>let a = 1;</script>", csp_directives(response)) != []

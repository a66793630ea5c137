"""Searches by NIK or name and the TKSK candidate's NIK look-up are posted; the text waits in the session under an
opaque key, so no URL — address bar, history, access log, proxy log, Referer — ever holds it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from psks_portal import private_search
from registry.services import catalogue_load
from tests.registry.conftest import assign, make_person

pytestmark = pytest.mark.django_db

PERSONS = "registry:person_list"


@pytest.fixture
def roster(people):
    catalogue_load()
    siti = make_person(name="Siti Cari", desa="32.74.01.1001", sex="P")
    assign(siti, "psm")
    other = make_person(name="Budi Lain", desa="32.74.01.1002")
    assign(other, "psm")
    return {"siti": siti, "other": other}


def _urls(html: str) -> list[str]:
    return re.findall(r'(?:href|action|hx-get|src)="([^"]*)"', html)


def test_a_search_by_nik_is_posted_and_the_result_url_holds_only_a_key(roster, people, login):
    client = login(people["dedi"])
    nik = roster["siti"].nik
    response = client.post(reverse(PERSONS), {"q": nik, "jenis": "psm", "status": ""})
    assert response.status_code == 303
    assert nik not in response.url and re.search(r"[?&]cari=[\w-]{16}", response.url) and "jenis=psm" in response.url
    page = client.get(response.url)
    assert [row.person for row in page.context["page"].object_list] == [roster["siti"]]
    html = page.content.decode()
    assert all(nik not in url for url in _urls(html))  # pages, exports, the form's own action
    assert f'value="{nik}"' in html  # the search box keeps what was typed (page body, not URL)
    again = client.get(response.url)  # refresh (or back) works without re-posting
    assert [row.person for row in again.context["page"].object_list] == [roster["siti"]]


def test_the_export_link_of_a_search_carries_the_key_and_exports_the_same_rows(roster, people, login):
    client = login(people["dedi"])
    page = client.get(client.post(reverse(PERSONS), {"q": "Siti"}).url)
    export_url = next(u for u in _urls(page.content.decode()) if "/ekspor/" in u and "format=csv" in u)
    assert "Siti" not in export_url and "cari=" in export_url
    rows = client.get(export_url.replace("&amp;", "&")).getvalue().decode("utf-8-sig").splitlines()[1:]
    assert len(rows) == 1 and rows[0].startswith(roster["siti"].nik)


def test_search_text_in_the_url_itself_is_ignored(roster, people, login):
    client = login(people["dedi"])
    listed = client.get(reverse(PERSONS), {"q": roster["siti"].nik})
    assert {row.person for row in listed.context["page"].object_list} == {roster["siti"], roster["other"]}


def test_a_key_is_worth_nothing_in_another_session(roster, people, login, client):
    url = login(people["dedi"]).post(reverse(PERSONS), {"q": roster["siti"].nik}).url
    client.logout()
    client.force_login(people["dedi"])  # a new session: the key is unknown there
    listed = client.get(url)
    assert {row.person for row in listed.context["page"].object_list} == {roster["siti"], roster["other"]}


def test_the_session_keeps_only_the_latest_searches(people, login):
    client = login(people["dedi"])
    first = client.post(reverse(PERSONS), {"q": "pertama"}).url
    for i in range(private_search.KEEP):
        client.post(reverse(PERSONS), {"q": f"cari {i}"})
    saved = client.session[private_search.SESSION_KEY]
    assert len(saved) == private_search.KEEP and "pertama" not in saved.values()
    assert first.split("cari=")[1] not in saved


def test_the_organisation_roster_search_is_posted_too(roster, people, login):
    client = login(people["dedi"])
    response = client.post(reverse("registry:organisation_list"), {"q": "Keluarga Bapak Ahmad"})
    assert response.status_code == 303 and "Ahmad" not in response.url


def test_the_tksk_candidate_lookup_keeps_the_nik_out_of_every_url(roster, people, login):
    client = login(people["dedi"])
    url = reverse("registry:tksk_candidate_create", args=["32.74.01"])
    form = client.get(url).content.decode()
    assert re.search(r'<form method="post" action="[^"]+"[^>]*data-testid="nik-lookup"', form)
    nik = roster["other"].nik
    response = client.post(url, {"nik": nik})
    assert response.status_code == 303 and nik not in response.url
    step = client.get(response.url)
    assert step.context["person"] == roster["other"]
    assert all(nik not in u for u in _urls(step.content.decode()))


def test_an_expired_lookup_key_asks_for_the_nik_again(roster, people, login):
    client = login(people["dedi"])
    url = reverse("registry:tksk_candidate_create", args=["32.74.01"]) + "?cari=tidak-dikenal"
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"] is None
    assert "Masukkan NIK lagi" in response.content.decode()


def test_a_posted_search_needs_the_csrf_token(roster, people):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["dedi"])
    assert strict.post(reverse(PERSONS), {"q": roster["siti"].nik}).status_code == 403
    assert (
        strict.post(
            reverse("registry:tksk_candidate_create", args=["32.74.01"]), {"nik": roster["siti"].nik}
        ).status_code
        == 403
    )


# GET forms that may keep a search field: none of their fields can hold a NIK or a registered person's name.
GET_FORMS_WITHOUT_PERSONAL_TEXT = {
    "users/list.html",  # staff accounts by name or user name; a user name may not be a NIK (UserForm)
}


def test_no_get_form_asks_for_a_nik_or_a_search_text():
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        html = path.read_text()
        for form in re.findall(r'<form[^>]*method="get".*?</form>', html, re.DOTALL | re.IGNORECASE):
            name = str(path.relative_to(templates))
            personal = re.search(r'name="(nik|q)"|\.nik\b|\.q\b|\|crispy', form)
            if personal and name not in GET_FORMS_WITHOUT_PERSONAL_TEXT:
                offenders.append(name)
    assert offenders == []

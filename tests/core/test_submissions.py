"""A form sent twice creates one record (``psks_portal.submissions``): a double click on "Tambah" for an activity or
a BNBA record, a retry after a lost answer, two copies at the same moment. Ani is the TKSK of Kejaksan."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from pmks.models import PmksRecord
from pmks.services import catalogue_load
from psks_portal.models import FormSubmission
from psks_portal.submissions import FIELD
from reporting.models import Activity, State
from tests.reporting.conftest import category, make_report

pytestmark = pytest.mark.django_db
KEJAKSAN, MARCH = "32.74.01", "2026M03"
TOKEN = "dua-kali-diklik-0123456789abcdef"


def _activity(token: str | None = TOKEN) -> dict:
    data = {"date": "2026-03-12", "kind": "pendataan", "place": "Balai desa", "desa": "32.74.01.1001",
            "participants_male": "3", "participants_female": "4", "result": "Tercatat"}  # fmt: skip
    if token:
        data[FIELD] = token
    return data


def test_an_activity_sent_twice_is_added_once(people, login):
    make_report(KEJAKSAN, MARCH, State.DRAFT)
    client = login(people["ani"])
    url = reverse("reporting:activity_add", args=[KEJAKSAN, MARCH])
    first = client.post(url, _activity())
    second = client.post(url, _activity())
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Activity.objects.count() == 1
    # A new page (a new token) adds a second one.
    client.post(url, _activity(token="halaman-baru-0123456789abcdef"))
    assert Activity.objects.count() == 2


def test_the_page_gives_a_token_and_keeps_it_when_the_form_comes_back(people, login):
    make_report(KEJAKSAN, MARCH, State.DRAFT)
    client = login(people["ani"])
    page = client.get(reverse("reporting:report_detail", args=[KEJAKSAN, MARCH])).content.decode()
    assert f'name="{FIELD}"' in page
    url = reverse("reporting:activity_add", args=[KEJAKSAN, MARCH])
    wrong = client.post(url, {**_activity(), "date": "2026-04-01"})
    assert wrong.status_code == 200 and f'value="{TOKEN}"' in wrong.content.decode()
    assert not FormSubmission.objects.exists()  # nothing was created, so the corrected form may use the token


def test_a_bnba_record_sent_twice_is_recorded_once(people, login):
    catalogue_load()
    client = login(people["ani"])
    data = {"nik": "", "name": "Sumirah", "sex": "P", "birth_date": "1950-02-03", "desa": "32.74.01.1001",
            "address": "Jl. X", "categories": [category("LUT").pk], "identified_on": "2026-01-05", "notes": "",
            FIELD: TOKEN}  # fmt: skip
    first = client.post(reverse("pmks:register_create"), data)
    assert first.status_code == 302, first.context["form"].errors
    second = client.post(reverse("pmks:register_create"), data)
    assert first.status_code == 302 and second.url == first.url
    assert PmksRecord.objects.count() == 1


def test_another_users_token_is_not_theirs(people, login):
    make_report(KEJAKSAN, MARCH, State.DRAFT)
    url = reverse("reporting:activity_add", args=[KEJAKSAN, MARCH])
    login(people["ani"]).post(url, _activity())
    login(people["dedi"]).post(url, _activity())  # the same token from another account is a form of its own
    assert Activity.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_the_same_moment_add_one_activity(people):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite lets one connection write at a time and the test database lives in one connection's "
            "memory, so two requests cannot race there; the repeat is tested on both."
        )
    from django.test import Client

    make_report(KEJAKSAN, MARCH, State.DRAFT)
    url = reverse("reporting:activity_add", args=[KEJAKSAN, MARCH])
    start = threading.Barrier(2, timeout=20)
    answers: list = []

    def send():
        client = Client()
        client.force_login(people["ani"])
        start.wait()
        try:
            answers.append(client.post(url, _activity()).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [302, 302]
    assert Activity.objects.count() == 1 and FormSubmission.objects.count() == 1
    assert date(2026, 3, 12) == Activity.objects.get().date


def test_an_organisation_and_an_account_sent_twice_are_made_once(people, login):
    from psks_portal.models import User
    from registry.models import Kind, Organisation
    from registry.services import catalogue_load as registry_catalogue

    registry_catalogue()
    client = login(people["dedi"])
    organisation = {"kind": Kind.objects.get(code="lks").pk, "name": "LKS Harapan", "desa": "32.74.01.1001",
                    "address": "Jl. Siliwangi 1", "pengurus-TOTAL_FORMS": "0", "pengurus-INITIAL_FORMS": "0",
                    FIELD: TOKEN}  # fmt: skip
    first = client.post(reverse("registry:organisation_create"), organisation)
    assert first.status_code == 302, first.context["form"].errors
    assert client.post(reverse("registry:organisation_create"), organisation).url == first.url
    assert Organisation.objects.count() == 1
    account = {"username": "operator.baru", "full_name": "Operator Baru", "role": "tksk", "wilayah": "32.74.02",
               "password1": "Sandi-Baru-2026!", "password2": "Sandi-Baru-2026!",
               FIELD: "akun-baru-0123456789abcdef"}  # fmt: skip
    made = client.post(reverse("user_create"), account)
    assert made.status_code == 302, made.context["form"].errors
    assert client.post(reverse("user_create"), account).status_code == 302
    assert User.objects.filter(username="operator.baru").count() == 1

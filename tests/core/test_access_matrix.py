"""Every URL of the foundation, tried by every persona: nobody sees or changes anything outside their wilayah."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from psks_portal.models import Role, User

pytestmark = pytest.mark.django_db

# Which personas reach which wilayah page (everything below their own wilayah; national users reach all).
WILAYAH_VISIBLE = {
    "32.74.01": {"ani", "dedi", "fajar", "hadi", "intan", "root"},
    "32.74.02": {"budi", "dedi", "fajar", "hadi", "intan", "root"},
    "32.07": {"euis", "fajar", "intan", "root"},
    "32.07.01.1001": {"citra", "euis", "fajar", "intan", "root"},
    "32": {"fajar", "intan", "root"},
    "33.01": {"gita", "intan", "root"},
}
PERSONAS = ["ani", "budi", "citra", "dedi", "euis", "fajar", "gita", "hadi", "intan", "root"]
MANAGERS = {"dedi", "euis", "fajar", "gita", "root"}


def test_anonymous_users_are_sent_to_the_login_page(client, tree):
    for name in ["home", "wilayah_index", "wilayah_options", "wilayah_about", "user_list", "user_create", "profile"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name
    assert client.get(reverse("wilayah_detail", args=["32"])).status_code == 302


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("code", list(WILAYAH_VISIBLE))
def test_wilayah_pages_answer_404_outside_the_scope(people, login, persona, code):
    response = login(people[persona]).get(reverse("wilayah_detail", args=[code]))
    expected = 200 if persona in WILAYAH_VISIBLE[code] else 404
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_reaches_its_landing_page_and_the_common_pages(people, login, persona):
    client = login(people[persona])
    for name in ["home", "profile", "wilayah_about", "password_change"]:
        assert client.get(reverse(name)).status_code == 200, name
    index = client.get(reverse("wilayah_index"))
    assert index.status_code in (200, 302)
    if index.status_code == 302:
        assert index.url == reverse("wilayah_detail", args=[people[persona].wilayah_id])


@pytest.mark.parametrize(
    ("persona", "parent", "expected"),
    [
        ("ani", "32.74", ["32.74.01"]),
        ("ani", "32.74.02", []),
        ("ani", "33.01", []),
        ("dedi", "32.74", ["32.74.01", "32.74.02", "32.74.03", "32.74.04", "32.74.05"]),
        ("dedi", "32", ["32.74"]),
        ("dedi", "", []),
        ("euis", "32.74", []),
        ("fajar", "32", ["32.07", "32.74"]),
        ("fajar", "", ["32"]),
        ("gita", "32", []),
        ("intan", "", ["32", "33"]),
        ("root", "", ["32", "33"]),
    ],
)
def test_the_picker_offers_only_children_inside_the_scope(people, login, persona, parent, expected):
    response = login(people[persona]).get(reverse("wilayah_options"), {"induk": parent})
    assert response.status_code == 200
    assert [o["code"] for o in json.loads(response.content)["options"]] == expected


def test_the_picker_refuses_a_malformed_parent(people, login):
    response = login(people["dedi"]).get(reverse("wilayah_options"), {"induk": "32.7x"})
    assert response.status_code == 400
    assert "tidak sah" in response.json()["error"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_user_list_is_for_managers_and_shows_only_their_wilayah(people, login, persona):
    response = login(people[persona]).get(reverse("user_list"))
    if persona not in MANAGERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {u.username for u in response.context["page"].object_list}
    me = people[persona]
    for other in people.values():
        inside = me.is_superuser or (
            not other.is_superuser and other.wilayah is not None and me.wilayah.contains(other.wilayah)
        )
        assert (other.username in listed) == inside, other.username


# Who may open Ani's (TKSK Kejaksan) account for editing: her kota operator, her provinsi admin, the superuser.
EDIT_ANI = {
    "dedi": 200,
    "fajar": 200,
    "root": 200,
    "euis": 404,
    "gita": 404,
    "ani": 403,
    "budi": 403,
    "citra": 403,
    "hadi": 403,
    "intan": 403,
}


@pytest.mark.parametrize(("persona", "status"), EDIT_ANI.items())
def test_editing_an_account_is_limited_to_managers_above_it(people, login, persona, status):
    client = login(people[persona])
    url = reverse("user_edit", args=[people["ani"].pk])
    assert client.get(url).status_code == status
    response = client.post(
        url,
        {
            "username": "ani",
            "full_name": "Diubah Orang Luar",
            "role": Role.TKSK,
            "wilayah": "32.74.01",
            "is_active": "on",
        },
    )
    if status != 200:
        assert response.status_code == status
    people["ani"].refresh_from_db()
    if status != 200:
        assert people["ani"].full_name != "Diubah Orang Luar"


def test_a_manager_cannot_edit_a_peer_or_someone_above(people, login):
    client = login(people["dedi"])
    assert client.get(reverse("user_edit", args=[people["hadi"].pk])).status_code == 200  # Pimpinan of his kota
    assert client.get(reverse("user_edit", args=[people["fajar"].pk])).status_code == 404  # above him
    assert login(people["fajar"]).get(reverse("user_edit", args=[people["fajar"].pk])).status_code == 403  # himself
    assert login(people["fajar"]).get(reverse("user_edit", args=[people["root"].pk])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "wilayah", "allowed"),
    [
        ("dedi", "32.74.03", True),
        ("dedi", "32.07.01", False),
        ("dedi", "33.01.01", False),
        ("euis", "32.74.03", False),
        ("fajar", "32.74.03", True),
        ("gita", "32.74.03", False),
        ("root", "33.01.01", True),
    ],
)
def test_creating_a_tksk_account_outside_the_scope_is_refused(people, login, persona, wilayah, allowed, password):
    response = login(people[persona]).post(
        reverse("user_create"),
        {
            "username": "tksk.baru",
            "full_name": "TKSK Baru",
            "role": Role.TKSK,
            "wilayah": wilayah,
            "is_active": "on",
            "password1": password,
            "password2": password,
        },
    )
    created = User.objects.filter(username="tksk.baru").first()
    if allowed:
        assert response.status_code == 302, response.context["form"].errors
        assert created.wilayah_id == wilayah and created.must_change_password
    else:
        assert response.status_code == 200 and created is None
        assert "wilayah" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["ani", "hadi", "intan"])
def test_non_managers_cannot_create_accounts(people, login, persona, password):
    client = login(people[persona])
    assert client.get(reverse("user_create")).status_code == 403
    client.post(
        reverse("user_create"),
        {
            "username": "x",
            "full_name": "X",
            "role": Role.TKSK,
            "wilayah": "32.74.01",
            "password1": password,
            "password2": password,
        },
    )
    assert not User.objects.filter(username="x").exists()


def _make_staff(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def test_the_admin_is_scoped_like_every_other_page(people, login):
    fajar = people["fajar"]
    _make_staff(fajar, "view_wilayah", "view_user", "change_user")
    client = login(fajar)
    changelist = client.get("/admin/psks_portal/wilayah/", {"q": "Cilacap"})
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 0
    assert client.get("/admin/psks_portal/wilayah/", {"q": "Kejaksan"}).context["cl"].result_count >= 1
    assert client.get("/admin/psks_portal/wilayah/32.74/change/").status_code == 200
    outside = client.get("/admin/psks_portal/wilayah/33.01/change/")
    assert outside.status_code in (302, 403, 404)
    users = client.get("/admin/psks_portal/user/")
    body = users.content.decode()
    assert "ani" in body and "gita" not in body and "root" not in body
    assert client.get(f"/admin/psks_portal/user/{people['gita'].pk}/change/").status_code in (302, 403, 404)
    # A scoped staff user may not flip someone in another provinsi through the admin either.
    client.post(f"/admin/psks_portal/user/{people['gita'].pk}/change/", {"username": "gita", "is_active": ""})
    people["gita"].refresh_from_db()
    assert people["gita"].is_active
    # Wilayah are master data: no add or delete for anyone, no change for non-superusers.
    assert client.get("/admin/psks_portal/wilayah/add/").status_code == 403


def test_the_admin_autocomplete_offers_only_wilayah_in_scope(people, login):
    fajar = people["fajar"]
    _make_staff(fajar, "view_wilayah", "view_user", "change_user")
    response = login(fajar).get(
        "/admin/autocomplete/",
        {
            "term": "Ci",
            "app_label": "psks_portal",
            "model_name": "user",
            "field_name": "wilayah",
        },
    )
    assert response.status_code == 200
    codes = {r["id"] for r in response.json()["results"]}
    assert codes and all(c.startswith("32") for c in codes)


def test_refusals_are_explained_in_indonesian_inside_the_portal_layout(people, login):
    client = login(people["ani"])
    not_found = client.get(reverse("wilayah_detail", args=["33.01"]))
    assert not_found.status_code == 404
    assert "di luar wilayah kerja Anda" in not_found.content.decode()
    forbidden = client.get(reverse("user_list"))
    assert forbidden.status_code == 403
    assert "tidak berwenang" in forbidden.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_transfer_requests_are_decided_only_by_the_owning_area(people, login, persona):
    """A request for a Kejaksan record: listed and decided by those above Kejaksan who manage data there (Dedi,
    Fajar, root); everyone else gets 404 on the decision and sees nothing of it on the list."""
    from datetime import date

    from psks_portal import transfers
    from psks_portal.models import TransferRequest, Wilayah
    from registry.models import Person
    from registry.services import catalogue_load

    catalogue_load()
    person = Person.objects.create(nik="3274014203750001", name="Warga Kejaksan", sex="P", birth_place="Cirebon",
                                   birth_date=date(1975, 3, 2), desa_id="32.74.01.1001")  # fmt: skip
    request = transfers.request_transfer(
        user=people["citra"], kind="registri", record=person, to_desa=Wilayah.objects.get(code="32.07.01.1001")
    )
    client = login(people[persona])
    decider = persona in {"dedi", "fajar", "root"}
    listing = client.get(reverse("transfer_list"))
    if persona in {"hadi", "intan"}:  # readers decide nothing and send nothing
        assert listing.status_code == 403
    else:
        assert listing.status_code == 200
        assert ("Warga Kejaksan" in listing.content.decode()) == decider
    answer = client.post(reverse("transfer_decide", args=[request.pk]), {"keputusan": "tolak", "alasan": "uji"})
    assert answer.status_code == (302 if decider else 404)
    assert TransferRequest.objects.get().status == ("ditolak" if decider else "menunggu")
    assert client.get(reverse("transfer_decide", args=[request.pk])).status_code in (404, 405)

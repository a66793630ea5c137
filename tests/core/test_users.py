"""Account management: roles fit their wilayah level, managers give only roles below them, every change is audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from psks_portal.models import Role, User, Wilayah

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "username": "tksk.baru",
        "full_name": "Nining Suryani",
        "role": Role.TKSK,
        "wilayah": "32.74.03",
        "is_active": "on",
        "password1": "Sandi-Uji-2026!",
        "password2": "Sandi-Uji-2026!",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "code", "ok"),
    [
        (Role.TKSK, "32.74.01", True),
        (Role.TKSK, "32.74", False),
        (Role.TKSK, "32.74.01.1001", False),
        (Role.OPERATOR_KABKOTA, "32.74", True),
        (Role.OPERATOR_KABKOTA, "32", False),
        (Role.ADMIN_PROVINSI, "32", True),
        (Role.ADMIN_PROVINSI, "32.74", False),
        (Role.PIMPINAN, "32.74.01", True),
        (Role.PIMPINAN, None, True),
        (Role.PIMPINAN, "32.74.01.1001", False),
    ],
)
def test_the_model_refuses_a_wilayah_of_the_wrong_level(tree, role, code, ok):
    user = User(username="x", role=role, wilayah=Wilayah.objects.get(code=code) if code else None)
    if ok:
        user.clean_role()
    else:
        with pytest.raises(ValidationError):
            user.clean_role()


def test_the_database_refuses_a_role_without_wilayah_and_an_account_without_role(tree):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(username="tanpa.wilayah", role=Role.TKSK)])
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(username="tanpa.peran", role="")])


def test_an_operator_creates_a_tksk_who_must_change_the_password(people, login, client):
    response = login(people["dedi"]).post(reverse("user_create"), _form())
    assert response.status_code == 302
    created = User.objects.get(username="tksk.baru")
    assert (created.role, created.wilayah_id, created.must_change_password) == (Role.TKSK, "32.74.03", True)
    record = created.history.get()
    assert record.history_user == people["dedi"] and record.history_type == "+"
    assert "password" not in {f.name for f in record._meta.fields}

    client.logout()
    client.force_login(created)
    assert client.get(reverse("home")).url == reverse("password_change")
    assert client.get(reverse("wilayah_index")).url == reverse("password_change")
    client.post(
        reverse("password_change"),
        {
            "old_password": "Sandi-Uji-2026!",
            "new_password1": "Kecamatan-Harjamukti-9",
            "new_password2": "Kecamatan-Harjamukti-9",
        },
    )
    created.refresh_from_db()
    assert not created.must_change_password
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    ("persona", "role", "code"),
    [
        ("dedi", Role.OPERATOR_KABKOTA, "32.74"),
        ("dedi", Role.ADMIN_PROVINSI, "32"),
        ("fajar", Role.ADMIN_PROVINSI, "32"),
    ],
)
def test_a_manager_cannot_give_a_role_at_or_above_their_own(people, login, persona, role, code):
    response = login(people[persona]).post(reverse("user_create"), _form(role=role, wilayah=code))
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="tksk.baru").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "3274010101900001", "NIK"),
        ("nip", "1234", "18 digit"),
        ("password1", "12345678", "kata sandi"),
        ("password2", "Lain-Sandi-2026!", "tidak sama"),
        ("wilayah", "32.74", "TKSK harus ditempatkan di satu kecamatan"),
        ("wilayah", "", "TKSK harus ditempatkan di satu kecamatan"),
    ],
)
def test_bad_input_gets_a_clear_indonesian_message(people, login, field, value, message):
    response = login(people["dedi"]).post(reverse("user_create"), _form(**{field: value}))
    assert response.status_code == 200
    errors = " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)
    assert message.lower() in errors.lower()
    assert not User.objects.filter(username__in=["tksk.baru", "3274010101900001"]).exists()


def test_an_edit_based_on_a_stale_page_is_refused_and_keeps_the_input(people, login):
    client = login(people["dedi"])
    url = reverse("user_edit", args=[people["ani"].pk])
    stale = client.get(url).context["form"].initial["fingerprint"]
    # Meanwhile the provinsi admin renames Ani.
    login(people["fajar"]).post(
        url,
        {
            "username": "ani",
            "full_name": "Ani Versi Provinsi",
            "role": Role.TKSK,
            "wilayah": "32.74.01",
            "is_active": "on",
            "fingerprint": stale,
        },
    )
    people["ani"].refresh_from_db()
    assert people["ani"].full_name == "Ani Versi Provinsi"
    client = login(people["dedi"])
    response = client.post(
        url,
        {
            "username": "ani",
            "full_name": "Ani Versi Kota",
            "role": Role.TKSK,
            "wilayah": "32.74.01",
            "is_active": "on",
            "fingerprint": stale,
        },
    )
    assert response.status_code == 200
    assert "sudah diubah orang lain" in str(response.context["form"].non_field_errors())
    assert response.context["form"].data["full_name"] == "Ani Versi Kota"
    people["ani"].refresh_from_db()
    assert people["ani"].full_name == "Ani Versi Provinsi"


def test_deactivating_an_account_keeps_it_and_its_history(people, login):
    client = login(people["dedi"])
    url = reverse("user_edit", args=[people["ani"].pk])
    fingerprint = client.get(url).context["form"].initial["fingerprint"]
    response = client.post(
        url,
        {"username": "ani", "full_name": "Ani", "role": Role.TKSK, "wilayah": "32.74.01", "fingerprint": fingerprint},
    )
    assert response.status_code == 302
    people["ani"].refresh_from_db()
    assert not people["ani"].is_active
    history = client.get(url)
    assert history.status_code == 200 and len(history.context["history"]) >= 2


def test_the_user_list_filters_by_role_and_text(people, login):
    client = login(people["fajar"])
    response = client.get(reverse("user_list"), {"role": Role.TKSK})
    assert {u.username for u in response.context["page"].object_list} == {"ani", "budi", "citra"}
    response = client.get(reverse("user_list"), {"q": "bud"})
    assert [u.username for u in response.context["page"].object_list] == ["budi"]


def test_the_user_list_query_count_does_not_grow_with_rows(people, login, django_assert_max_num_queries):
    from tests.factories import make_user

    client = login(people["fajar"])
    with django_assert_max_num_queries(12):
        client.get(reverse("user_list"))
    for i in range(30):
        make_user(f"tksk{i}", Role.TKSK, "32.74.05")
    with django_assert_max_num_queries(12):
        client.get(reverse("user_list"))


def test_the_landing_shortcut_prefills_role_and_wilayah(people, login):
    html = (
        login(people["dedi"]).get(reverse("user_create"), {"peran": Role.TKSK, "wilayah": "32.74.03"}).content.decode()
    )
    assert 'value="32.74.03" selected' in html and 'value="tksk" selected' in html
    # A code outside the operator's scope is not even shown.
    html = (
        login(people["dedi"]).get(reverse("user_create"), {"peran": Role.TKSK, "wilayah": "33.01.01"}).content.decode()
    )
    assert "33.01.01" not in html.split('data-testid="wilayah-picker"')[1].split("</div>")[0]

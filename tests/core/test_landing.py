"""The landing page per role: where the user works, what is waiting for them, and nothing outside their wilayah."""

import pytest
from django.urls import reverse

from psks_portal.models import Role, Wilayah
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, response.content.decode()


def test_a_tksk_sees_the_desa_of_their_kecamatan_only(people, login):
    response, html = _page(login(people["ani"]))
    assert "Kecamatan Kejaksan" in html and "(32.74.01)" in html
    children = [c.wilayah.code for c in response.context["overview"].children]
    expected = sorted(Wilayah.objects.filter(code__startswith="32.74.01.").values_list("code", flat=True))
    assert children == expected and len(expected) > 0
    assert "Lemahwungkuk" not in html and "Ciamis" not in html and "Cilacap" not in html
    assert "Tidak ada yang menunggu tindakan Anda" in html


def test_an_operator_sees_the_kecamatan_still_without_a_tksk(people, login):
    response, html = _page(login(people["dedi"]))
    assert "Kota Cirebon" in html
    # Ani (Kejaksan) and Budi (Lemahwungkuk) have accounts; Harjamukti, Pekalipan and Kesambi do not.
    missing = [c.wilayah.name for c in response.context["overview"].children_without_tksk]
    assert missing == ["Harjamukti", "Pekalipan", "Kesambi"]
    assert "3 kecamatan belum memiliki akun TKSK aktif" in html
    assert "?peran=tksk&amp;wilayah=32.74.03" in html
    assert "Ciamis" not in html and "Cilacap" not in html


def test_an_inactive_tksk_does_not_count_as_coverage(people, login):
    people["ani"].is_active = False
    people["ani"].save()
    response, _ = _page(login(people["dedi"]))
    assert "Kejaksan" in [c.wilayah.name for c in response.context["overview"].children_without_tksk]


def test_a_provincial_admin_sees_kabupaten_and_operator_coverage(people, login):
    response, html = _page(login(people["fajar"]))
    overview = response.context["overview"]
    assert [c.wilayah.code for c in overview.children] == ["32.07", "32.74"]
    by_code = {c.wilayah.code: c for c in overview.children}
    assert (by_code["32.74"].kecamatan, by_code["32.74"].tksk, by_code["32.74"].operators) == (5, 2, 1)
    assert by_code["32.07"].kecamatan == 27
    assert by_code["32.07"].desa == Wilayah.objects.filter(code__startswith="32.07.", level=4).count()
    assert "Setiap kabupaten/kota sudah memiliki Operator Dinsos aktif" in html
    assert "Jawa Tengah" not in html and "Cilacap" not in html


def test_a_provincial_admin_is_told_which_kabupaten_lacks_an_operator(people, login):
    people["euis"].is_active = False
    people["euis"].save()
    _, html = _page(login(people["fajar"]))
    assert "1 kabupaten/kota belum memiliki akun Operator Dinsos aktif" in html
    assert "wilayah=32.07" in html


def test_a_pimpinan_is_read_only(people, login):
    _, html = _page(login(people["hadi"]))
    assert "Hanya baca" in html and "akun Pimpinan hanya untuk memantau" in html
    assert "Buat akun" not in html


@pytest.mark.parametrize("persona", ["intan", "root"])
def test_national_users_see_every_provinsi(people, login, persona):
    response, html = _page(login(people[persona]))
    assert [c.wilayah.code for c in response.context["overview"].children] == ["32", "33"]
    assert "Nasional" in html


@pytest.mark.parametrize("persona", ["ani", "dedi", "fajar", "intan"])
def test_the_landing_page_query_count_does_not_grow(people, login, persona, django_assert_max_num_queries):
    client = login(people[persona])
    with django_assert_max_num_queries(14):
        client.get(reverse("home"))
    for i in range(20):
        make_user(f"tksk.tambahan{i}", Role.TKSK, "32.74.05")
    with django_assert_max_num_queries(14):
        client.get(reverse("home"))


def test_the_landing_page_in_english_and_indonesian(people, login):
    client = login(people["dedi"])
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Selamat datang" in html and 'lang="id"' in html  # Indonesian first, whatever the browser says
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html and "Welcome" in html


def test_the_superuser_is_told_which_provinsi_lacks_an_admin(people, login):
    people["gita"].is_active = False
    people["gita"].save()
    response, html = _page(login(people["root"]))
    assert [c.wilayah.code for c in response.context["overview"].children_without_admin] == ["33"]
    assert "1 provinsi belum memiliki akun Admin Provinsi aktif" in html
    assert "peran=admin_provinsi&amp;wilayah=33" in html


def test_the_english_catalogue_is_complete():
    """Every Indonesian UI string has an English translation (the compiled catalogue matches the source)."""
    import gettext

    from django.conf import settings

    po = (settings.BASE_DIR / "psks_portal/locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    assert '\nmsgstr ""\n\n' not in po.split("\n\n", 1)[1] + "\n\n"
    with (settings.BASE_DIR / "psks_portal/locale/en/LC_MESSAGES/django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert catalogue.gettext("Menunggu tindakan Anda") == "Awaiting your action"

import pytest
from django.urls import reverse

from kotan.models import Region, Stakeholder
from tests.conftest import login


def test_the_region_list_shows_the_six_kecamatan_with_their_kelurahan(client, operator):
    response = login(client, operator).get(reverse("kotan:region-list"))
    kecamatan = list(response.context["kecamatan"])
    assert [k.name for k in kecamatan][:2] == ["Alak", "Maulafa"]
    assert sum(k.kelurahan_count for k in kecamatan) == 51


def test_another_citys_user_sees_none_of_kupang(client, other_city_operator, kupang):
    login(client, other_city_operator)
    listing = client.get(reverse("kotan:region-list"))
    assert "Oebobo" not in listing.content.decode()
    stakeholders = client.get(reverse("kotan:stakeholder-list")).content.decode()
    assert "Kesbangpol" not in stakeholders


@pytest.mark.parametrize("level", ["kota", "kecamatan", "kelurahan"])
def test_every_kupang_region_is_404_for_another_city(client, other_city_operator, kupang, level):
    login(client, other_city_operator)
    for region in Region.objects.filter(city=kupang, level=level):
        assert client.get(reverse("kotan:region-detail", args=[region.code])).status_code == 404


def test_every_kupang_stakeholder_is_404_for_another_city(client, other_city_operator, kupang):
    login(client, other_city_operator)
    for stakeholder in Stakeholder.objects.filter(city=kupang):
        url = reverse("kotan:stakeholder-detail", args=[stakeholder.pk])
        assert client.get(url).status_code == 404


def test_the_home_page_follows_the_role(client, pimpinan, stakeholder_officer):
    page = login(client, pimpinan).get(reverse("kotan:home")).content.decode()
    assert "Buka dasbor" in page and "Pengisian data indikator" not in page
    client.logout()
    page = login(client, stakeholder_officer).get(reverse("kotan:home")).content.decode()
    assert "Tindak lanjut instansi saya" in page


def test_a_user_without_a_city_is_refused(client, db):
    from tests.factories import make_user

    login(client, make_user(city=None))
    assert client.get(reverse("kotan:home")).status_code == 403


@pytest.mark.parametrize("pages", [1, 3])
def test_the_stakeholder_list_runs_a_fixed_number_of_queries(
    client, operator, django_assert_num_queries, pages
):
    from tests.factories import make_stakeholder

    for _ in range(pages * 10):
        make_stakeholder(city=operator.city)
    login(client, operator)
    # session, user, the user's city (navigation bar), the navigation's counts,
    # stakeholders with officer counts
    with django_assert_num_queries(5):
        client.get(reverse("kotan:stakeholder-list"))


def test_404_and_403_pages_are_in_indonesian(client, operator, kupang):
    login(client, operator)
    assert "Halaman tidak ditemukan" in client.get("/tidak-ada/").content.decode()
    client.logout()
    from tests.factories import make_user

    login(client, make_user(city=None))
    assert "Akses ditolak" in client.get(reverse("kotan:home")).content.decode()


def test_the_500_page_is_in_indonesian(rf):
    from django.views.defaults import server_error

    assert "Terjadi kesalahan" in server_error(rf.get("/")).content.decode()


def test_switching_to_english_translates_the_interface(client, operator):
    login(client, operator)
    client.post(reverse("set-language"), {"language": "en", "next": "/"})
    page = client.get(reverse("kotan:home")).content.decode()
    assert "Welcome" in page and "Selamat datang" not in page


def test_an_english_browser_still_gets_indonesian_until_the_user_switches(client, operator):
    login(client, operator)
    page = client.get(reverse("kotan:home"), headers={"accept-language": "en-US,en;q=0.9"})
    assert "Selamat datang" in page.content.decode()
    assert page.headers["Content-Language"] == "id"

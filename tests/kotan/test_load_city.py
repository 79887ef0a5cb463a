from django.core.management import call_command

from kotan.models import Region, Stakeholder


def _snapshot():
    return (
        list(Region.objects.values_list("code", "name", "level", "parent__code", "city__code")),
        list(Stakeholder.objects.values_list("code", "name", "kind")),
    )


def test_it_loads_kupangs_kecamatan_kelurahan_and_stakeholders(db):
    call_command("load_city", verbosity=0)
    city = Region.objects.get(code="53.71")
    assert city.city == city
    assert Region.objects.filter(city=city, level="kecamatan").count() == 6
    assert Region.objects.filter(city=city, level="kelurahan").count() == 51
    assert Stakeholder.objects.filter(city=city).count() == 20
    oebobo = Region.objects.get(code="53.71.04.1001")
    assert oebobo.parent is not None
    assert (oebobo.name, oebobo.parent.name, oebobo.city) == ("Oebobo", "Oebobo", city)


def test_loading_twice_changes_nothing(db):
    call_command("load_city", verbosity=0)
    first = _snapshot()
    call_command("load_city", verbosity=0)
    assert _snapshot() == first


def test_demo_users_cover_every_role_and_keep_their_passwords(db, settings, capsys):
    settings.DEBUG = True
    call_command("load_city", verbosity=0)
    call_command("create_demo_users")
    printed = capsys.readouterr().out
    assert "DEMO" in printed and "demo-operator-kotan" in printed
    from kotan.models import User

    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)
    call_command("create_demo_users")
    assert "demo-operator-kotan" not in capsys.readouterr().out

from django.urls import reverse

from kotan.models import AuditEntry, Region
from kotan.services import audit_record
from tests.conftest import login


def test_the_city_admin_sees_only_their_city_in_the_admin(client, admin_user, other_city):
    login(client, admin_user)
    page = client.get(reverse("admin:kotan_stakeholder_changelist")).content.decode()
    assert "Kesbangpol" in page and "BNN Kota Kediri" not in page
    other = Region.objects.get(code="35.71.01.1001")
    assert client.get(reverse("admin:kotan_region_change", args=[other.pk])).status_code == 302


def test_the_audit_trail_cannot_be_edited_in_the_admin(client, admin_user, kupang):
    entry = audit_record(actor=admin_user, city=kupang, obj=kupang, action="test", changes={})
    login(client, admin_user)
    response = client.post(
        reverse("admin:kotan_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_city_admin_cannot_make_an_admin_pusat(client, admin_user):
    login(client, admin_user)
    page = client.get(reverse("admin:kotan_user_add")).content.decode()
    assert 'value="operator"' in page
    assert 'value="admin_pusat"' not in page

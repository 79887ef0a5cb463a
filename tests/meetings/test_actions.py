import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from indicators.models import Indicator, Variable
from kotan.models import AuditEntry, Stakeholder, User
from meetings.models import Action, Evidence
from tests.conftest import login
from tests.factories import make_action, make_decision, make_evidence, make_meeting, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _org(city, code):
    return Stakeholder.objects.get(city=city, code=code)


def _today():
    return timezone.localdate()


def test_an_operator_creates_an_action_from_a_decision(client, operator, kupang, framework):
    meeting = make_meeting(city=kupang)
    decision = make_decision(meeting=meeting, text="Terbitkan SK Tim Terpadu")
    login(client, operator)
    page = client.get(reverse("meetings:action-create"), {"keputusan": decision.pk})
    assert "Terbitkan SK Tim Terpadu" in page.content.decode()
    kl = Variable.objects.get(code="KL")
    response = client.post(
        reverse("meetings:action-create"),
        {
            "decision": decision.pk,
            "title": "SK Tim Terpadu kota",
            "category": "pengorganisasian",
            "variable": kl.pk,
            "indicator": Indicator.objects.get(code="KL1").pk,
            "owner": _org(kupang, "kesbangpol").pk,
            "due_on": "2026-12-31",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(title="SK Tim Terpadu kota")
    assert action.meeting == meeting and action.source == Action.Source.DECISION
    assert AuditEntry.objects.for_object(action).get().action == "action.create"


def test_an_action_needs_a_decision_or_a_plan_year(client, operator, kupang, framework):
    login(client, operator)
    response = client.post(
        reverse("meetings:action-create"),
        {
            "title": "Tanpa asal",
            "category": "tata_laksana",
            "variable": Variable.objects.get(code="HK").pk,
            "indicator": Indicator.objects.get(code="KL1").pk,
            "owner": _org(kupang, "kesbangpol").pk,
            "due_on": "31/12/2026",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "isi tahun rencana aksi" in body
    assert "bukan bagian dari variabel" in body
    assert 'value="Tanpa asal"' in body


def _progress(client, action, **data):
    payload = {"percent": 40, "text": "Rapat tim", "version": action.version, **data}
    payload = {f"progress-{key}": value for key, value in payload.items()}
    return client.post(reverse("meetings:action-progress", args=[action.pk]), payload)


def test_an_officer_reports_progress_with_evidence(client, stakeholder_officer, kupang):
    action = make_action(city=kupang, owner=stakeholder_officer.stakeholder)
    login(client, stakeholder_officer)
    upload = SimpleUploadedFile("notulen.pdf", PDF, content_type="application/pdf")
    assert _progress(client, action, evidence=[upload]).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.progress) == (Action.Status.IN_PROGRESS, 40)
    evidence = Evidence.objects.get(update__action=action)
    assert evidence.content_type == "application/pdf"
    assert "notulen" not in evidence.file.name  # stored under a random name
    download = client.get(reverse("meetings:evidence-download", args=[evidence.pk]))
    assert download.content == PDF
    assert 'filename="notulen.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"


def test_evidence_is_checked_by_content_not_by_name(client, stakeholder_officer, kupang):
    action = make_action(city=kupang, owner=stakeholder_officer.stakeholder)
    login(client, stakeholder_officer)
    fake = SimpleUploadedFile("bukti.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    response = _progress(client, action, evidence=[fake])
    assert response.status_code == 200
    assert "bukan PDF, gambar" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_over_the_size_limit_is_refused(client, stakeholder_officer, kupang, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    action = make_action(city=kupang, owner=stakeholder_officer.stakeholder)
    login(client, stakeholder_officer)
    big = SimpleUploadedFile("besar.pdf", PDF + b"0" * 200, "application/pdf")
    response = _progress(client, action, evidence=[big])
    assert "terlalu besar" in response.content.decode()


def test_a_percentage_above_100_gets_a_field_error(client, stakeholder_officer, kupang):
    action = make_action(city=kupang, owner=stakeholder_officer.stakeholder)
    login(client, stakeholder_officer)
    response = _progress(client, action, percent=101)
    assert response.status_code == 200
    assert "lebih kecil dari atau sama dengan 100" in response.content.decode()


def test_an_officer_cannot_report_for_another_organisation(client, stakeholder_officer, kupang):
    action = make_action(city=kupang, owner=_org(kupang, "dp3a"))
    login(client, stakeholder_officer)
    # Another organisation's action is not theirs to see at all (DOMAIN.md §5).
    assert _progress(client, action).status_code == 404
    evidence = make_evidence(action)
    assert client.get(reverse("meetings:evidence-download", args=[evidence.pk])).status_code == 404


def test_a_stale_progress_report_is_refused(client, operator, kupang):
    action = make_action(city=kupang, owner=_org(kupang, "dp3a"))
    login(client, operator)
    assert _progress(client, action).status_code == 302
    response = _progress(client, action, percent=60)
    assert "sudah diubah orang lain" in response.content.decode()


def _close(client, action, **data):
    payload = {f"close-{key}": value for key, value in {"version": action.version, **data}.items()}
    return client.post(reverse("meetings:action-close", args=[action.pk]), payload)


def test_closing_needs_evidence_or_a_note(client, stakeholder_officer, kupang):
    action = make_action(city=kupang, owner=stakeholder_officer.stakeholder)
    login(client, stakeholder_officer)
    response = _close(client, action, note="  ")
    assert "unggah bukti dukung atau tulis catatan penutupan" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.NOT_STARTED
    assert _close(client, action, note="SK terbit, nomor 12/2026").status_code == 302
    action.refresh_from_db()
    assert (action.status, action.progress) == (Action.Status.DONE, 100)
    assert AuditEntry.objects.for_object(action).filter(action="action.close").exists()


def test_closing_with_earlier_evidence_needs_no_note(client, operator, kupang):
    action = make_action(city=kupang, owner=_org(kupang, "dp3a"))
    make_evidence(action)
    login(client, operator)
    assert _close(client, action).status_code == 302


def test_done_is_not_offered_in_the_edit_form(client, operator, kupang):
    action = make_action(city=kupang, owner=_org(kupang, "dp3a"))
    login(client, operator)
    data = {
        "title": action.title,
        "category": action.category,
        "variable": action.variable_id,
        "owner": action.owner_id,
        "due_on": "2026-12-01",
        "status": "selesai",
        "version": action.version,
    }
    response = client.post(reverse("meetings:action-edit", args=[action.pk]), data)
    assert response.status_code == 200
    assert "Masukkan pilihan yang valid" in response.content.decode()
    response = client.post(
        reverse("meetings:action-edit", args=[action.pk]), {**data, "status": "dibatalkan"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.for_object(action).get(action="action.update")
    assert entry.changes["status"] == ["belum_mulai", "dibatalkan"]


def test_the_list_filters_overdue_actions_and_exports_them(client, pimpinan, kupang):
    late = make_action(
        city=kupang,
        owner=_org(kupang, "dp3a"),
        title="Terlambat",
        due_on=_today() - datetime.timedelta(days=2),
    )
    make_action(city=kupang, owner=_org(kupang, "dp3a"), title="Masih lama")
    make_action(
        city=kupang,
        owner=_org(kupang, "dp3a"),
        title="Sudah",
        status="selesai",
        due_on=_today() - datetime.timedelta(days=9),
    )
    login(client, pimpinan)
    body = client.get(reverse("meetings:action-list"), {"overdue": "on"}).content.decode()
    assert "Terlambat" in body and "Masih lama" not in body and "Sudah<" not in body
    response = client.get(reverse("meetings:action-export"), {"overdue": "on"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Judul"
    assert [r[0] for r in rows[1:]] == [late.title]
    assert rows[1][7] == "ya"


def test_a_bad_filter_value_is_ignored_not_a_500(client, pimpinan):
    login(client, pimpinan)
    response = client.get(reverse("meetings:action-list"), {"owner": "x", "status": "zzz"})
    assert response.status_code == 200


def test_my_actions_lists_only_my_organisation(client, stakeholder_officer, kupang):
    make_action(city=kupang, owner=stakeholder_officer.stakeholder, title="Punya Kesbangpol")
    make_action(city=kupang, owner=_org(kupang, "dp3a"), title="Punya DP3A")
    login(client, stakeholder_officer)
    body = client.get(reverse("meetings:action-mine")).content.decode()
    assert "Punya Kesbangpol" in body and "Punya DP3A" not in body


def test_an_officer_of_another_city_never_sees_an_action(client, other_city, kupang):
    action = make_action(city=kupang, owner=_org(kupang, "dp3a"))
    outsider = make_user(
        city=other_city,
        role=User.Role.PEMANGKU,
        stakeholder=Stakeholder.objects.get(city=other_city),
    )
    login(client, outsider)
    assert client.get(reverse("meetings:action-detail", args=[action.pk])).status_code == 404
    assert _progress(client, action).status_code == 404

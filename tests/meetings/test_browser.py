"""Done-when of issue 5, in a real browser: a rakor with attendance and decisions, actions for
two organisations, an officer reports progress and closes one with evidence, and the reminder
job sends the right emails exactly once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import FilePayload, expect

from kotan.models import Stakeholder, User
from meetings import tasks
from meetings.models import Action, Evidence, Meeting
from tests.factories import PASSWORD, make_user

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _login(page, base, username):
    page.goto(f"{base}/akun/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


@pytest.mark.browser
def test_a_rakor_is_followed_up_to_a_closed_action_and_reminders(
    browser, live_server, transactional_db, kupang, framework, operator, stakeholder_officer
):
    dp3a = Stakeholder.objects.get(city=kupang, code="dp3a")
    make_user(
        username="petugas-dp3a",
        city=kupang,
        role=User.Role.PEMANGKU,
        stakeholder=dp3a,
        email="dp3a@example.test",
    )
    today = timezone.localdate()
    base = live_server.url
    page = browser.new_page()
    try:
        # The operator records the rakor.
        _login(page, base, operator.username)
        page.goto(f"{base}/rapat/baru/")
        page.fill("#id_title", "Rakor KOTAN November")
        yesterday = today - datetime.timedelta(days=1)  # held: recording attendance marks it so
        page.fill("#id_starts_at", f"{yesterday:%Y-%m-%d}T09:00")
        page.fill("#id_venue", "Aula Balai Kota")
        page.get_by_label("Kesbangpol", exact=True).check()
        page.get_by_label("DP3A", exact=True).check()
        page.fill("#id_agenda", "Pembukaan\nEvaluasi tindak lanjut")
        page.get_by_role("button", name="Simpan").click()
        expect(page.get_by_test_id("meeting-status")).to_have_text("Direncanakan")

        page.get_by_test_id("edit-attendance").click()
        page.fill("#id_form-0-name", "Yohanes")
        page.check("#id_form-0-present")  # nobody is ticked present by default
        page.fill("#id_form-1-name", "Maria")
        page.get_by_role("button", name="Simpan daftar hadir").click()
        expect(page.get_by_test_id("attendance-list")).to_contain_text("Yohanes")
        expect(page.get_by_test_id("meeting-status")).to_have_text("Terlaksana")

        page.get_by_test_id("edit-minutes").click()
        page.fill("#id_minutes", "Wawali meminta tindak lanjut yang nyata.")
        page.fill("#id_decisions", "Terbitkan SK Tim Terpadu\nLatih kader keluarga")
        page.check("#id_finalise")
        page.get_by_role("button", name="Simpan").click()
        expect(page.get_by_test_id("meeting-status")).to_have_text("Notulen final")

        # One action per decision, for two organisations.
        for index, (owner, variable, days) in enumerate(
            (("Kesbangpol", "KL · Kelembagaan", 3), ("DP3A", "KK · Ketahanan Keluarga", 5))
        ):
            page.get_by_test_id("add-action").nth(index).click()
            page.select_option("#id_category", "pengorganisasian")
            page.select_option("#id_variable", label=variable)
            page.select_option("#id_owner", label=owner)
            page.fill("#id_due_on", f"{today + datetime.timedelta(days=days):%Y-%m-%d}")
            page.get_by_role("button", name="Simpan").click()
            expect(page.get_by_test_id("decisions")).to_contain_text(owner)
        meeting = Meeting.objects.get(title="Rakor KOTAN November")
        assert meeting.attendances.filter(present=False).count() == 1
        assert sorted(a.owner.code for a in meeting.actions.all()) == ["dp3a", "kesbangpol"]
        page.get_by_test_id("current-user").click()  # the user menu
        page.get_by_role("button", name="Keluar").click()

        # The Kesbangpol officer reports progress, then closes with evidence.
        _login(page, base, stakeholder_officer.username)
        page.goto(f"{base}/rapat/tindak-lanjut/instansi-saya/")
        expect(page.get_by_test_id("action-row")).to_have_count(1)
        page.get_by_role("link", name="Terbitkan SK Tim Terpadu").click()
        page.fill("#id_progress-percent", "60")
        page.fill("#id_progress-text", "Draf SK sudah di Bagian Hukum.")
        page.get_by_role("button", name="Kirim laporan").click()
        expect(page.get_by_test_id("action-status")).to_have_text("Berjalan")
        page.fill("#id_close-note", "SK Tim Terpadu terbit.")
        evidence: FilePayload = {
            "name": "sk-tim-terpadu.pdf",
            "mimeType": "application/pdf",
            "buffer": PDF,
        }
        page.set_input_files("#id_close-evidence", files=[evidence])
        page.get_by_role("button", name="Tutup tindak lanjut").click()
        expect(page.get_by_test_id("action-status")).to_have_text("Selesai")
        expect(page.get_by_test_id("evidence-link")).to_have_text("sk-tim-terpadu.pdf")
    finally:
        page.close()

    closed = Action.objects.get(owner__code="kesbangpol")
    assert closed.status == Action.Status.DONE
    assert Evidence.objects.get(update__action=closed).content_type == "application/pdf"

    # The daily job: only DP3A's open action is due within 7 days; twice sends it once.
    mail.outbox.clear()
    tasks.send_action_reminders()
    tasks.send_action_reminders()
    assert [m.to for m in mail.outbox] == [["dp3a@example.test"]]
    assert "Latih kader keluarga" in mail.outbox[0].body

"""A verifier's morning in a real browser: from the inbox to the queue, one unit returned
with a reason, ten approved at once; then the operator is told (bell and email) and
submits the returned unit again."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator, Submission
from kotan.models import AuditEntry, Region, User
from tests.conftest import browser_second_step
from tests.factories import (
    PASSWORD,
    make_approved_submission,
    make_open_period,
    make_totp_device,
    make_user,
    seed_framework_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set to a directory to keep screenshots of the pages at phone and laptop widths.
SHOTS = os.environ.get("KOTAN_SCREENSHOTS", "")
WIDTHS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 800}}


def _session(browser, live_server, user, width="1366"):
    context = browser.new_context(base_url=live_server.url, locale="id-ID", viewport=WIDTHS[width])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    browser_second_step(page, user.username)  # a Verifikator logs in in two steps
    page.wait_for_url(lambda url: "/akun/login" not in url)
    return page


def _shoot(page, name):
    if not SHOTS:
        return
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(WIDTHS["1366"])


def test_the_verifier_works_the_queue_and_the_operator_resubmits(
    browser, live_server, kupang, celery_eager
):
    seed_framework_for(kupang)
    Indicator.objects.exclude(code__in=["KK1", "KL1"]).update(active=False)
    kk1 = Indicator.objects.get(code="KK1")
    kk1.warn_max = 90
    kk1.save()
    period = make_open_period(city=kupang)
    operator = make_user(
        username="op", city=kupang, role=User.Role.OPERATOR, email="op@kupang.go.id"
    )
    verifier = make_user(username="verif", city=kupang, role=User.Role.VERIFIKATOR)
    make_totp_device(verifier)
    kelurahan = list(Region.objects.filter(city=kupang, level="kelurahan").order_by("code")[:11])
    units = []
    for i, region in enumerate(kelurahan):
        unit = make_approved_submission(
            period=period,
            region=region,
            values={"KK1": 95 if i == 0 else 40 + i},
            status="submitted",
            entered_by=operator,
        )
        # The first waited longest: it heads the queue.
        Submission.objects.filter(pk=unit.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(hours=20 - i)
        )
        units.append(unit)
    first = kelurahan[0]

    # The verifier starts from the inbox.
    page = _session(browser, live_server, verifier)
    inbox = page.get_by_test_id("inbox-review-waiting")
    assert inbox.get_by_test_id("count").inner_text() == "11"
    assert page.get_by_test_id("nav-task-count").inner_text().endswith("11")
    _shoot(page, "home-verifikator")
    inbox.get_by_role("link").click()
    page.wait_for_url("**/verifikasi/")
    assert page.get_by_test_id("queue-row").count() == 11
    _shoot(page, "queue-verifikator")

    # The oldest unit: its value is flagged (a warning, not a block) and it is returned.
    page.get_by_test_id("queue-row").first.get_by_role("link").click()
    assert first.name in page.locator("h1").inner_text()
    assert "di atas batas wajar 90" in page.get_by_test_id("value-warning").inner_text()
    assert page.get_by_test_id("queue-next").is_visible()
    _shoot(page, "review-verifikator")
    page.get_by_test_id("return").click()  # no reason yet
    assert "Alasan wajib diisi" in page.content()
    page.get_by_label("Alasan dikembalikan").fill("KK1 95% tidak sesuai laporan lurah")
    page.get_by_test_id("return").click()
    # On to the next unit of the queue.
    page.wait_for_url(f"**/verifikasi/{units[1].pk}/")
    assert page.get_by_test_id("queue-previous").count() == 0  # the returned one left it

    # Back to the queue: the ten others are approved at once, with one confirmation.
    page.get_by_role("link", name="Antrean verifikasi").click()
    rows = page.get_by_test_id("queue-row")
    assert rows.count() == 10
    for i in range(10):
        rows.nth(i).get_by_role("checkbox").check()
    page.get_by_test_id("bulk-approve").click()
    assert page.get_by_test_id("confirm-units").locator("li").count() == 10
    page.get_by_test_id("confirm-approve").click()
    assert "10 unit disetujui." in page.content()
    assert page.get_by_test_id("queue-row").count() == 0
    approvals = AuditEntry.objects.filter(action="submission.approved")
    assert sorted(int(a.object_pk) for a in approvals) == sorted(u.pk for u in units[1:])

    # The operator is told: the email, the bell, the inbox.
    returned_mail = [m for m in mail.outbox if "dikembalikan" in m.subject]
    assert len(returned_mail) == 1 and returned_mail[0].to == ["op@kupang.go.id"]
    assert "KK1 95% tidak sesuai laporan lurah" in returned_mail[0].body
    assert len([m for m in mail.outbox if "disetujui" in m.subject]) == 10
    op = _session(browser, live_server, operator, width="390")
    assert op.get_by_test_id("inbox-units-returned").get_by_test_id("count").inner_text() == "1"
    assert "KK1 95% tidak sesuai" in op.get_by_test_id("inbox-units-returned").inner_text()
    _shoot(op, "home-operator")
    op.get_by_test_id("bell").click()
    assert op.get_by_test_id("bell-count").inner_text() == "11"
    returned = op.get_by_test_id("notification").filter(has_text="dikembalikan")
    _shoot(op, "notifications-operator")
    returned.get_by_role("button", name="Buka").click()
    op.wait_for_url(f"**/kelurahan/{first.code}/")
    op.locator(f"#id_v{kk1.pk}").fill("60")
    op.get_by_role("button", name="Simpan dan ajukan").click()
    assert op.get_by_test_id("submission-status").inner_text().strip() == "Diajukan"
    assert op.get_by_test_id("bell-count").inner_text() == "10"  # the opened one is read
    first_unit = Submission.objects.get(pk=units[0].pk)
    assert first_unit.status == Submission.Status.SUBMITTED

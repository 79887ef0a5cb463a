"""WCAG 2.1 AA in a real browser: axe-core (vendored from npm under tests/vendor, injected
only here) finds no serious or critical violation on the pages each role reaches, on a phone
(390 px) and a laptop (1366 px). The data is the demo city's: scores, a rakor with its
actions, recommendations, an open period."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from indicators.models import Indicator
from meetings.models import Meeting
from reports.models import Brief
from tests.factories import PASSWORD, make_approved_submission, make_brief, make_open_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _pages(role, period, meeting, kesbangpol) -> list[str]:
    home = reverse("kotan:home")
    meetings = [
        reverse("meetings:index"),
        reverse("meetings:meeting-detail", args=[meeting.pk]),
    ]
    briefs = reverse("reports:brief-list")
    dashboard = reverse("reports:dashboard")
    city = reverse("indicators:entry-city", args=[period.pk])
    grid = reverse("indicators:kelurahan-grid", args=[period.pk])
    actions = reverse("meetings:action-list")
    completeness = reverse("indicators:completeness", args=[period.pk])
    return {
        "operator": [
            home,
            city,
            grid,
            dashboard,
            *meetings,
            reverse("meetings:meeting-attendance", args=[meeting.pk]),
            actions,
            briefs,
        ],
        "verifikator": [home, city, completeness, dashboard, *meetings, actions, briefs],
        "pimpinan": [home, dashboard, *meetings, actions, briefs],
        "pemangku": [
            home,
            reverse("indicators:entry-stakeholder", args=[period.pk, kesbangpol.pk]),
            *meetings,
            reverse("meetings:action-mine"),
            briefs,
        ],
    }[role]


@pytest.fixture
def demo_city(kupang, framework):
    call_command("seed_demo_scores", verbosity=0)
    call_command("seed_demo_meetings", verbosity=0)
    call_command("seed_demo_recommendations", verbosity=0)
    period = make_open_period(city=kupang, year=2027)
    # A submitted unit and a draft with an invalid-looking history keep the entry page full.
    make_approved_submission(period=period, values={"KW1": 40, "KL1": 1}, status="submitted")
    make_brief(period=period, status=Brief.Status.DONE)
    assert Indicator.objects.exists()
    return period


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("role", ["operator", "verifikator", "pimpinan", "pemangku"])
def test_no_serious_or_critical_violations(
    browser, live_server, demo_city, personas, kesbangpol, role, width
):
    user = personas.users[role]
    meeting = Meeting.objects.filter(city=demo_city.city).first()
    context = browser.new_context(
        base_url=live_server.url,
        locale="id-ID",
        viewport={"width": width, "height": 900},
        bypass_csp=True,  # the page's CSP forbids the injected script, rightly
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(reverse("login"))
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Masuk", exact=True).click()
        page.wait_for_url(lambda url: "/akun/login" not in url)
        found = {}
        for path in _pages(role, demo_city, meeting, kesbangpol):
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                """async (tags) => {
                  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                  return result.violations
                    .filter((v) => v.impact === "serious" || v.impact === "critical")
                    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
                }""",
                TAGS,
            )
            if violations:
                found[path] = violations
            # Every page reads at this width: nothing but scroll regions is wider.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
        assert found == {}
    finally:
        context.close()
        connections.close_all()


def test_the_audit_would_catch_the_old_navbar_contrast(page, live_server, operator):
    """The harness itself: the navbar colours of issue 11 (#92befe on #0d6efd, 2.36:1) are
    reported, so a green audit means something."""
    context = page.context.browser.new_context(base_url=live_server.url, bypass_csp=True)
    probe = context.new_page()
    try:
        probe.goto(reverse("login"))
        probe.evaluate(
            """() => {
              const p = document.createElement("p");
              p.textContent = "Rapat & tindak lanjut";
              p.className = "probe";
              p.style.color = "#92befe";
              p.style.background = "#0d6efd";
              document.body.append(p);
            }"""
        )
        probe.add_script_tag(path=str(AXE))
        ids = probe.evaluate(
            """async () => (await axe.run(".probe")).violations.map((v) => v.id)"""
        )
        assert "color-contrast" in ids
    finally:
        context.close()

"""The score, action and minutes sections of the briefs, from real snapshots (computed by
the scoring service), real actions and meetings, rendered by WeasyPrint and read back."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader

from indicators.models import MethodologyEdition, ScoreSnapshot
from indicators.scoring.recompute import scores_recompute
from kotan.models import Region, Stakeholder
from meetings.models import Action, Attendance, Meeting
from reports.briefs import brief_content
from reports.briefs.common import variable_standings
from reports.models import Brief
from reports.services.pdf import render_pdf_document
from tests.factories import (
    make_action,
    make_approved_submission,
    make_decision,
    make_meeting,
    make_period,
    make_recommendation,
    make_variable,
)

CITY_VALUES = {"KK2": 3, "KM4": 2.5, "KW1": 40, "KL1": 1, "HK1": 0, "HK2": 1}


def _edition() -> MethodologyEdition:
    return MethodologyEdition.objects.get(is_default=True)


def _render(content) -> tuple[str, int]:
    rendered = render_pdf_document(render_to_string(content.template, content.context))
    reader = PdfReader(io.BytesIO(rendered.data))
    assert rendered.pages == len(reader.pages)
    return "\n".join(p.extract_text() for p in reader.pages), rendered.pages


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _number(value) -> str:
    return f"{value:.2f}".replace(".", ",")


@pytest.fixture
def scored(kupang, period):
    make_approved_submission(period=period, values=CITY_VALUES)
    for kelurahan in Region.objects.filter(city=kupang, level="kelurahan").order_by("code")[:3]:
        make_approved_submission(period=period, region=kelurahan, values={"KK1": 60, "KM1": 4})
    scores_recompute(period_ids=[period.pk])
    return ScoreSnapshot.objects.get(period=period, edition=_edition())


def _org(kupang, code: str) -> Stakeholder:
    return Stakeholder.objects.get(city=kupang, code=code)


def _actions(kupang):
    today = timezone.localdate()
    kesbangpol, dinkes = _org(kupang, "kesbangpol"), _org(kupang, "dinkes")
    make_action(
        city=kupang,
        owner=kesbangpol,
        title="Menyusun rancangan Perda fasilitasi P4GN",
        variable=make_variable("HK"),
        due_on=today - datetime.timedelta(days=10),
        status=Action.Status.IN_PROGRESS,
        progress=40,
    )
    make_action(city=kupang, owner=kesbangpol, title="Menerbitkan SK Tim Terpadu",
                status=Action.Status.DONE, progress=100)  # fmt: skip
    make_action(city=kupang, owner=dinkes, title="Tes urine ASN", due_on=today)


def test_the_city_brief_shows_the_computed_ikotan_actions_and_organisations(kupang, period, scored):
    _actions(kupang)
    content = brief_content(kind=Brief.Kind.CITY_SUMMARY, period=period, edition=_edition())
    text, pages = _render(content)
    flat = _flat(text)
    assert scored.scaled is not None
    assert f"IKOTAN {_number(scored.scaled)} · {scored.band_name}" in flat
    assert "Lima variabel" in flat and "Hukum" in flat
    assert "Indikator terlemah" in flat
    assert "Kecamatan dan kelurahan" in flat
    assert "Tindak lanjut per instansi" in flat
    assert "Badan Kesatuan Bangsa dan Politik Kota Kupang" in flat
    assert "Dinas Kesehatan Kota Kupang" in flat
    assert "Tindak lanjut terlambat" in flat
    assert "Menyusun rancangan Perda fasilitasi P4GN" in flat
    assert "Tes urine ASN" not in flat.split("Tindak lanjut terlambat")[1].split("Rekomendasi")[0]
    assert scored.fingerprint[:16] in flat  # the method note names the scores' data
    gap = scored.detail["category"]["gap"]
    if gap is not None:  # a localised number, never the snapshot's raw string
        assert f"Kurang {_number(Decimal(gap))} poin menuju" in flat
    assert 3 <= pages <= 12
    assert f"Halaman {pages} dari {pages}" in text
    by_org = {r["name"]: r for r in content.context["actions"]["by_stakeholder"]}
    kesbangpol = by_org["Badan Kesatuan Bangsa dan Politik Kota Kupang"]
    assert (kesbangpol["done"], kesbangpol["in_progress"], kesbangpol["overdue"]) == (1, 0, 1)
    assert by_org["Dinas Kesehatan Kota Kupang"]["in_progress"] == 1


def test_the_change_from_the_previous_period_is_in_the_key_message(kupang, period, scored):
    earlier = make_period(city=kupang, year=2025, status="closed")
    make_approved_submission(period=earlier, values={**CITY_VALUES, "HK2": 0})
    scores_recompute(period_ids=[earlier.pk])
    previous = ScoreSnapshot.objects.get(period=earlier, edition=_edition())
    content = brief_content(kind=Brief.Kind.CITY_SUMMARY, period=period, edition=_edition())
    key = content.context["scores"]["key"]
    assert key["change"] == scored.scaled - previous.scaled
    assert "trend" in content.context["scores"]["charts"]
    assert "Perubahan dari 2025 (" in _flat(_render(content)[0])


def test_recommendations_follow_the_current_bands_weakest_variable_first(kupang, period, scored):
    edition = _edition()
    standings = variable_standings(period=period, edition=edition)
    assert standings is not None and len(standings) == 5
    hk = next(v for v in scored.detail["variables"] if v["code"] == "HK")
    band = edition.bands.get(order=hk["category"]["band_order"])
    other = edition.bands.exclude(pk=band.pk).first()
    make_recommendation(city=kupang, variable_code="HK", title="Cocok", bands=[band])
    make_recommendation(city=kupang, variable_code="HK", title="Tidak cocok", bands=[other])
    content = brief_content(kind=Brief.Kind.CITY_SUMMARY, period=period, edition=edition)
    section = content.context["recommendations"]
    assert section["filtered"] is True
    assert [r["title"] for r in section["items"]] == ["Cocok"]


def test_the_stakeholder_brief_shows_its_actions_and_the_scores_it_influences(
    kupang, period, scored
):
    _actions(kupang)
    content = brief_content(
        kind=Brief.Kind.STAKEHOLDER,
        period=period,
        edition=_edition(),
        stakeholder_obj=_org(kupang, "kesbangpol"),
    )
    text, pages = _render(content)
    flat = _flat(text)
    assert "Skor variabel yang Anda pengaruhi" in flat
    assert "Kelembagaan" in flat
    assert "Tindak lanjut instansi" in flat
    assert "Menyusun rancangan Perda fasilitasi P4GN" in flat
    assert "Menerbitkan SK Tim Terpadu" in flat
    assert "terlambat" in flat
    assert "Tes urine ASN" not in flat  # Dinkes's action
    assert "Selesai 1, berjalan 0, terlambat 1." in flat
    assert pages >= 3


@pytest.fixture
def rakor(kupang, period):
    kesbangpol, dinkes = _org(kupang, "kesbangpol"), _org(kupang, "dinkes")
    meeting = make_meeting(
        city=kupang,
        title="Rakor KOTAN triwulan IV",
        status=Meeting.Status.HELD,
        chair="dr. Hermanus Man",
        minutes="Wakil Wali Kota meminta gagasan agar kota menjadi sangat tanggap.",
        invited=[kesbangpol, dinkes],
    )
    Attendance.objects.create(meeting=meeting, stakeholder=kesbangpol, name="Yohanes Lado",
                              position="Kepala Badan")  # fmt: skip
    Attendance.objects.create(meeting=meeting, stakeholder=dinkes, name="Maria Bani",
                              present=False)  # fmt: skip
    decision = make_decision(meeting=meeting, text="Perda fasilitasi P4GN disusun tahun ini")
    make_action(city=kupang, owner=kesbangpol, meeting=meeting, decision=decision,
                title="Naskah akademik Perda P4GN")  # fmt: skip
    return meeting


def test_the_minutes_pdf_shows_attendance_decisions_and_their_actions(kupang, period, rakor):
    content = brief_content(
        kind=Brief.Kind.MINUTES, period=period, edition=_edition(), meeting_id=rakor.pk
    )
    text, pages = _render(content)
    flat = _flat(text)
    assert "Rakor KOTAN triwulan IV" in flat
    assert "dr. Hermanus Man" in flat
    assert "Yohanes Lado" in flat and "Kepala Badan" in flat
    assert "Maria Bani" in flat and "Tidak hadir" in flat
    assert "1. Perda fasilitasi P4GN disusun tahun ini" in flat
    assert "Naskah akademik Perda P4GN" in flat
    assert "sangat tanggap" in flat
    assert pages >= 2 and f"Halaman {pages} dari {pages}" in text


def test_the_fingerprint_changes_with_actions_meetings_and_scores(kupang, period, scored, rakor):
    edition = _edition()

    def city() -> str:
        return brief_content(
            kind=Brief.Kind.CITY_SUMMARY, period=period, edition=edition
        ).fingerprint

    def minutes() -> str:
        return brief_content(
            kind=Brief.Kind.MINUTES, period=period, edition=edition, meeting_id=rakor.pk
        ).fingerprint

    first_city, first_minutes = city(), minutes()
    assert (city(), minutes()) == (first_city, first_minutes)  # nothing changed
    action = Action.objects.get(meeting=rakor)
    Action.objects.filter(pk=action.pk).update(progress=50, updated_at=timezone.now())
    second_city = city()
    assert second_city != first_city
    assert minutes() != first_minutes
    Meeting.objects.filter(pk=rakor.pk).update(minutes="Diubah.", updated_at=timezone.now())
    assert minutes() not in (first_minutes,)
    make_approved_submission(
        period=period,
        region=Region.objects.filter(city=kupang, level="kelurahan").order_by("-code")[0],
        values={"KK1": 10},
    )
    scores_recompute(period_ids=[period.pk])
    assert city() != second_city


def _grow(kupang, period, n: int, start: int) -> None:
    owners = list(Stakeholder.objects.filter(city=kupang).order_by("code")[:n])
    meeting = make_meeting(city=kupang, status=Meeting.Status.HELD)
    for i, owner in enumerate(owners):
        make_action(city=kupang, owner=owner, meeting=meeting,
                    due_on=timezone.localdate() - datetime.timedelta(days=i - 2))  # fmt: skip
    kelurahan_all = Region.objects.filter(city=kupang, level="kelurahan").order_by("-code")
    for kelurahan in kelurahan_all[start : start + n * 2]:
        make_approved_submission(period=period, region=kelurahan, values={"KM1": 3})
    scores_recompute(period_ids=[period.pk])


@pytest.mark.parametrize("kind", [Brief.Kind.CITY_SUMMARY, Brief.Kind.STAKEHOLDER])
def test_builders_run_a_fixed_number_of_queries(
    kupang, period, scored, django_assert_num_queries, kind
):
    kesbangpol = _org(kupang, "kesbangpol")
    edition = _edition()

    def build():
        return brief_content(kind=kind, period=period, edition=edition, stakeholder_obj=kesbangpol)

    _grow(kupang, period, 2, 0)
    build()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        build()
    _grow(kupang, period, 8, 4)
    with django_assert_num_queries(len(small.captured_queries)):
        build()


def test_the_minutes_builder_runs_a_fixed_number_of_queries(
    kupang, period, rakor, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    edition = _edition()
    with CaptureQueriesContext(connection) as small:
        brief_content(kind=Brief.Kind.MINUTES, period=period, edition=edition, meeting_id=rakor.pk)
    for stakeholder in Stakeholder.objects.filter(city=kupang)[:10]:
        Attendance.objects.create(meeting=rakor, stakeholder=stakeholder, name=stakeholder.name)
        decision = make_decision(meeting=rakor, order=stakeholder.pk + 10)
        make_action(city=kupang, owner=stakeholder, meeting=rakor, decision=decision)
    with django_assert_num_queries(len(small.captured_queries)):
        brief_content(kind=Brief.Kind.MINUTES, period=period, edition=edition, meeting_id=rakor.pk)


def test_a_minutes_brief_of_a_meeting_of_another_city_is_unavailable(period, other_city):
    from reports.briefs import BriefContentUnavailable

    meeting = make_meeting(city=other_city, status=Meeting.Status.HELD)
    with pytest.raises(BriefContentUnavailable):
        brief_content(
            kind=Brief.Kind.MINUTES, period=period, edition=_edition(), meeting_id=meeting.pk
        )

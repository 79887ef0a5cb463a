"""Demo data: the rakor KOTAN of 18 November 2021 in Kota Kupang (DOMAIN.md §6)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction

from indicators.models import Indicator, Variable
from kotan.models import Region, Stakeholder
from meetings.models import Meeting
from meetings.services.actions import ActionDetails, action_create
from meetings.services.meetings import (
    AttendanceRow,
    MeetingDetails,
    meeting_attendance_save,
    meeting_create,
    meeting_minutes_save,
)

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
RAKOR_START = datetime.datetime(2021, 11, 18, 9, 0, tzinfo=WITA)
INVITED = ["pemkot", "bnnk", "polres", "kejari", "kesbangpol", "tapem", "dikbud", "dinkes", "dp3a"]
MINUTES = (
    "Rakor KOTAN dibuka oleh Wakil Wali Kota Kupang, dr. Hermanus Man, yang meminta gagasan "
    "para pemangku kepentingan agar Kota Kupang menjadi kota yang sangat tanggap ancaman "
    "narkoba, dan menekankan bahwa yang terpenting adalah tindak lanjutnya.\n"
    "Kepala BNN Kota Kupang menyampaikan tujuan rakor: konsistensi antara rencana kegiatan "
    "KOTAN dan pelaksanaannya, kegiatan yang lebih banyak dan lebih baik, serta pemahaman "
    "pemangku kepentingan atas lima variabel KOTAN.\n"
    "(Data demo: nama peserta selain pimpinan rapat adalah contoh.)"
)
DECISIONS = [
    "Pengorganisasian: memperkuat koordinasi dan sinergi antar-pemangku kepentingan melalui "
    "Tim Terpadu P4GN.",
    "Kompetensi SDM: meningkatkan kompetensi penggiat dan relawan anti narkoba.",
    "Tata laksana: menyiapkan regulasi daerah, dimulai dengan rancangan Perda fasilitasi P4GN.",
]
# (decision index, title, category, variable, indicator, owner code, due date)
ACTIONS = [
    (
        0,
        "Menerbitkan SK Tim Terpadu P4GN tingkat kota",
        "pengorganisasian",
        "KL",
        "KL1",
        "kesbangpol",
        datetime.date(2022, 3, 31),
    ),
    (
        0,
        "Membentuk Tim Terpadu P4GN di kelurahan",
        "pengorganisasian",
        "KL",
        "KL2",
        "tapem",
        datetime.date(2022, 6, 30),
    ),
    (
        1,
        "Melatih penggiat anti narkoba di instansi pemerintah",
        "kompetensi_sdm",
        "KM",
        "KM1",
        "bnnk",
        datetime.date(2022, 6, 30),
    ),
    (
        2,
        "Menyusun naskah akademik rancangan Perda fasilitasi P4GN",
        "tata_laksana",
        "HK",
        "HK1",
        "kesbangpol",
        datetime.date(2022, 12, 31),
    ),
]


@transaction.atomic
def demo_meetings_seed(*, city: Region) -> bool:
    """Record the 18 Nov 2021 rakor with attendance, final minutes, decisions and actions.
    False (and nothing changed) when it is already there."""
    if Meeting.objects.filter(city=city, kind=Meeting.Kind.RAKOR, starts_at=RAKOR_START).exists():
        return False
    orgs = {s.code: s for s in Stakeholder.objects.filter(city=city, code__in=INVITED)}
    meeting = meeting_create(
        actor=None,
        city=city,
        details=MeetingDetails(
            kind=Meeting.Kind.RAKOR,
            title="Rapat Koordinasi KOTAN Kota Kupang 2021",
            starts_at=RAKOR_START,
            ends_at=RAKOR_START + datetime.timedelta(hours=3),
            venue="Kota Kupang",
            organiser=orgs.get("bnnk"),
            chair="dr. Hermanus Man, Wakil Wali Kota Kupang",
            invited=list(orgs.values()),
            agenda=[
                "Pembukaan dan arahan Wakil Wali Kota Kupang",
                "Paparan Kepala BNN Kota Kupang: tujuan rakor dan lima variabel KOTAN",
                "Gagasan pemangku kepentingan menuju kota sangat tanggap",
                "Rumusan tindak lanjut",
            ],
        ),
    )
    rows = [
        AttendanceRow(
            stakeholder=org,
            name="dr. Hermanus Man" if code == "pemkot" else f"Perwakilan {org.short_name}",
            position="Wakil Wali Kota" if code == "pemkot" else "",
            present=True,
        )
        for code, org in orgs.items()
    ]
    meeting = meeting_attendance_save(
        actor=None, meeting=meeting, expected_version=meeting.version, rows=rows
    )
    meeting = meeting_minutes_save(
        actor=None,
        meeting=meeting,
        expected_version=meeting.version,
        minutes=MINUTES,
        decisions=DECISIONS,
        finalise=True,
    )
    decisions = list(meeting.decisions.order_by("order"))
    for index, title, category, variable, indicator, owner, due in ACTIONS:
        if owner not in orgs:
            continue
        action_create(
            actor=None,
            city=city,
            decision=decisions[index],
            details=ActionDetails(
                title=title,
                category=category,
                variable=Variable.objects.get(code=variable),
                indicator=Indicator.objects.filter(code=indicator).first(),
                owner=orgs[owner],
                due_on=due,
            ),
        )
    return True

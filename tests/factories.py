"""Plain factory functions: `make_<thing>(**overrides)` returns a saved object."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from kotan.models import Region, Stakeholder, User
from kotan.services import DATA_DIR, regions_load_csv, stakeholders_load_csv

if TYPE_CHECKING:
    from indicators.models import AssessmentPeriod, Submission

_sequence = itertools.count(1)
PASSWORD = "kata-sandi-uji-123"


def load_kupang() -> Region:
    regions_load_csv(path=DATA_DIR / "wilayah_kota_kupang.csv")
    city = Region.objects.get(code="53.71")
    stakeholders_load_csv(path=DATA_DIR / "pemangku_kepentingan_kota_kupang.csv", city=city)
    return city


def make_region(**overrides: Any) -> Region:
    n = next(_sequence)
    fields: dict[str, Any] = {
        "code": f"99.{n:02d}",
        "name": f"Wilayah {n}",
        "level": Region.Level.PROVINSI,
    }
    fields.update(overrides)
    return Region.objects.create(**fields)


def make_city(*, name: str = "Kota Kediri", code: str = "35.71") -> Region:
    """A second kab/kota with one kecamatan, one kelurahan and one stakeholder."""
    province = Region.objects.get_or_create(
        code=code.split(".")[0], defaults={"name": "Provinsi Uji", "level": Region.Level.PROVINSI}
    )[0]
    city = Region.objects.create(code=code, name=name, level=Region.Level.KOTA, parent=province)
    city.city = city
    city.save(update_fields=["city"])
    kecamatan = make_region(
        code=f"{code}.01",
        name=f"Kecamatan {name}",
        level=Region.Level.KECAMATAN,
        parent=city,
        city=city,
    )
    make_region(
        code=f"{code}.01.1001",
        name=f"Kelurahan {name}",
        level=Region.Level.KELURAHAN,
        parent=kecamatan,
        city=city,
    )
    make_stakeholder(city=city, code="bnnk", name=f"BNN {name}", short_name="BNN Kota")
    return city


def make_stakeholder(**overrides: Any) -> Stakeholder:
    n = next(_sequence)
    fields: dict[str, Any] = {
        "code": f"org{n}",
        "name": f"Organisasi {n}",
        "short_name": f"Org {n}",
        "kind": Stakeholder.Kind.PERANGKAT_DAERAH,
    }
    fields.update(overrides)
    return Stakeholder.objects.create(**fields)


def make_user(**overrides: Any) -> User:
    n = next(_sequence)
    fields: dict[str, Any] = {
        "username": f"user{n}",
        "email": f"user{n}@example.test",
        "first_name": f"Pengguna{n}",
        "role": User.Role.OPERATOR,
    }
    password = overrides.pop("password", PASSWORD)
    fields.update(overrides)
    user = User(**fields)
    user.set_password(password)
    user.save()
    return user


def seed_framework() -> None:
    from indicators.services.framework import framework_seed

    framework_seed()


# --- meetings ---------------------------------------------------------------------------


def make_variable(code: str = "KL") -> Any:
    from indicators.models import Variable

    names = {"KK": 1, "KM": 2, "KW": 3, "KL": 4, "HK": 5}
    return Variable.objects.get_or_create(
        code=code, defaults={"name": f"Variabel {code}", "order": names.get(code, 9)}
    )[0]


def make_meeting(**overrides: Any) -> Any:
    import datetime

    from django.utils import timezone

    from meetings.models import Meeting

    n = next(_sequence)
    fields: dict[str, Any] = {
        "kind": Meeting.Kind.RAKOR,
        "title": f"Rakor {n}",
        "starts_at": timezone.now() - datetime.timedelta(days=1),
        "venue": "Aula",
    }
    invited = overrides.pop("invited", [])
    fields.update(overrides)
    meeting = Meeting.objects.create(**fields)
    meeting.invited.set(invited)
    return meeting


def make_decision(**overrides: Any) -> Any:
    from meetings.models import Decision

    fields: dict[str, Any] = {"order": 1, "text": f"Keputusan {next(_sequence)}"}
    fields.update(overrides)
    if "meeting" not in fields:
        raise TypeError("make_decision needs meeting=")
    return Decision.objects.create(**fields)


def make_action(**overrides: Any) -> Any:
    import datetime

    from django.utils import timezone

    from meetings.models import Action

    n = next(_sequence)
    fields: dict[str, Any] = {
        "title": f"Tindak lanjut {n}",
        "category": Action.Category.PENGORGANISASIAN,
        "due_on": timezone.localdate() + datetime.timedelta(days=30),
        "source": Action.Source.PLAN,
        "plan_year": timezone.localdate().year,
    }
    fields.update(overrides)
    if "variable" not in fields:
        fields["variable"] = make_variable()
    if fields.get("meeting") is not None:
        fields["source"] = Action.Source.DECISION
        fields["plan_year"] = None
    return Action.objects.create(**fields)


def make_evidence(
    action: Any, *, content: bytes = b"%PDF-1.4\n%bukti\n", name: str = "bukti.pdf"
) -> Any:
    from django.core.files.base import ContentFile

    from meetings.models import Evidence, ProgressUpdate

    update = ProgressUpdate.objects.create(action=action, percent=50, text="Laporan")
    evidence = Evidence(
        update=update, original_name=name, content_type="application/pdf", size=len(content)
    )
    evidence.file.save(name, ContentFile(content), save=False)
    evidence.save()
    return evidence


# --- indicators: data entry --------------------------------------------------------------


def seed_framework_for(city: Region) -> None:
    """The editions, the catalogue and the city's responsible organisations."""
    from indicators.services.framework import framework_seed, responsibilities_assign

    framework_seed()
    responsibilities_assign(city=city)


def make_open_period(*, city: Region, year: int = 2026, **overrides: Any):
    """A period whose entry window runs today (officers may enter)."""
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    fields: dict[str, Any] = {
        "opens_on": today - datetime.timedelta(days=10),
        "closes_on": today + datetime.timedelta(days=20),
    }
    fields.update(overrides)
    return make_period(city=city, year=year, **fields)


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def make_value(*, submission, code: str, value: Any = None, evidence: bytes | None = None):
    """A stored value (with a PDF as evidence when `evidence` is given), written directly."""
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from indicators.models import Indicator, IndicatorValue

    indicator = Indicator.objects.get(code=code)
    stored = IndicatorValue(
        submission=submission,
        indicator=indicator,
        value=None if value is None else Decimal(str(value)),
    )
    if evidence is not None:
        stored.evidence.save(f"{code}.pdf", ContentFile(evidence), save=False)
    stored.save()
    return stored


# --- indicators: spreadsheet import ------------------------------------------------------


def make_import_batch(*, period, created_by: User, **overrides: Any):
    """An import batch whose file is only named, not written: for views that never read it."""
    from indicators.models import ImportBatch

    fields: dict[str, Any] = {
        "period": period,
        "created_by": created_by,
        "file": "imports/uji.csv",
        "original_name": "uji.csv",
        "file_format": ImportBatch.Format.CSV,
        "status": ImportBatch.Status.READY,
        "counts": {"rows": 1, "new": 1, "changed": 0, "unchanged": 0, "errors": 0},
        "rows": [{"sheet": "CSV", "row": 2, "unit": "53.71", "name": "Kota Kupang", "new": 1}],
    }
    fields.update(overrides)
    return ImportBatch.objects.create(**fields)


# --- scores ---------------------------------------------------------------------------------


# --- Scores (issue 4) ------------------------------------------------------------------


def make_period(*, city: Region, year: int = 2025, **overrides: Any) -> AssessmentPeriod:
    from datetime import date

    from indicators.models import AssessmentPeriod

    fields: dict[str, Any] = {
        "city": city,
        "year": year,
        "opens_on": date(year, 10, 1),
        "closes_on": date(year, 11, 30),
    }
    fields.update(overrides)
    return AssessmentPeriod.objects.create(**fields)


def make_approved_submission(
    *,
    period: AssessmentPeriod,
    values: dict[str, Any],
    region: Region | None = None,
    stakeholder: Stakeholder | None = None,
    entered_by: User | None = None,
    approved_by: User | None = None,
    status: str = "approved",
) -> Submission:
    """A submission of one unit (the period's city unless `region`/`stakeholder` is given)
    holding `values` ({indicator code: value}), approved unless `status` says otherwise."""
    from decimal import Decimal

    from django.utils import timezone

    from indicators.models import Indicator, IndicatorValue, Submission

    if stakeholder is not None:
        level = "stakeholder"
    elif region is not None and region.level == Region.Level.KELURAHAN:
        level = "kelurahan"
    else:
        level = "kota"
        region = region or period.city
    now = timezone.now()
    submission = Submission.objects.create(
        period=period,
        level=level,
        region=region,
        stakeholder=stakeholder,
        status=status,
        submitted_at=now,
        submitted_by=entered_by,
        approved_at=now if status == "approved" else None,
        approved_by=approved_by if status == "approved" else None,
    )
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=values)}
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            submission=submission,
            indicator=indicators[code],
            value=None if value is None else Decimal(str(value)),
            entered_by=entered_by,
        )
        for code, value in values.items()
    )
    return submission


# --- reports: briefs and recommendations ------------------------------------------------


# --- reports: briefs and recommendations (issue 6) ------------------------------------------


def make_recommendation(*, city: Region, variable_code: str = "HK", **overrides: Any):
    """A recommendation for the lowest band of the default edition, addressed to `addressees`
    (default: the city's Kesbangpol)."""
    from indicators.models import CategoryBand, MethodologyEdition, Variable
    from reports.models import Recommendation

    bands = overrides.pop("bands", None)
    addressees = overrides.pop("addressees", None)
    fields: dict[str, Any] = {
        "city": city,
        "variable": Variable.objects.get(code=variable_code),
        "title": f"Rekomendasi {next(_sequence)}",
    }
    fields.update(overrides)
    recommendation = Recommendation.objects.create(**fields)
    if bands is None:
        edition = MethodologyEdition.objects.default()
        bands = list(CategoryBand.objects.filter(edition=edition, order=1))
    recommendation.bands.set(bands)
    if addressees is None:
        addressees = list(Stakeholder.objects.filter(city=city, code="kesbangpol"))
    recommendation.addressees.set(addressees)
    return recommendation


def make_brief(*, period, **overrides: Any):
    """A brief record; `status="done"` also stores a small placeholder file (for access and
    download tests; tests of the real PDF render it through the services)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from indicators.models import MethodologyEdition
    from reports.models import Brief

    content = overrides.pop("content", b"%PDF-1.7\n% placeholder\n")
    fields: dict[str, Any] = {
        "city": period.city,
        "period": period,
        "kind": Brief.Kind.CITY_SUMMARY,
        "edition": MethodologyEdition.objects.default(),
        "requested_at": timezone.now(),
    }
    fields.update(overrides)
    brief = Brief(**fields)
    if brief.status == Brief.Status.RENDERING and brief.started_at is None:
        # Claimed just now by a live worker (see reports.services.briefs._claim).
        brief.started_at = brief.heartbeat_at = timezone.now()
    if brief.status == Brief.Status.DONE:
        brief.sha256 = hashlib.sha256(content).hexdigest()
        brief.size = len(content)
        brief.pages = 1
        brief.finished_at = timezone.now()
        brief.file.save(f"test-{next(_sequence)}.pdf", ContentFile(content), save=False)
    brief.save()
    return brief


def make_values(
    *, period, level: str, values: dict[str, Any], region=None, stakeholder=None, status="approved"
):
    """A submission in `status` holding values (indicator code → value) for one unit, written
    directly (the workflow rules are tested in tests/indicators)."""
    from decimal import Decimal

    from indicators.models import Indicator, IndicatorValue, Submission

    submission = Submission.objects.create(
        period=period, level=level, region=region, stakeholder=stakeholder, status=status
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            submission=submission,
            indicator=Indicator.objects.get(code=code),
            value=Decimal(str(value)),
        )
        for code, value in values.items()
    )
    return submission

"""Permission matrix rows of the indicators app (see tests/test_permission_matrix.py)."""

from indicators.models import Indicator, MethodologyEdition, Variable
from indicators.services.values import submission_get_or_create
from kotan.models import Stakeholder
from tests.factories import make_open_period, make_value, seed_framework_for
from tests.matrix import Row, everyone, statuses


def _period(personas):
    from indicators.models import AssessmentPeriod

    existing = AssessmentPeriod.objects.filter(city=personas.city, year=2026).first()
    if existing:
        return existing
    seed_framework_for(personas.city)
    return make_open_period(city=personas.city)


def _period_kwargs(personas):
    return {"pk": _period(personas).pk}


def _kelurahan_kwargs(personas):
    return {"pk": _period(personas).pk, "code": "53.71.01.1001"}


def _kesbangpol(personas):
    return Stakeholder.objects.get(city=personas.city, code="kesbangpol")


def _stakeholder_kwargs(personas):
    return {"pk": _period(personas).pk, "stakeholder": _kesbangpol(personas).pk}


def _city_submission(personas):
    period = _period(personas)
    return submission_get_or_create(period=period, level="kota", region=personas.city)


def _submission_kwargs(personas):
    return {"pk": _city_submission(personas).pk}


def _evidence_kwargs(personas):
    # KL4 is asked of every organisation, Bappeda and Dinkes included: only Kesbangpol's
    # officer (and the city's staff) may download Kesbangpol's own evidence for it.
    submission = submission_get_or_create(
        period=_period(personas), level="stakeholder", stakeholder=_kesbangpol(personas)
    )
    value = make_value(submission=submission, code="KL4", value=1, evidence=b"%PDF-1.4\n%%EOF")
    return {"pk": value.pk}


def _edition_kwargs(personas):
    _period(personas)
    return {"pk": MethodologyEdition.objects.get(is_default=True).pk}


def _variable_kwargs(personas):
    _period(personas)
    return {"pk": Variable.objects.get(code="KK").pk}


def _indicator_kwargs(personas):
    _period(personas)
    return {"pk": Indicator.objects.get(code="KW1").pk}


# The national methodology: Admin Pusat alone; a city's Admin reads it (403 on edits).
PUSAT_ONLY = statuses(admin_pusat=200, other_city=403)
PUSAT_POST = statuses(admin_pusat=302, other_city=403)
REVIEW_POST = statuses(admin=302, verifikator=302, other_city=403)

ROWS = [
    Row("indicators:index", everyone()),
    Row(
        "indicators:framework",
        everyone(admin_pusat=200),
        kwargs=lambda p: (_period(p), {})[1],
    ),
    Row("indicators:edition-create", PUSAT_ONLY),
    Row("indicators:edition-edit", PUSAT_ONLY, kwargs=_edition_kwargs),
    Row("indicators:variable-edit", PUSAT_ONLY, kwargs=_variable_kwargs),
    Row("indicators:indicator-create", PUSAT_ONLY),
    Row("indicators:indicator-edit", PUSAT_ONLY, kwargs=_indicator_kwargs),
    Row("indicators:indicator-retire", PUSAT_POST, kwargs=_indicator_kwargs, method="post"),
    Row("indicators:indicator-delete", PUSAT_POST, kwargs=_indicator_kwargs, method="post"),
    # A city's Admin assigns the catalogue's indicators to the city's organisations.
    Row(
        "indicators:indicator-assign",
        statuses(admin=200, other_city=403),
        kwargs=_indicator_kwargs,
    ),
    Row("indicators:period-create", statuses(admin=200, operator=200, other_city=200)),
    Row("indicators:period-detail", everyone(other_city=404), kwargs=_period_kwargs),
    Row(
        "indicators:period-edit",
        statuses(admin=200, operator=200, other_city=404),
        kwargs=_period_kwargs,
    ),
    Row(
        "indicators:period-status",
        statuses(admin=302, operator=302, verifikator=302, other_city=404),
        kwargs=_period_kwargs,
        method="post",
        data=lambda p: {"status": "closed"},
    ),
    Row(
        "indicators:entry-city",
        statuses(admin=200, operator=200, verifikator=200, pemangku=200, other_city=404),
        kwargs=_period_kwargs,
    ),
    Row(
        "indicators:entry-kelurahan",
        # Kesbangpol has no kelurahan-level indicator: its officer has nothing to open there.
        statuses(admin=200, operator=200, verifikator=200, other_city=404),
        kwargs=_kelurahan_kwargs,
    ),
    Row(
        "indicators:entry-stakeholder",
        # Kesbangpol's own unit: another organisation's officer may not open it.
        statuses(
            admin=200, operator=200, verifikator=200, pemangku=200, other_city=404, other_orgs=403
        ),
        kwargs=_stakeholder_kwargs,
    ),
    Row(
        "indicators:kelurahan-grid",
        statuses(admin=200, operator=200, other_city=404),
        kwargs=_period_kwargs,
    ),
    Row(
        "indicators:completeness",
        statuses(admin=200, operator=200, verifikator=200, pimpinan=200, other_city=404),
        kwargs=_period_kwargs,
    ),
    Row("indicators:submission-approve", REVIEW_POST, kwargs=_submission_kwargs, method="post"),
    Row(
        "indicators:submission-return",
        REVIEW_POST,
        kwargs=_submission_kwargs,
        method="post",
        data=lambda p: {"return-version": "1", "return-reason": "Periksa lagi"},
    ),
    Row(
        "indicators:submission-reopen",
        REVIEW_POST,
        kwargs=_submission_kwargs,
        method="post",
        data=lambda p: {"reopen-version": "1", "reopen-reason": "Koreksi"},
    ),
    Row(
        "indicators:evidence",
        statuses(
            admin=200, operator=200, verifikator=200, pemangku=200, other_city=404, other_orgs=404
        ),
        kwargs=_evidence_kwargs,
    ),
]


# --- Spreadsheet import and export (indicators/views/imports.py) ---------------------------
# Import: admin and operator. Export: also verifikator and pimpinan (read-only). Pemangku:
# neither, since an export holds the whole city's data. Another city's user: 404 on objects.
def _import_period_kwargs(personas):
    return {"period_pk": _period(personas).pk}


def _batch_kwargs(personas):
    from tests.factories import make_import_batch

    batch = make_import_batch(period=_period(personas), created_by=personas.users["operator"])
    return {"pk": batch.pk}


_IMPORTERS = statuses(other_city=404, admin=200, operator=200)
_EXPORTERS = statuses(other_city=404, admin=200, operator=200, verifikator=200, pimpinan=200)
# POSTs redirect back to the batch (with a message when its state no longer allows the step).
_IMPORTERS_POST = statuses(other_city=404, admin=302, operator=302)

ROWS += [
    Row(
        "indicators:import-periods",
        statuses(other_city=200, admin=200, operator=200, verifikator=200, pimpinan=200),
    ),
    Row("indicators:import-upload", _IMPORTERS, kwargs=_import_period_kwargs),
    Row("indicators:import-template", _IMPORTERS, kwargs=_import_period_kwargs),
    Row("indicators:export-xlsx", _EXPORTERS, kwargs=_import_period_kwargs),
    Row("indicators:export-csv", _EXPORTERS, kwargs=_import_period_kwargs),
    Row("indicators:import-detail", _IMPORTERS, kwargs=_batch_kwargs),
    Row("indicators:import-progress", _IMPORTERS, kwargs=_batch_kwargs),
    Row("indicators:import-confirm", _IMPORTERS_POST, kwargs=_batch_kwargs, method="post"),
    Row("indicators:import-cancel", _IMPORTERS_POST, kwargs=_batch_kwargs, method="post"),
]

# The verifier's queue (issue 11): operators read it, reviewers decide.
ROWS += [
    Row(
        "indicators:review-queue",
        statuses(other_city=200, admin=200, operator=200, verifikator=200),
    ),
    Row(
        "indicators:review-detail",
        statuses(other_city=403, admin=200, verifikator=200),
        kwargs=_submission_kwargs,
    ),
    # Returning without a reason is refused with the form shown again.
    Row(
        "indicators:review-decide",
        statuses(other_city=403, admin=400, verifikator=400),
        kwargs=_submission_kwargs,
        method="post",
        data=lambda p: {"action": "return", "version": "1", "reason": ""},
    ),
    # Nothing ticked: back to the queue with a message.
    Row(
        "indicators:review-bulk-approve",
        statuses(other_city=403, admin=302, verifikator=302),
        method="post",
    ),
]

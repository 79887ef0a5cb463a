from tests.matrix import Row, everyone, statuses

ROWS = [
    Row("indicators:index", everyone()),
]


# --- Spreadsheet import and export (indicators/import_views.py) ---------------------------
# Import: admin and operator. Export: also verifikator and pimpinan (read-only). Pemangku:
# neither, since an export holds the whole city's data. Another city's user: 404 on objects.
def _period(personas):
    from indicators.models import AssessmentPeriod
    from tests.factories import make_period

    period = AssessmentPeriod.objects.filter(city=personas.city).first()
    return period or make_period(city=personas.city)


def _period_kwargs(personas):
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
    Row("indicators:import-upload", _IMPORTERS, kwargs=_period_kwargs),
    Row("indicators:import-template", _IMPORTERS, kwargs=_period_kwargs),
    Row("indicators:export-xlsx", _EXPORTERS, kwargs=_period_kwargs),
    Row("indicators:export-csv", _EXPORTERS, kwargs=_period_kwargs),
    Row("indicators:import-detail", _IMPORTERS, kwargs=_batch_kwargs),
    Row("indicators:import-progress", _IMPORTERS, kwargs=_batch_kwargs),
    Row("indicators:import-confirm", _IMPORTERS_POST, kwargs=_batch_kwargs, method="post"),
    Row("indicators:import-cancel", _IMPORTERS_POST, kwargs=_batch_kwargs, method="post"),
]

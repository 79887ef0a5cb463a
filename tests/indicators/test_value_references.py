"""An indicator value's indicator and author are checked once per statement (migration
0008) with the guarantees of a foreign key: what it refers to exists, and stays."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from indicators.models import Indicator, IndicatorValue
from tests.factories import make_approved_submission, make_period


@pytest.fixture
def value(kupang, framework, operator) -> IndicatorValue:
    period = make_period(city=kupang, year=2025)
    submission = make_approved_submission(
        period=period, values={"KW1": 30, "HK1": 1}, entered_by=operator
    )
    return submission.values.get(indicator__code="KW1")


def execute(sql: str, params: list[int]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_value_of_a_missing_indicator_is_refused(value):
    with pytest.raises(IntegrityError, match="missing indicator or user"):
        execute(
            "INSERT INTO indicators_indicatorvalue (submission_id, indicator_id, value, comment,"
            " evidence, entered_by_id, updated_at) VALUES (%s, %s, 1, '', '', NULL, now())",
            [value.submission_id, 999_999],
        )


def test_a_value_entered_by_a_missing_user_is_refused(value):
    with pytest.raises(IntegrityError, match="missing indicator or user"):
        execute(
            "UPDATE indicators_indicatorvalue SET entered_by_id = %s WHERE id = %s",
            [999_999, value.pk],
        )
    value.refresh_from_db()
    assert value.entered_by is not None


def test_many_rows_in_one_statement_are_checked_together(value):
    """An import's COPY: one bad row among many refuses the whole statement."""
    good = list(Indicator.objects.filter(level="kota").exclude(pk=value.indicator_id)[:3])
    rows = [(value.submission_id, i.pk) for i in good[:2]] + [(value.submission_id, 999_999)]
    placeholders = ", ".join(["(%s, %s, 1, '', '', NULL, now())"] * len(rows))
    with pytest.raises(IntegrityError):
        execute(
            "INSERT INTO indicators_indicatorvalue (submission_id, indicator_id, value, comment,"
            f" evidence, entered_by_id, updated_at) VALUES {placeholders}",
            [x for row in rows for x in row],
        )
    assert IndicatorValue.objects.filter(indicator__in=good).count() == 0


def test_a_user_who_entered_values_cannot_be_deleted(value, operator):
    with pytest.raises(ProtectedError):
        operator.delete()
    with pytest.raises(IntegrityError, match="referred to by indicator values"):
        execute("DELETE FROM kotan_user WHERE id = %s", [operator.pk])


def test_an_indicator_with_values_cannot_be_deleted(value):
    with pytest.raises(IntegrityError, match="referred to by indicator values"):
        execute("DELETE FROM indicators_indicator WHERE id = %s", [value.indicator_id])
    unused = Indicator.objects.filter(values__isnull=True, responsible__isnull=True).first()
    assert unused is not None
    execute("DELETE FROM indicators_indicator WHERE id = %s", [unused.pk])
    assert not Indicator.objects.filter(pk=unused.pk).exists()

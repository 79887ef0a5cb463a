"""Issue 13: the per-period tallies PostgreSQL keeps of the approved values (models.ValueTally,
triggers of migration 0009). Whatever changes the values, the submissions or the catalogue,
the tallies add up to what a GROUP BY over the values gives; folding keeps the totals;
approvals in one period never wait on each other; a range change counts a value written by a
transaction still in flight; `manage.py rebuild_tallies` repairs what the triggers missed."""

from __future__ import annotations

import io
import random
import threading
import time
from collections.abc import Callable
from decimal import Decimal as D

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F

from indicators.models import Indicator, IndicatorValue, Submission, ValueTally
from indicators.scoring.recompute import tallies_fold
from kotan.models import Region
from tests.conftest import _test_database_url
from tests.factories import make_approved_submission, make_period
from tests.indicators.test_headline import seed_random_period

Totals = dict[tuple[int, int, bool], tuple[int, D, D]]

# The tallies' definition, straight from the values: per period, indicator and whether the
# value is at its indicator's level, the approved values, their hashes and clamped distances.
DIRECT = """
SELECT s.period_id, v.indicator_id, i.level = s.level, count(*),
       sum(hash_numeric_extended(v.value, hashint8extended(coalesce(s.stakeholder_id, 0),
           hashint8extended(coalesce(s.region_id, 0), v.indicator_id)))::numeric),
       sum(least(greatest(v.value, least(i.worst, i.best)), greatest(i.worst, i.best))
           - i.worst)
FROM indicators_indicatorvalue v
JOIN indicators_submission s ON s.id = v.submission_id
JOIN indicators_indicator i ON i.id = v.indicator_id
WHERE s.status = 'approved' AND v.value IS NOT NULL
GROUP BY 1, 2, 3
"""
TALLIED = """
SELECT period_id, indicator_id, at_level, sum(value_count), sum(hashes), sum(distance)
FROM indicators_valuetally GROUP BY 1, 2, 3
HAVING (sum(value_count), sum(hashes), sum(distance)) <> (0, 0, 0)
"""


def totals(sql: str) -> Totals:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {(p, i, at): (int(n), D(h), D(d)) for p, i, at, n, h, d in cursor.fetchall()}


def assert_tallies_match() -> None:
    direct = totals(DIRECT)
    assert direct, "a test whose values all vanished proves nothing"
    assert totals(TALLIED) == direct


@pytest.fixture
def periods(kupang, framework) -> list[int]:
    rng = random.Random(9)
    for year in (2024, 2025):
        seed_random_period(kupang, year, rng)
    return list(kupang.periods.values_list("pk", flat=True))


def a_value(rng: random.Random) -> IndicatorValue:
    values = IndicatorValue.objects.exclude(value=None).order_by("pk")
    return values[rng.randrange(values.count())]


def change_value(rng: random.Random) -> None:
    value = a_value(rng)
    value.value = D(str(round(rng.uniform(-5, 120), 3)))
    value.save()


def clear_value(rng: random.Random) -> None:
    IndicatorValue.objects.filter(pk=a_value(rng).pk).update(value=None)


def delete_values(rng: random.Random) -> None:
    submission = a_value(rng).submission
    IndicatorValue.objects.filter(
        submission=submission, pk__in=submission.values.all()[:2]
    ).delete()


def add_value(rng: random.Random) -> None:
    submission = Submission.objects.order_by("pk")[rng.randrange(Submission.objects.count())]
    missing = Indicator.objects.filter(level=submission.level).exclude(
        values__submission=submission
    )
    if indicator := missing.order_by("pk").first():
        IndicatorValue.objects.create(submission=submission, indicator=indicator, value=D("42.5"))


def set_status(rng: random.Random) -> None:
    """Reopen a few approved submissions, approve a few others: one UPDATE each."""
    approved = list(Submission.objects.filter(status="approved").values_list("pk", flat=True))
    others = list(Submission.objects.exclude(status="approved").values_list("pk", flat=True))
    Submission.objects.filter(pk__in=rng.sample(approved, min(2, len(approved)))).update(
        status=Submission.Status.RETURNED, version=99
    )
    Submission.objects.filter(pk__in=rng.sample(others, min(2, len(others)))).update(
        status=Submission.Status.APPROVED
    )


def bump_version(rng: random.Random) -> None:
    Submission.objects.filter(status="approved").update(version=rng.randint(2, 9))


def change_range(rng: random.Random) -> None:
    indicator = Indicator.objects.order_by("pk")[rng.randrange(Indicator.objects.count())]
    indicator.worst, indicator.best = indicator.best, indicator.worst + rng.choice([-3, 7])
    if indicator.worst == indicator.best:
        indicator.best += 1
    indicator.save()


def change_level(rng: random.Random) -> None:
    indicator = Indicator.objects.order_by("pk")[rng.randrange(Indicator.objects.count())]
    indicator.level = rng.choice([lv for lv in Indicator.Level.values if lv != indicator.level])
    indicator.save()


def delete_submission(rng: random.Random) -> None:
    submission = a_value(rng).submission
    submission.values.all().delete()
    submission.delete()


def fold(rng: random.Random) -> None:
    tallies_fold(list(Submission.objects.values_list("period_id", flat=True).distinct()))


CHANGES: list[Callable[[random.Random], None]] = [
    change_value,
    clear_value,
    delete_values,
    add_value,
    set_status,
    bump_version,
    change_range,
    change_level,
    delete_submission,
    fold,
]


@pytest.mark.parametrize("seed", range(3))
def test_the_tallies_follow_every_kind_of_change(periods, seed):
    rng = random.Random(seed)
    assert_tallies_match()
    for _step in range(25):
        rng.choice(CHANGES)(rng)
        assert_tallies_match()


def test_folding_leaves_one_row_a_key_and_the_same_totals(periods):
    for _round in range(3):
        Submission.objects.filter(status="approved").update(status="returned")
        Submission.objects.filter(status="returned").update(status="approved")
    before = totals(TALLIED)
    assert ValueTally.objects.count() > 3 * len(before)
    tallies_fold(periods)
    assert totals(TALLIED) == before == totals(DIRECT)
    assert ValueTally.objects.count() == len(before)


def test_changes_that_cancel_out_leave_no_row_once_folded(kupang, framework):
    period = make_period(city=kupang)
    submission = make_approved_submission(period=period, values={"KK1": 60, "KK2": 1})
    submission.values.all().delete()
    assert ValueTally.objects.filter(period_id=period.pk).count() > 0
    tallies_fold([period.pk])
    assert not ValueTally.objects.filter(period_id=period.pk).exists()


# --- Two transactions at once ------------------------------------------------------------


def connect() -> psycopg.Connection:
    conn = psycopg.connect(_test_database_url())
    conn.execute("SET lock_timeout = '10s'")
    return conn


def waiting_for_a_lock(pid: int, deadline: float = 30) -> bool:
    with connect() as conn:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            row = conn.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
            ).fetchone()
            if row and row[0] == "Lock":
                return True
            conn.rollback()
    return False


def two_kelurahan(kupang: Region, first: str, second: str, second_values: dict) -> list[int]:
    """Two kelurahan submissions of one period, the first holding KK1 = 50."""
    period = make_period(city=kupang)
    kelurahan = Region.objects.filter(city=kupang, level=Region.Level.KELURAHAN).order_by("code")
    return [
        make_approved_submission(period=period, region=k, values=v, status=status).pk
        for k, status, v in zip(
            kelurahan[:2], [first, second], [{"KK1": 50}, second_values], strict=True
        )
    ]


def kk1_total() -> tuple[int, D, D]:
    kk1 = Indicator.objects.get(code="KK1")
    (found,) = [total for key, total in totals(TALLIED).items() if key[1:] == (kk1.pk, True)]
    return found


@pytest.mark.django_db(transaction=True)
def test_approvals_in_one_period_do_not_wait_for_each_other(kupang, framework):
    first, second = two_kelurahan(kupang, "submitted", "submitted", {"KK1": 50})
    with connect() as a, connect() as b:
        a.execute("UPDATE indicators_submission SET status = 'approved' WHERE id = %s", [first])
        b.execute("SET lock_timeout = '1s'")  # waiting at all would fail the test
        b.execute("UPDATE indicators_submission SET status = 'approved' WHERE id = %s", [second])
        b.commit()
        a.commit()
    assert_tallies_match()
    assert kk1_total()[0] == 2


APPROVE = "UPDATE indicators_submission SET status = 'approved' WHERE id = %(second)s"
INSERT = """
INSERT INTO indicators_indicatorvalue
    (submission_id, indicator_id, value, comment, evidence, updated_at)
VALUES (%(second)s, %(kk1)s, 50, '', '', now())
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("second", "values", "statement"),
    [("submitted", {"KK1": 50}, APPROVE), ("approved", {}, INSERT)],
    ids=["approving", "inserting"],
)
def test_a_range_change_counts_a_value_written_by_a_transaction_in_flight(
    kupang, framework, second, values, statement
):
    """Without the trigger's locks the rebuilt rows would miss the writer's value and its
    own row would keep the old range: 90 instead of 80."""
    _first, second_pk = two_kelurahan(kupang, "approved", second, values)
    kk1 = Indicator.objects.get(code="KK1")
    assert (kk1.worst, kk1.best) == (0, 100)
    errors: list[BaseException] = []
    with connect() as writer, connect() as admin:
        writer.execute(statement, {"second": second_pk, "kk1": kk1.pk})

        def change_range() -> None:
            try:
                admin.execute("UPDATE indicators_indicator SET worst = 10 WHERE id = %s", [kk1.pk])
                admin.commit()
            except BaseException as error:  # surfaced in the assertion below
                errors.append(error)

        thread = threading.Thread(target=change_range)
        thread.start()
        assert waiting_for_a_lock(admin.info.backend_pid)
        writer.commit()
        thread.join()
    assert errors == []
    assert_tallies_match()
    assert kk1_total() == (2, kk1_total()[1], D("80.000"))


def test_rebuilding_repairs_tallies_the_triggers_did_not_keep(periods):
    """What `manage.py rebuild_tallies` is for: values changed with the triggers off (as a
    replica or a data-only load with --disable-triggers writes them)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        IndicatorValue.objects.exclude(value=None).update(value=F("value") + 1)
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert totals(TALLIED) != totals(DIRECT)
    out = io.StringIO()
    call_command("rebuild_tallies", stdout=out)
    assert_tallies_match()
    assert f"{ValueTally.objects.count()} baris" in out.getvalue()

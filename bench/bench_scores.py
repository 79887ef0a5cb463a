"""Scores at national scale, in the database named by DATABASE_URL (its name must contain
"bench": the script empties it when the generated data is missing or of another size).

1. ~200 cities × 51 kelurahan × 10 years = 1,000,000 approved values (COPY), then a full
   recompute of every period under every edition as the nightly and national runs do it
   (headline only, `explain=False`), against one PostgreSQL GROUP BY over the same rows:
   `BENCH recompute_1m_vs_groupby <ratio>` (target ≤ 3); the same with nothing changed
   (target ≤ 1); and what explaining one city-year costs when somebody first opens it.
2. The city dashboard against a trivial logged-in page (the home page), same process, many
   requests each, with Django's test Client: `BENCH dashboard_vs_trivial_page <ratio>`
   (target ≤ 1.5, the dashboard being cached per snapshot).
3. What the database's running tallies (models.ValueTally) cost the writers that keep them:
   reopening and approving a submission, and changing an indicator's range.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from common import database_ensure, django_ready

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")

CITIES = 200
KECAMATAN = 6
KELURAHAN = 51
YEARS = range(2016, 2026)
AGENCIES = 7  # 13 kota + 51 × 9 kelurahan + 7 × 4 stakeholder values = 500 per period
EXPECTED_VALUES = CITIES * len(YEARS) * 500
PROVINCE = "B1"


def ensure_database() -> None:
    url = os.environ["DATABASE_URL"]
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to use database {name!r}: its name must contain 'bench'.")
    database_ensure(url)


def timed(label: str, func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    print(f"  {label}: {elapsed:.3f} s", flush=True)
    return elapsed


def copy_rows(cursor: Any, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY rows (tuples; None is NULL) into `table`."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def generate() -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from indicators.models import Indicator, IndicatorValue
    from indicators.services.framework import framework_seed
    from kotan.models import Region, Stakeholder

    if IndicatorValue.objects.count() == EXPECTED_VALUES:
        print(f"Reusing {EXPECTED_VALUES:,} generated values.", flush=True)
        return
    print("Generating data…", flush=True)
    call_command("flush", interactive=False, verbosity=0)
    framework_seed()
    rng = random.Random(2019)
    indicators = list(Indicator.objects.active())
    by_level = {str(lv): [i for i in indicators if i.level == lv] for lv in Indicator.Level}
    with transaction.atomic():
        province = Region.objects.create(code=PROVINCE, name="Provinsi Uji", level="provinsi")
        cities = Region.objects.bulk_create(
            Region(code=f"{PROVINCE}.{c:03d}", name=f"Kota {c:03d}", level="kota", parent=province)
            for c in range(CITIES)
        )
        for city in cities:
            city.city = city
        Region.objects.bulk_update(cities, ["city"])
        kecamatan = Region.objects.bulk_create(
            Region(code=f"{city.code}.{k:02d}", name=f"Kec {k}", level="kecamatan", parent=city,
                   city=city)
            for city in cities
            for k in range(KECAMATAN)
        )  # fmt: skip
        per_city = {city.pk: [k for k in kecamatan if k.city_id == city.pk] for city in cities}
        kelurahan = Region.objects.bulk_create(
            Region(code=f"{city.code}.{n:04d}", name=f"Kel {n}", level="kelurahan",
                   parent=per_city[city.pk][n % KECAMATAN], city=city)
            for city in cities
            for n in range(KELURAHAN)
        )  # fmt: skip
        agencies = Stakeholder.objects.bulk_create(
            Stakeholder(city=city, code=f"opd{a}", name=f"OPD {a}", short_name=f"OPD {a}",
                        kind="perangkat_daerah")
            for city in cities
            for a in range(AGENCIES)
        )  # fmt: skip
        Through = Indicator.responsible.through
        Through.objects.bulk_create(
            Through(indicator_id=i.pk, stakeholder_id=s.pk)
            for s in agencies
            for i in by_level["stakeholder"]
        )
        with connection.cursor() as cursor:
            copy_rows(
                cursor,
                "indicators_assessmentperiod",
                ["city_id", "year", "opens_on", "closes_on", "status"],
                (
                    (city.pk, y, date(y, 10, 1), date(y, 11, 30),
                     "open" if y == YEARS[-1] else "closed")
                    for city in cities
                    for y in YEARS
                ),
            )  # fmt: skip
            cursor.execute("SELECT id, city_id FROM indicators_assessmentperiod")
            periods = cursor.fetchall()
            kel_by_city: dict[int, list[int]] = {}
            for k in kelurahan:
                kel_by_city.setdefault(k.city_id, []).append(k.pk)  # type: ignore[arg-type]
            agency_by_city: dict[int, list[int]] = {}
            for s in agencies:
                agency_by_city.setdefault(s.city_id, []).append(s.pk)
            now = "2025-11-30 00:00:00+00"
            copy_rows(
                cursor,
                "indicators_submission",
                ["period_id", "level", "region_id", "stakeholder_id", "status", "version",
                 "return_reason", "updated_at", "approved_at"],
                (
                    row
                    for period_id, city_id in periods
                    for row in (
                        [(period_id, "kota", city_id, None, "approved", 1, "", now, now)]
                        + [(period_id, "kelurahan", k, None, "approved", 1, "", now, now)
                           for k in kel_by_city[city_id]]
                        + [(period_id, "stakeholder", None, s, "approved", 1, "", now, now)
                           for s in agency_by_city[city_id]]
                    )
                ),
            )  # fmt: skip
            cursor.execute("SELECT id, level FROM indicators_submission")

            def values(submission_id: int, level: str) -> Iterator[tuple[Any, ...]]:
                for indicator in by_level[level]:
                    if indicator.kind == "yesno":
                        yes = rng.random() < 0.4
                        yield (submission_id, indicator.pk, int(yes), "", "", now)
                    else:
                        low, high = float(indicator.value_min), float(indicator.value_max)
                        number = round(rng.uniform(low, high * 1.1), 3)
                        yield (submission_id, indicator.pk, number, "", "", now)

            copy_rows(
                cursor,
                "indicators_indicatorvalue",
                ["submission_id", "indicator_id", "value", "comment", "evidence", "updated_at"],
                (row for sid, level in cursor.fetchall() for row in values(sid, level)),
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  values: {IndicatorValue.objects.count():,}", flush=True)


GROUP_BY = """
SELECT s.period_id, v.indicator_id, avg(v.value), count(*)
FROM indicators_indicatorvalue v JOIN indicators_submission s ON s.id = v.submission_id
WHERE s.status = 'approved' AND v.value IS NOT NULL
GROUP BY s.period_id, v.indicator_id
"""


def bench_recompute() -> None:
    from django.db import connection

    from indicators.models import AssessmentPeriod, ScoreSnapshot
    from indicators.scoring.recompute import scores_recompute

    ids = list(AssessmentPeriod.objects.values_list("pk", flat=True))

    def group_by() -> None:
        with connection.cursor() as cursor:
            cursor.execute(GROUP_BY)
            cursor.fetchall()

    def full_recompute() -> None:
        result = scores_recompute(period_ids=ids, explain=False)
        assert result.written == len(ids) * 2, result

    print(f"Recompute of {len(ids):,} periods, {EXPECTED_VALUES:,} values, 2 editions", flush=True)
    group_by()  # warm the cache for both
    groupby_times, recompute_times = [], []
    for _run in range(3):
        groupby_times.append(timed("GROUP BY", group_by))
        ScoreSnapshot.objects.all().delete()
        recompute_times.append(timed("full recompute", full_recompute))
    unchanged_times = [
        timed(
            "recompute with nothing changed (nightly case)",
            lambda: scores_recompute(period_ids=ids, explain=False),
        )
        for _run in range(3)
    ]
    recompute, groupby = statistics.median(recompute_times), statistics.median(groupby_times)
    unchanged = statistics.median(unchanged_times)
    explain = bench_explain(ids[:: len(ids) // 20])
    print(f"  median full recompute {recompute:.3f} s; median GROUP BY {groupby:.3f} s;")
    print(f"  unchanged {unchanged:.3f} s; explaining a city-year {explain * 1000:.0f} ms")
    print(f"BENCH recompute_1m_full_s {recompute:.2f}")
    print(f"BENCH recompute_1m_unchanged_s {unchanged:.2f}")
    print(f"BENCH groupby_1m_s {groupby:.2f}")
    print(f"BENCH recompute_1m_vs_groupby {recompute / groupby:.2f}")
    print(f"BENCH recompute_1m_unchanged_vs_groupby {unchanged / groupby:.2f}")
    print(f"BENCH explain_period_ms {explain * 1000:.0f}", flush=True)


def bench_tally_writes() -> None:
    """What keeping the tallies costs the writers (models.ValueTally): reopening and
    approving one kelurahan submission (nine values), and changing one indicator's range
    (its tallies rebuilt from 100,000 values), each in a transaction rolled back."""
    from django.db import connection, transaction

    from indicators.models import Indicator, Submission

    submission = Submission.objects.filter(level="kelurahan", status="approved").first()
    indicator = Indicator.objects.get(code="KK1")
    assert submission is not None

    def reopen_and_approve() -> None:
        with transaction.atomic():
            Submission.objects.filter(pk=submission.pk).update(status="returned")
            Submission.objects.filter(pk=submission.pk).update(status="approved")
            transaction.set_rollback(True)

    def change_range() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE indicators_indicator SET worst = worst + 1 WHERE id = %s",
                           [indicator.pk])  # fmt: skip
            transaction.set_rollback(True)

    approvals = []
    for _ in range(21):
        start = time.perf_counter()
        reopen_and_approve()
        approvals.append(time.perf_counter() - start)
    rebuild = statistics.median(timed("range change of KK1", change_range) for _ in range(3))
    print(f"BENCH approve_reopen_ms {statistics.median(approvals) * 1000:.1f}")
    print(f"BENCH tally_rebuild_indicator_s {rebuild:.2f}", flush=True)


def bench_explain(period_ids: list[int]) -> float:
    """Median time to explain one city-year's headline snapshots (both editions): what the
    first visitor of a dashboard waits for after a national recompute."""
    from indicators.models import ScoreSnapshot
    from indicators.scoring.recompute import snapshot_explained

    times = []
    for snapshot in ScoreSnapshot.objects.filter(
        period_id__in=period_ids, edition__is_default=True
    ):
        start = time.perf_counter()
        snapshot_explained(snapshot)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_dashboard(requests: int = 200) -> None:
    from django.test import Client
    from django.urls import reverse

    from kotan.models import Region, User

    city = Region.objects.get(code=f"{PROVINCE}.000")
    user, _ = User.objects.get_or_create(
        username="bench-pimpinan", defaults={"city": city, "role": User.Role.PIMPINAN}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    def many(url: str) -> float:
        for _ in range(10):  # warm-up: templates compiled, connections open
            assert client.get(url).status_code == 200
        start = time.perf_counter()
        for _ in range(requests):
            client.get(url)
        return (time.perf_counter() - start) / requests

    dashboard = many(reverse("reports:dashboard"))
    trivial = many(reverse("kotan:home"))
    body = client.get(reverse("reports:dashboard")).content
    assert b'data-testid="ikotan"' in body or b'data-testid="incomplete"' in body
    print(f"Dashboard of a city with {KELURAHAN} kelurahan and {len(YEARS)} periods, "
          f"{requests} requests each")  # fmt: skip
    print(
        f"  dashboard {dashboard * 1000:.2f} ms/request; home page {trivial * 1000:.2f} ms/request"
    )
    print(f"BENCH dashboard_ms {dashboard * 1000:.1f}")
    print(f"BENCH trivial_page_ms {trivial * 1000:.1f}")
    print(f"BENCH dashboard_vs_trivial_page {dashboard / trivial:.2f}", flush=True)


def main() -> None:
    ensure_database()
    django_ready()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    generate()
    bench_recompute()
    bench_dashboard()
    bench_tally_writes()


if __name__ == "__main__":
    main()

"""Survey import and aggregation at national-survey scale: a Kobo-style XLSX of 20,000
respondents × 60 Likert items (plus Kobo's start/end/meta columns) imported end to end —
upload, column mapping (as guessed), check, confirm, import, the jobs run in-process
through their Celery tasks — then aggregated into KK2/KM4.

Prints `BENCH survey_import_20k_s` (upload to the import's commit; target ≤ 30),
`BENCH survey_import_20k_peak_mb` (the process's peak resident memory; target ≤ 500; the file
is generated in a child process so that its writing does not count) and
`BENCH survey_aggregate_20k_s` (target ≤ 5), and the CPU time of this process for both
(`_cpu_s`). The generated city is deleted afterwards.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import database_ensure, django_ready, generated_city_delete

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")

RESPONDENTS = int(os.environ.get("BENCH_SURVEY_RESPONDENTS", "20000"))
ITEMS_PER_VARIABLE = 12  # × 5 variables = 60 items
KELURAHAN = 50
CITY_CODE = "98.02"
QUESTIONNAIRE = "Kuesioner tolok ukur (60 butir)"
SETTINGS = ["Keluarga", "Masyarakat", "Pendidikan", "Instansi pemerintah", "Swasta"]


def _item_codes() -> list[str]:
    return [f"{v}{n:02d}" for v in ("KK", "KM", "KW", "KL", "HK")
            for n in range(1, ITEMS_PER_VARIABLE + 1)]  # fmt: skip


def _kelurahan_names() -> list[str]:
    return [f"Kelurahan Uji {n}" for n in range(1, KELURAHAN + 1)]


def generate(path: str) -> None:
    """Child process: write the Kobo-style workbook with openpyxl's streaming writer."""
    from tests.surveys.kobo import kobo_header, random_rows, write_xlsx

    codes = _item_codes()
    write_xlsx(
        Path(path),
        kobo_header(codes),
        random_rows(count=RESPONDENTS, item_codes=codes, kelurahan=_kelurahan_names(),
                    settings=SETTINGS),
    )  # fmt: skip


def _setup() -> None:
    django_ready()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from indicators.services.framework import framework_seed

    framework_seed()


def _questionnaire() -> Any:
    """Sixty Likert items asked in every setting; KK items feed KK2 and KM items KM4, every
    fourth item reverse-scored."""
    from indicators.models import Indicator, Variable
    from indicators.surveys.models import QuestionItem, Questionnaire, Setting

    questionnaire, created = Questionnaire.objects.get_or_create(name=QUESTIONNAIRE, version=1)
    if created:
        variables = {v.code: v for v in Variable.objects.all()}
        feeds = {"KK": Indicator.objects.get(code="KK2"), "KM": Indicator.objects.get(code="KM4")}
        QuestionItem.objects.bulk_create(
            QuestionItem(
                questionnaire=questionnaire, code=code, order=n, text_id=f"Butir {code}",
                variable=variables[code[:2]], reverse=n % 4 == 0,
                settings=list(Setting.values), indicator=feeds.get(code[:2]),
            )
            for n, code in enumerate(_item_codes(), start=1)
        )  # fmt: skip
    return questionnaire


def _generated_city() -> tuple[Any, Any]:
    from kotan.models import Region, User

    _cleanup()
    province = Region.objects.get_or_create(
        code="98", defaults={"name": "Provinsi Tolok Ukur", "level": Region.Level.PROVINSI}
    )[0]
    city = Region.objects.create(
        code=CITY_CODE, name="Kota Survei Tolok Ukur", level=Region.Level.KOTA, parent=province
    )
    city.city = city
    city.save(update_fields=["city"])
    kecamatan = Region.objects.create(
        code=f"{CITY_CODE}.01", name="Kecamatan Uji", level=Region.Level.KECAMATAN,
        parent=city, city=city,
    )  # fmt: skip
    Region.objects.bulk_create(
        Region(code=f"{CITY_CODE}.01.{1000 + n}", name=name, level=Region.Level.KELURAHAN,
               parent=kecamatan, city=city)
        for n, name in enumerate(_kelurahan_names(), start=1)
    )  # fmt: skip
    operator = User.objects.create(
        username="bench-survey-operator", city=city, role=User.Role.OPERATOR, first_name="Bench"
    )
    return city, operator


def _cleanup() -> None:
    from indicators.models import IndicatorValue
    from indicators.surveys.models import Survey, SurveyImport
    from kotan.models import Region

    city = Region.objects.filter(code=CITY_CODE).first()
    if city is None:
        return
    for survey_import in SurveyImport.objects.filter(survey__period__city=city):
        survey_import.file.delete(save=False)
    for value in IndicatorValue.objects.filter(submission__period__city=city):
        value.evidence.delete(save=False)
    Survey.objects.filter(period__city=city).delete()
    generated_city_delete(city)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--generate":
        generate(sys.argv[2])
        return
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("_main()", globals(), {}, os.environ["BENCH_PROFILE"])
        return
    _main()


def _main() -> None:
    database_ensure(os.environ.get("DATABASE_URL", ""))
    _setup()
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from indicators.models import AssessmentPeriod
    from indicators.surveys.models import Respondent, SurveyImport
    from indicators.surveys.services import importing
    from indicators.surveys.services.aggregation import survey_aggregate
    from indicators.surveys.services.plan import survey_start
    from kotan.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    city, operator = _generated_city()
    period = AssessmentPeriod.objects.create(
        city=city, year=2026, opens_on=datetime.date(2026, 11, 1),
        closes_on=datetime.date(2026, 11, 30),
    )  # fmt: skip
    survey = survey_start(period=period, actor=operator, questionnaire=_questionnaire())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kobo.xlsx"
        subprocess.run([sys.executable, __file__, "--generate", str(path)], check=True)
        content = path.read_bytes()
    print(f"file: {len(content) / 1e6:.1f} MB, {RESPONDENTS} respondents × 60 items", flush=True)

    started = time.perf_counter()
    cpu_started = time.process_time()
    survey_import = importing.survey_import_create(
        survey=survey, actor=operator, upload=SimpleUploadedFile("kobo.xlsx", content)
    )
    errors = importing.survey_import_set_mapping(
        survey_import=survey_import, actor=operator, mapping=survey_import.mapping
    )
    assert errors == [], errors
    checked = time.perf_counter()
    survey_import.refresh_from_db()
    assert survey_import.status == SurveyImport.Status.READY, survey_import.errors[:5]
    importing.survey_import_confirm(survey_import=survey_import, actor=operator)
    finished = time.perf_counter()
    cpu_import = time.process_time() - cpu_started
    survey_import.refresh_from_db()
    assert survey_import.status == SurveyImport.Status.DONE, survey_import.failure
    stored = Respondent.objects.for_city(city.pk).count()
    assert stored == RESPONDENTS, stored
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    aggregate_started = time.perf_counter()
    cpu_started = time.process_time()
    result = survey_aggregate(survey=survey, actor=operator)
    aggregated = time.perf_counter()
    cpu_aggregate = time.process_time() - cpu_started
    assert result["written"], result
    print(f"respondents stored: {stored}; written: {result['written']}")
    print(f"BENCH survey_import_20k_check_s {checked - started:.2f}")
    print(f"BENCH survey_import_20k_save_s {finished - checked:.2f}")
    print(f"BENCH survey_import_20k_s {finished - started:.2f}")
    print(f"BENCH survey_import_20k_peak_mb {peak_mb:.0f}")
    print(f"BENCH survey_aggregate_20k_s {aggregated - aggregate_started:.2f}")
    # CPU time of this process (the database server's work is not in it): on a shared,
    # loaded machine the wall-clock figures above mostly measure the other processes.
    print(f"BENCH survey_import_20k_cpu_s {cpu_import:.2f}")
    print(f"BENCH survey_aggregate_20k_cpu_s {cpu_aggregate:.2f}")
    _cleanup()


if __name__ == "__main__":
    main()

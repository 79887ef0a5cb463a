import csv
import io
import math
import statistics

from django.urls import reverse
from openpyxl import load_workbook

from indicators.surveys.services.report import MIN_CELL, survey_report, t_quantile
from tests.conftest import login
from tests.surveys.helpers import make_respondent


def _families(survey, answers_kk01):
    for value in answers_kk01:
        make_respondent(survey=survey, setting="keluarga", answers={"KK01": value, "KK04": 4})


def test_the_report_gives_mean_n_and_a_95_ci_per_setting_and_variable(survey):
    values = [4, 3, 3, 2, 4, 1]
    _families(survey, values)
    make_respondent(survey=survey, setting="keluarga", answers={"KK01": 1}, excluded=True)
    report = survey_report(survey)
    variables = [v.code for v in report.variables]
    family = dict(report.rows)["Keluarga"][variables.index("KK")]
    # Each family's KK mean is (KK01 + (5 − 4)) / 2.
    means = [(v + 1) / 2 for v in values]
    assert family.n == 6
    assert family.mean is not None and family.low is not None and family.high is not None
    assert math.isclose(family.mean, statistics.mean(means))
    half = t_quantile(5) * statistics.stdev(means) / math.sqrt(6)
    assert math.isclose(family.low, statistics.mean(means) - half)
    assert math.isclose(family.high, statistics.mean(means) + half)
    assert report.respondents == 6 and report.excluded == 1


def test_cells_below_five_respondents_are_suppressed(client, verifier, survey):
    _families(survey, [4, 3, 2, 1][: MIN_CELL - 1])
    make_respondent(survey=survey, setting="masyarakat", answers={"KM01": 4})
    page = login(client, verifier).get(reverse("surveys:report", args=[survey.pk]))
    body = page.content.decode()
    assert 'data-suppressed="1"' in body
    assert "(n=4)" in body and "2,50" not in body  # the mean of four families is hidden


def test_the_microdata_has_answers_but_nothing_identifying(client, operator, survey):
    respondent = make_respondent(
        survey=survey, answers={"KK01": 4}, enumerator=operator, external_id="kobo-123"
    )
    login(client, operator)
    response = client.get(reverse("surveys:microdata-csv", args=[survey.pk]))
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["no", "kode_kelurahan", "kelurahan", "setting"]
    assert rows[1][rows[0].index("KK01")] == "4"
    for secret in (str(respondent.uuid), "kobo-123", operator.username, str(operator)):
        assert secret not in text
    xlsx = client.get(reverse("surveys:microdata-xlsx", args=[survey.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1][0] == 1


def test_the_mayors_office_reads_the_report_but_not_the_microdata(client, pimpinan, survey):
    login(client, pimpinan)
    assert client.get(reverse("surveys:report", args=[survey.pk])).status_code == 200
    assert client.get(reverse("surveys:microdata-csv", args=[survey.pk])).status_code == 403

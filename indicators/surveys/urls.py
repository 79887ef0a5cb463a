from django.urls import path

from indicators.surveys.views import aggregate, collect, imports, report, review, surveys

app_name = "surveys"

urlpatterns = [
    path("", surveys.survey_index, name="index"),
    path("kuesioner/", surveys.questionnaire_list, name="questionnaire-list"),
    path("kuesioner/<int:pk>/", surveys.questionnaire_detail, name="questionnaire-detail"),
    path(
        "kuesioner/<int:pk>/versi-baru/",
        surveys.questionnaire_new_version_view,
        name="questionnaire-new-version",
    ),
    path("enumerator/", surveys.enumerator_list, name="enumerators"),
    path("enumerator/<int:user_pk>/", surveys.enumerator_toggle, name="enumerator-toggle"),
    path("periode/<int:pk>/mulai/", surveys.survey_start_view, name="survey-start"),
    path("<int:pk>/", surveys.survey_detail, name="survey-detail"),
    path("<int:pk>/rencana/", surveys.sample_plan, name="sample-plan"),
    path("<int:pk>/rencana/bagi/", surveys.sample_plan_generate_view, name="sample-plan-generate"),
    path("<int:pk>/progres/", surveys.survey_progress_view, name="progress"),
    path("<int:pk>/isi/", collect.collect, name="collect"),
    path("<int:pk>/kirim/", collect.respondent_submit, name="respondent-submit"),
    path("<int:pk>/agregasi/", aggregate.survey_aggregate_view, name="aggregate"),
    path("<int:pk>/responden/", review.respondent_list, name="respondent-list"),
    path("responden/<int:pk>/kecualikan/", review.respondent_exclude, name="respondent-exclude"),
    path("<int:pk>/impor/", imports.import_upload, name="import-upload"),
    path("impor/<int:pk>/", imports.import_detail, name="import-detail"),
    path("impor/<int:pk>/pemetaan/", imports.import_mapping, name="import-mapping"),
    path("impor/<int:pk>/konfirmasi/", imports.import_confirm, name="import-confirm"),
    path("<int:pk>/laporan/", report.survey_report_view, name="report"),
    path("<int:pk>/mikrodata.csv", report.microdata_csv, name="microdata-csv"),
    path("<int:pk>/mikrodata.xlsx", report.microdata_xlsx_view, name="microdata-xlsx"),
]

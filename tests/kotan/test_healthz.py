import pytest
from django.core.management import call_command

# Production's storage is whitenoise's compressing subclass of this one; compressing every
# file would only slow the test down.
MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


def test_healthz_answers_200_when_database_and_broker_answer(client, db, settings):
    assert settings.REDIS_URL, "the suite runs against Redis"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "static": "ok"}


def test_healthz_answers_503_without_details_when_the_broker_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error", "static": "ok"}


@pytest.fixture
def production_static(settings, tmp_path):
    """Static files as with DEBUG=0: hashed names from the manifest in STATIC_ROOT."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    return settings.STATIC_ROOT


def test_healthz_answers_503_when_the_static_manifest_is_missing(client, db, production_static):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "ok", "static": "error"}


def test_healthz_answers_200_once_collectstatic_wrote_the_manifest(
    client, db, settings, production_static
):
    call_command("collectstatic", interactive=False, verbosity=0)
    # Storages are built anew when a setting changes: this one reads the fresh manifest.
    settings.STORAGES = {**settings.STORAGES}
    assert (production_static / "staticfiles.json").exists()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["static"] == "ok"

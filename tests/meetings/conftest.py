import pytest

from indicators.services.framework import framework_seed


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Evidence files go to a per-test directory, never to var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def framework(db):
    framework_seed()

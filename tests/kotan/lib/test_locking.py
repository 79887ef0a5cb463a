"""kotan.lib.locking: one optimistic-locking helper for meetings, actions, submissions and
recommendations."""

from __future__ import annotations

import pytest
from django.db import transaction

from indicators.services.values import StaleSubmission
from kotan.lib.locking import StaleVersion, lock_version
from meetings.models import Meeting
from tests.factories import make_meeting


@pytest.fixture
def meeting(kupang) -> Meeting:
    return make_meeting(city=kupang)


def test_it_returns_the_row_when_nobody_saved_it_in_between(meeting):
    with transaction.atomic():
        locked = lock_version(Meeting.objects.all(), meeting.pk, meeting.version)
    assert locked.pk == meeting.pk
    assert locked.version == meeting.version


def test_it_increments_the_version_for_the_save_when_asked(meeting):
    with transaction.atomic():
        locked = lock_version(Meeting.objects.all(), meeting.pk, meeting.version, bump=True)
    assert locked.version == meeting.version + 1


def test_it_refuses_a_save_built_from_an_older_version_and_carries_the_current_row(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(version=meeting.version + 1)
    with pytest.raises(StaleVersion) as refused, transaction.atomic():
        lock_version(Meeting.objects.all(), meeting.pk, meeting.version)
    assert refused.value.current == Meeting.objects.get(pk=meeting.pk)
    assert Meeting.objects.get(pk=meeting.pk).version == meeting.version + 1
    assert refused.value.code == "stale"
    assert "sudah diubah orang lain" in str(refused.value)


def test_no_expected_version_skips_the_check(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(version=7)
    with transaction.atomic():
        assert lock_version(Meeting.objects.all(), meeting.pk, None).version == 7


def test_it_raises_the_caller_s_own_kind_of_stale_error(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(version=3)
    with pytest.raises(StaleSubmission) as refused, transaction.atomic():
        lock_version(Meeting.objects.all(), meeting.pk, 1, stale=StaleSubmission)
    assert isinstance(refused.value, StaleVersion)
    assert "tidak disimpan" in str(refused.value)


def test_it_only_finds_rows_of_the_queryset_given(meeting, other_city):
    with pytest.raises(Meeting.DoesNotExist), transaction.atomic():
        lock_version(Meeting.objects.for_city(other_city.pk), meeting.pk, meeting.version)

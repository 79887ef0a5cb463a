"""Whatever a user types, the forms answer with field errors or clean data, never a crash."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.forms import (
    ActionCreateForm,
    ActionFilterForm,
    AttendanceFormSet,
    CloseForm,
    MeetingForm,
    MinutesForm,
    ProgressForm,
    ReopenForm,
    ScheduleForm,
)

pytestmark = pytest.mark.django_db
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
junk = st.one_of(
    st.text(max_size=60),
    # What no database column stores: NUL bytes and lone UTF-16 surrogates.
    st.text(
        alphabet=st.one_of(st.characters(), st.sampled_from(["\x00", "\ud800", "\udfff"])),
        max_size=20,
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        ["", " ", "2026-02-30T25:61", "31/12/2026", "0", "1e9", "NaN", "\x00", "١٢", "\ud800"]
    ),
)


def _assert_answers(form):
    if form.is_valid():
        assert form.cleaned_data is not None
    else:
        assert form.errors


@SETTINGS
@given(
    data=st.fixed_dictionaries(
        {
            k: junk
            for k in (
                "kind",
                "title",
                "starts_at",
                "ends_at",
                "venue",
                "organiser",
                "chair",
                "invited",
                "agenda",
                "version",
            )
        }
    )
)
def test_the_meeting_form_never_crashes(kupang, data):
    form = MeetingForm(data, city=kupang)
    _assert_answers(form)
    if form.is_valid():
        assert form.details().title


@SETTINGS
@given(
    data=st.fixed_dictionaries(
        {
            k: junk
            for k in (
                "decision",
                "plan_year",
                "title",
                "description",
                "category",
                "variable",
                "indicator",
                "owner",
                "due_on",
            )
        }
    )
)
def test_the_action_form_never_crashes(kupang, framework, data):
    _assert_answers(ActionCreateForm(data, city=kupang))


@SETTINGS
@given(percent=junk, text=junk, version=junk, content=st.binary(max_size=300))
def test_the_progress_form_never_crashes(kupang, percent, text, version, content):
    files: MultiValueDict[str, UploadedFile] = MultiValueDict(
        {"evidence": [SimpleUploadedFile("x.pdf", content)] if content else []}
    )
    form = ProgressForm({"percent": percent, "text": text, "version": version}, files)
    _assert_answers(form)
    if form.is_valid():
        assert 0 <= form.cleaned_data["percent"] <= 100


@SETTINGS
@given(note=junk, version=junk)
def test_the_close_form_asks_for_evidence_or_a_note(kupang, note, version):
    form = CloseForm({"note": note, "version": version})
    _assert_answers(form)
    if form.is_valid():
        assert form.cleaned_data["note"].strip()


@SETTINGS
@given(rows=st.lists(st.tuples(junk, junk, junk, st.booleans()), max_size=4), total=junk)
def test_the_attendance_formset_never_crashes(kupang, rows, total):
    data = {"form-TOTAL_FORMS": total, "form-INITIAL_FORMS": "0"}
    for i, (org, name, position, present) in enumerate(rows):
        data.update(
            {f"form-{i}-stakeholder": org, f"form-{i}-name": name, f"form-{i}-position": position}
        )
        if present:
            data[f"form-{i}-present"] = "on"
    formset = AttendanceFormSet(data, form_kwargs={"city": kupang})
    formset.is_valid()


@SETTINGS
@given(a=junk, b=junk, c=junk, d=junk, e=junk, f=junk)
def test_the_small_forms_never_crash(kupang, a, b, c, d, e, f):
    _assert_answers(MinutesForm({"minutes": a, "decisions": b, "finalise": c, "version": d}))
    _assert_answers(ReopenForm({"reason": a, "version": b}))
    _assert_answers(ScheduleForm({"starts_at": c, "venue": d}))
    ActionFilterForm(
        {"owner": a, "status": b, "category": c, "variable": d, "meeting": e, "overdue": f},
        city=kupang,
    ).is_valid()

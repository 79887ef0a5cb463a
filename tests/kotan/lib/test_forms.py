"""kotan.lib.forms.VersionField: the version a form was built from."""

from __future__ import annotations

from django import forms

from kotan.lib.forms import VersionField


class _Form(forms.Form):
    version = VersionField()
    optional = VersionField(required=False)


def test_it_is_hidden():
    assert 'type="hidden"' in str(_Form(initial={"version": 3})["version"])


def test_it_reads_a_positive_version():
    form = _Form(data={"version": "4"})
    assert form.is_valid()
    assert form.cleaned_data == {"version": 4, "optional": None}


def test_it_rejects_a_version_below_one_or_not_a_number():
    assert "version" in _Form(data={"version": "0"}).errors
    assert "version" in _Form(data={"version": "x"}).errors


def test_it_is_required_unless_said_otherwise():
    assert "version" in _Form(data={}).errors
    assert "optional" not in _Form(data={}).errors

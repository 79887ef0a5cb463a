"""Property tests: whatever is typed into the forms, the answer is a field message in
Indonesian or a valid value inside the indicator's range, never an exception."""

from decimal import Decimal
from urllib.parse import quote_from_bytes

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.forms import BandForm, EditionForm, EntryForm, GridForm, PeriodForm, ReasonForm
from indicators.models import Indicator, Variable
from indicators.services.values import value_error
from kotan.models import Region
from tests.conftest import login

ENGLISH = ("Enter ", "This field", "Ensure ", "Select a valid", "not allowed", "is required")
FIXTURES_OK = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text with what no database column stores: NUL bytes and lone UTF-16 surrogates.
hostile_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(["\x00", "\ud800", "\udfff"])),
    max_size=30,
)

# What people type into a number box: numbers in both notations, junk, huge and tiny values.
typed = st.one_of(
    st.text(max_size=30),
    hostile_text,
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(
        lambda d: str(d).replace(".", ",")
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            *("", " ", "1.000,5", "1e5", "NaN", "-0", "٣", "0x10", "1,2,3", "½", "50%"),
            *("1\x00", "\ud800"),
        ]
    ),
)


def _assert_indonesian(errors):
    for messages in errors.values():
        for message in messages:
            assert not any(word in message for word in ENGLISH), message


@pytest.fixture
def city_indicators(framework):
    return list(Indicator.objects.active().filter(level="kota").select_related("variable"))


@FIXTURES_OK
@given(raw=st.dictionaries(st.integers(0, 14), typed, max_size=15), comment=st.text(max_size=1200))
def test_the_entry_form_never_accepts_an_out_of_range_value(city_indicators, raw, comment):
    indicators = city_indicators
    data = {"version": "1"}
    for index, text in raw.items():
        data[f"v{indicators[index % len(indicators)].pk}"] = text
    data[f"c{indicators[0].pk}"] = comment
    form = EntryForm(data, indicators=indicators, editable={i.pk for i in indicators}, stored={})
    if form.is_valid():
        for pk, item in form.inputs().items():
            indicator = next(i for i in indicators if i.pk == pk)
            assert value_error(indicator, item.value) is None
            if item.value is not None and indicator.kind != Indicator.Kind.COUNT:
                assert indicator.value_min <= item.value <= indicator.value_max
    else:
        _assert_indonesian(form.errors)
        # What the user typed is kept for every field.
        for name, text in data.items():
            if name.startswith("v") and text.strip():
                assert form[name].value() == text


@FIXTURES_OK
@given(cells=st.lists(typed, min_size=3, max_size=3), version=typed)
def test_the_grid_form_answers_bad_cells_with_messages(framework, kupang, cells, version):
    indicators = list(Indicator.objects.active().filter(level="kelurahan"))[:3]
    regions = list(Region.objects.filter(city=kupang, level="kelurahan")[:1])
    data = {f"ver{regions[0].pk}": version}
    data |= {f"r{regions[0].pk}_{i.pk}": text for i, text in zip(indicators, cells, strict=True)}
    form = GridForm(
        data, kelurahan=regions, indicators=indicators, versions={}, locked=set(), stored={}
    )
    valid = form.is_valid()
    # Valid cells are saved even when others are wrong: never an invalid one.
    for row in form.rows_to_save():
        for pk, item in row.inputs.items():
            indicator = next(i for i in indicators if i.pk == pk)
            assert value_error(indicator, item.value) is None
    if not valid:
        _assert_indonesian(form.errors)


@FIXTURES_OK
@given(year=typed, opens=st.text(max_size=12), closes=st.text(max_size=12))
def test_the_period_form_answers_bad_dates_with_messages(db, year, opens, closes):
    form = PeriodForm({"year": year, "opens_on": opens, "closes_on": closes})
    if form.is_valid():
        assert form.cleaned_data["closes_on"] >= form.cleaned_data["opens_on"]
    else:
        _assert_indonesian(form.errors)


@FIXTURES_OK
@given(values=st.lists(typed, min_size=7, max_size=7), band=st.lists(typed, min_size=2, max_size=2))
def test_the_edition_forms_answer_bad_numbers_with_messages(framework, values, band):
    variables = list(Variable.objects.all())
    data = {"name": "X", "scale_min": values[0], "scale_max": values[1]}
    data |= {f"w_{v.code}": text for v, text in zip(variables, values[2:], strict=True)}
    form = EditionForm(data, variables=variables)
    if not form.is_valid():
        _assert_indonesian(form.errors)
    band_form = BandForm({"name": "A", "lower": band[0], "upper": band[1]})
    if not band_form.is_valid():
        _assert_indonesian(band_form.errors)
    else:
        assert isinstance(band_form.cleaned_data["lower"], Decimal)


@FIXTURES_OK
@given(version=typed, reason=st.one_of(st.text(max_size=1100), hostile_text))
def test_the_reason_form_answers_with_messages(db, version, reason):
    form = ReasonForm({"version": version, "reason": reason})
    if not form.is_valid():
        _assert_indonesian(form.errors)
    else:
        assert form.cleaned_data["reason"].strip()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=typed, version=typed, comment=st.one_of(st.text(max_size=50), hostile_text))
def test_the_entry_page_never_answers_500(client, operator, period, value, version, comment):
    kw1 = Indicator.objects.get(code="KW1")
    url = reverse("indicators:entry-city", kwargs={"pk": period.pk})
    fields = {"version": version, f"v{kw1.pk}": value, f"c{kw1.pk}": comment}
    # Encoded by hand: a raw client can send a surrogate's UTF-8 bytes; Django's test client
    # cannot encode one at all.
    body = "&".join(
        f"{name}={quote_from_bytes(text.encode('utf-8', 'surrogatepass'))}"
        for name, text in fields.items()
    )
    response = login(client, operator).generic(
        "POST", url, body, content_type="application/x-www-form-urlencoded"
    )
    # A NUL byte is refused before the view (400); a surrogate's bytes are not UTF-8 and
    # arrive as U+FFFD, which the form judges like any other text.
    refused = any("\x00" in text for text in fields.values())
    assert response.status_code in ((400,) if refused else (200, 302, 409))

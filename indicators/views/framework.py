"""The KOTAN framework: the national methodology (editions with their weights and bands,
variables, the indicator catalogue), which Admin Pusat alone changes, and the organisations
of a city that answer for each indicator, which the city's Admin assigns."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import selectors
from indicators.forms import (
    AssignForm,
    BandFormSet,
    EditionForm,
    IndicatorForm,
    VariableForm,
)
from indicators.models import Indicator, MethodologyEdition, Variable
from indicators.permissions import ASSIGNERS, FRAMEWORK_ADMINS, FRAMEWORK_READERS
from indicators.services.framework import (
    BandInput,
    FrameworkError,
    MethodologyFrozen,
    edition_copy_name,
    edition_is_frozen,
    edition_save,
    indicator_assign,
    indicator_delete,
    indicator_retire,
    indicator_save,
    variable_update,
)
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.permissions import role_required


@role_required(*FRAMEWORK_READERS)
def framework_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone may read how KOTAN is measured; Admin Pusat gets the edit links, a city's
    Admin the links to assign indicators to the city's organisations."""
    user = request.user
    context = {
        **selectors.framework_overview(),
        "indicators": selectors.catalogue(user.city),
        "can_edit": user.has_role(*FRAMEWORK_ADMINS),
        "can_assign": user.has_role(*ASSIGNERS),
    }
    return render(request, "indicators/framework.html", context)


def _edition_initial(edition: MethodologyEdition | None) -> tuple[dict[str, object], list]:
    if edition is None:
        return {
            "scale_min": Decimal(0),
            "scale_max": Decimal(100),
            "min_completeness": MethodologyEdition._meta.get_field("min_completeness").default,
        }, []
    initial: dict[str, object] = {
        "name": edition.name,
        "description": edition.description,
        "scale_min": edition.scale_min,
        "scale_max": edition.scale_max,
        "is_default": edition.is_default,
        "min_completeness": edition.min_completeness,
    }
    initial |= {
        f"w_{w.variable.code}": w.weight for w in edition.weights.select_related("variable")
    }
    bands = [{"name": b.name, "lower": b.lower, "upper": b.upper} for b in edition.bands.all()]
    return initial, bands


def _edition_page(
    request: AuthenticatedHttpRequest, edition: MethodologyEdition | None
) -> HttpResponse:
    variables = list(Variable.objects.all())
    initial, band_initial = _edition_initial(edition)
    data = request.POST if request.method == "POST" else None
    form = EditionForm(data, variables=variables, initial=initial)
    bands = BandFormSet(data, initial=band_initial, prefix="band")
    if data is not None and form.is_valid() and bands.is_valid():
        band_inputs = [
            BandInput(b["name"], b["lower"], b["upper"])
            for b in (f.cleaned_data for f in bands.forms)
            if b and not b.get("DELETE")
        ]
        values = {
            "name": form.cleaned_data["name"],
            "description": form.cleaned_data["description"],
            "scale_min": form.cleaned_data["scale_min"],
            "scale_max": form.cleaned_data["scale_max"],
            "is_default": form.cleaned_data["is_default"],
            "weights": form.weights(),
            "bands": band_inputs,
            "min_completeness": form.cleaned_data["min_completeness"],
        }
        try:
            try:
                edition = edition_save(actor=request.user, edition=edition, **values)
            except MethodologyFrozen as frozen:
                if edition is None or "as_new" not in request.POST:
                    raise
                # Final scores keep the edition they used: the change becomes a new edition.
                values["name"] = edition_copy_name(edition, values["name"])
                edition = edition_save(actor=request.user, edition=None, **values)
                messages.info(request, " ".join(frozen.errors))
        except FrameworkError as error:
            for message in error.errors:
                form.add_error(None, message)
        else:
            messages.success(request, _("Edisi %(name)s disimpan.") % {"name": edition.name})
            return redirect("indicators:framework")
    title = edition.name if edition else _("Edisi metodologi baru")
    context = {
        "form": form,
        "bands": bands,
        "title": title,
        "edition": edition,
        "frozen": edition is not None and edition_is_frozen(edition),
    }
    return render(request, "indicators/edition_form.html", context)


@role_required(*FRAMEWORK_ADMINS)
def edition_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edition_page(request, None)


@role_required(*FRAMEWORK_ADMINS)
def edition_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _edition_page(request, get_object_or_404(MethodologyEdition, pk=pk))


@role_required(*FRAMEWORK_ADMINS)
def variable_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    variable = get_object_or_404(Variable, pk=pk)
    form = VariableForm(request.POST or None, instance=Variable.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        variable_update(actor=request.user, variable=variable, **form.cleaned_data)
        messages.success(request, _("Variabel %(code)s disimpan.") % {"code": variable.code})
        return redirect("indicators:framework")
    title = _("Variabel %(name)s") % {"name": variable}
    return render(request, "indicators/form_page.html", {"form": form, "title": title})


def _indicator_page(request: AuthenticatedHttpRequest, indicator: Indicator | None) -> HttpResponse:
    user = request.user
    # The form works on a copy so that a refused change leaves `indicator` as stored.
    instance = Indicator.objects.get(pk=indicator.pk) if indicator else Indicator()
    form = IndicatorForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = indicator_save(actor=user, indicator=indicator, fields=form.cleaned_data)
        except FrameworkError as error:
            for message in error.errors:
                form.add_error(None, message)
        else:
            messages.success(request, _("Indikator %(code)s disimpan.") % {"code": saved.code})
            return redirect("indicators:framework")
    context = {
        "form": form,
        "indicator": indicator,
        "title": str(indicator) if indicator else _("Indikator baru"),
        "holds_values": bool(indicator and indicator.values.exists()),
    }
    return render(request, "indicators/indicator_form.html", context)


@role_required(*FRAMEWORK_ADMINS)
def indicator_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _indicator_page(request, None)


@role_required(*FRAMEWORK_ADMINS)
def indicator_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _indicator_page(request, get_object_or_404(Indicator, pk=pk))


@require_POST
@role_required(*FRAMEWORK_ADMINS)
def indicator_retire_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator, pk=pk)
    try:
        indicator_retire(
            actor=request.user,
            indicator=indicator,
            reason=request.POST.get("reason", "")[:1000],
        )
    except FrameworkError as error:
        messages.error(request, " ".join(error.errors))
    else:
        messages.success(request, _("Indikator %(code)s dipensiunkan.") % {"code": indicator.code})
    return redirect("indicators:framework")


@require_POST
@role_required(*FRAMEWORK_ADMINS)
def indicator_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator, pk=pk)
    try:
        indicator_delete(actor=request.user, indicator=indicator)
    except FrameworkError as error:
        messages.error(request, " ".join(error.errors))
    else:
        messages.success(request, _("Indikator %(code)s dihapus.") % {"code": indicator.code})
    return redirect("indicators:framework")


@role_required(*ASSIGNERS)
def indicator_assign_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A city's Admin names the city's organisations that answer for an indicator."""
    user = request.user
    assert user.city is not None
    indicator = get_object_or_404(Indicator, pk=pk)
    form = AssignForm(request.POST or None, indicator=indicator, city=user.city)
    if request.method == "POST" and form.is_valid():
        indicator_assign(
            actor=user, indicator=indicator, responsible=list(form.cleaned_data["responsible"])
        )
        messages.success(request, _("Penanggung jawab %(code)s disimpan.") % {"code": indicator})
        return redirect("indicators:framework")
    title = _("Penanggung jawab %(indicator)s") % {"indicator": indicator}
    return render(request, "indicators/form_page.html", {"form": form, "title": title})

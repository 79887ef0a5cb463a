"""The recommendation library, edited in the browser by operators and admins."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import User
from kotan.permissions import ALL_ROLES, role_required
from reports.forms import RecommendationForm
from reports.models import Recommendation
from reports.permissions import RECOMMENDATION_EDITORS
from reports.services.recommendations import (
    RecommendationError,
    StaleRecommendation,
    recommendation_create,
    recommendation_update,
)

Role = User.Role


def _get_recommendation_for_user(request: AuthenticatedHttpRequest, pk: int) -> Recommendation:
    return get_object_or_404(Recommendation.objects.for_user(request.user), pk=pk)


@role_required(*ALL_ROLES)
def recommendation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    recommendations = (
        Recommendation.objects.for_user(user)
        .select_related("variable", "indicator")
        .prefetch_related("bands__edition", "addressees")
        .order_by("variable__order", "order", "id")
    )
    return render(
        request,
        "reports/recommendation_list.html",
        {"recommendations": recommendations, "can_edit": user.role in RECOMMENDATION_EDITORS},
    )


@role_required(*RECOMMENDATION_EDITORS)
def recommendation_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = RecommendationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        assert user.city is not None
        try:
            recommendation_create(city=user.city, actor=user, data=form.to_input())
        except RecommendationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Rekomendasi disimpan."))
            return redirect("reports:recommendation-list")
    return render(request, "reports/recommendation_form.html", {"form": form})


@role_required(*RECOMMENDATION_EDITORS)
def recommendation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation = _get_recommendation_for_user(request, pk)
    user = request.user
    initial = {
        "variable": recommendation.variable_id,
        "indicator": recommendation.indicator_id,
        "bands": list(recommendation.bands.values_list("pk", flat=True)),
        "title": recommendation.title,
        "body": recommendation.body,
        "legal_basis": recommendation.legal_basis,
        "addressees": list(recommendation.addressees.values_list("pk", flat=True)),
        "order": recommendation.order,
        "active": recommendation.active,
        "version": recommendation.version,
    }
    form = RecommendationForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation_update(
                recommendation=recommendation,
                actor=user,
                data=form.to_input(),
                version=form.cleaned_data["version"] or 0,
            )
        except StaleRecommendation as exc:
            # Show the current text: the user redoes the edit on top of the other change.
            messages.warning(request, str(exc))
            return redirect("reports:recommendation-edit", pk=recommendation.pk)
        except RecommendationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Rekomendasi diperbarui."))
            return redirect("reports:recommendation-list")
    return render(
        request,
        "reports/recommendation_form.html",
        {"form": form, "recommendation": recommendation},
    )

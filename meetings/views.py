from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kotan.permissions import ALL_ROLES, role_required


@role_required(*ALL_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/index.html")

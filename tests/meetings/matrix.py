from kotan.models import Stakeholder
from tests.factories import make_action, make_evidence, make_meeting
from tests.matrix import Row, everyone, statuses


def _kesbangpol(personas):
    # The matrix's stakeholder officer works for Kesbangpol, so it owns these actions.
    return Stakeholder.objects.get(city=personas.city, code="kesbangpol")


def _meeting(personas):
    # Kesbangpol and Bappeda are invited, Dinkes is not: its officer sees nothing of it.
    invited = Stakeholder.objects.filter(city=personas.city, code__in=["kesbangpol", "bappeda"])
    return {"pk": make_meeting(city=personas.city, invited=list(invited)).pk}


def _action(personas):
    return {"pk": make_action(city=personas.city, owner=_kesbangpol(personas)).pk}


def _evidence(personas):
    action = make_action(city=personas.city, owner=_kesbangpol(personas))
    return {"pk": make_evidence(action).pk}


EDITORS = {"admin": 200, "operator": 200}
# POST rows send an empty form: roles allowed get the form back with its errors (200).
ROWS = [
    Row("meetings:index", everyone()),
    Row("meetings:meeting-create", statuses(other_city=200, **EDITORS)),
    Row(
        "meetings:meeting-detail",
        everyone(other_city=404, pemangku_uninvited=404),
        kwargs=_meeting,
    ),
    Row("meetings:meeting-edit", statuses(other_city=404, **EDITORS), kwargs=_meeting),
    Row("meetings:meeting-attendance", statuses(other_city=404, **EDITORS), kwargs=_meeting),
    Row("meetings:meeting-minutes", statuses(other_city=404, **EDITORS), kwargs=_meeting),
    Row(
        "meetings:meeting-reopen",
        statuses(other_city=404, verifikator=200, **EDITORS),
        kwargs=_meeting,
        method="post",
    ),
    Row("meetings:meeting-ics", everyone(other_city=404, pemangku_uninvited=404), kwargs=_meeting),
    Row(
        "meetings:agenda-draft",
        statuses(other_city=200, verifikator=200, pimpinan=200, **EDITORS),
    ),
    Row("meetings:agenda-schedule", statuses(other_city=200, **EDITORS), method="post"),
    Row("meetings:action-list", everyone()),
    Row("meetings:action-export", everyone()),
    Row("meetings:action-mine", statuses(other_city=403, pemangku=200)),
    Row("meetings:action-create", statuses(other_city=200, **EDITORS)),
    # Kesbangpol's action: the other organisations' officers do not see it.
    Row("meetings:action-detail", everyone(other_city=404, other_orgs=404), kwargs=_action),
    Row("meetings:action-edit", statuses(other_city=404, **EDITORS), kwargs=_action),
    Row(
        "meetings:action-progress",
        statuses(other_city=404, pemangku=200, other_orgs=404, **EDITORS),
        kwargs=_action,
        method="post",
    ),
    Row(
        "meetings:action-close",
        statuses(other_city=404, pemangku=200, other_orgs=404, **EDITORS),
        kwargs=_action,
        method="post",
    ),
    Row(
        "meetings:evidence-download",
        everyone(other_city=404, other_orgs=404),
        kwargs=_evidence,
    ),
]

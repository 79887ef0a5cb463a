from kotan.models import Stakeholder
from tests.matrix import Row, every_persona, everyone

ALL = every_persona(200)


def _kelurahan_code(personas):
    return {"code": "53.71.01.1001"}


def _stakeholder(personas):
    return {"pk": Stakeholder.objects.get(city=personas.city, code="polres").pk}


ROWS = [
    Row("kotan:home", everyone(admin_pusat=200)),
    Row("kotan:region-list", everyone()),
    Row("kotan:region-detail", everyone(other_city=404), kwargs=_kelurahan_code),
    Row("kotan:stakeholder-list", everyone()),
    Row("kotan:stakeholder-detail", everyone(other_city=404), kwargs=_stakeholder),
    Row("healthz", ALL),
    Row(
        "set-language",
        {**ALL, **dict.fromkeys(ALL, 302)},
        method="post",
        data=lambda p: {"language": "en"},
    ),
    # Django's auth views: open to everyone, logout only by POST.
    Row("login", ALL),
    Row("logout", {**dict.fromkeys(ALL, 302)}, method="post"),
    Row("password_change", everyone(admin_pusat=200)),
    Row("password_change_done", everyone(admin_pusat=200)),
    Row("password_reset", ALL),
    Row("password_reset_done", ALL),
    Row("password_reset_confirm", ALL, kwargs=lambda p: {"uidb64": "MQ", "token": "set-password"}),
    Row("password_reset_complete", ALL),
    # Two-step login (kotan.mfa), open to every logged-in user, Admin Pusat included. Admin,
    # Verifikator and Admin Pusat have an authenticator app and a verified session; the others
    # have no device, so the second step sends them to enrol.
    Row("mfa:enrol", {**everyone(), "admin_pusat": 200}),
    Row("mfa:verify", {**everyone(302), "admin": 200, "verifikator": 200, "admin_pusat": 200}),
    Row(
        "mfa:recovery-codes",
        {**everyone(302), "admin": 200, "verifikator": 200, "admin_pusat": 200},
        method="post",
    ),
    # The admin has its own permission system; its index stands for it here (staff only).
    Row("admin:index", {**everyone(302), "admin": 200, "admin_pusat": 200}),
]


def _notification(personas):
    """A notification of the operator's: every other persona gets 404."""
    from kotan.notifications import notifications_emit

    notifications_emit(
        city=personas.city,
        recipients=[personas.users["operator"]],
        kind="submission_returned",
        event_key="matrix:1",
        title="Data dikembalikan",
        url="/",
    )
    from kotan.models import Notification

    return {"pk": Notification.objects.get(event_key="matrix:1").pk}


# Notifications are a user's own: every persona has a list (Admin Pusat too, the bell is on
# every page); someone else's notification is 404.
ROWS += [
    Row("kotan:notification-list", {**everyone(), "admin_pusat": 200}),
    Row(
        "kotan:notification-read",
        {**everyone(404), "admin_pusat": 404, "operator": 302},
        kwargs=_notification,
        method="post",
    ),
    Row("kotan:notification-read-all", {**everyone(302), "admin_pusat": 302}, method="post"),
    Row("kotan:notification-settings", {**everyone(), "admin_pusat": 200}),
]

"""Kotan settings: one module, driven by environment variables.

Defaults make `make run` work on a laptop with no services (SQLite, Celery tasks run
eagerly); production differs only by environment (see README and docker-compose.yml).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kotan.lib.env import env_admins, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KOTAN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "rules",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "kotan",
    "indicators",
    "indicators.surveys",
    "meetings",
    "reports",
]

MIDDLEWARE = [
    # First: one log line per request, with its request id (see "Observability" below).
    "kotan.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kotan.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # 400 for NUL bytes and lone surrogates in the path, query, form or cookies: before
    # anything loads the session with such a cookie.
    "kotan.middleware.InputHygieneMiddleware",
    # Right after authentication: loads the session and user itself, so a database outage
    # is a 503 maintenance page (views' errors too, through process_exception).
    "kotan.middleware.DatabaseUnavailableMiddleware",
    # Two-step login: request.user.is_verified(), then no page before the second step.
    "django_otp.middleware.OTPMiddleware",
    "kotan.mfa.middleware.MfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kotan.urls"
WSGI_APPLICATION = "kotan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kotan.context_processors.navigation",
                "kotan.context_processors.permissions",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'kotan.sqlite3'}",
    schemes=("postgres", "postgresql", "sqlite"),
)
DATABASES = {
    # Health checks: a persistent connection broken by a database restart is replaced
    # before use instead of failing the first request after the outage.
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users, login, lock-out -----------------------------------------------------------
AUTH_USER_MODEL = "kotan.User"
AUTHENTICATION_BACKENDS = [
    # django-axes must come first so a locked-out user is refused before the password check.
    "axes.backends.AxesStandaloneBackend",
    # Named permissions (each app's permissions.py) before the model permissions.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "kotan:home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Lock the account being attacked, whatever address the attempts come from: officers share
# office NAT addresses, so locking by IP alone would lock out a whole dinas.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_VERBOSE = False
# axes.W006 asks to lock by IP address as well; see the reason above.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# Two-step login (kotan.mfa): the roles that must confirm every login with a TOTP code. The one
# place to extend (kotan.mfa.services.mfa_required reads it).
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", ["admin", "verifikator", "admin_pusat"])
MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = "Kotan"

# --- Uploaded spreadsheets -----------------------------------------------------------
# kotan.lib.uploads.xlsx_check: an XLSX is a zip archive; these bound
# what it may expand to before any parser reads it. A 50,000-row import sheet is ~25 MB.
XLSX_MAX_ENTRIES = env_int("XLSX_MAX_ENTRIES", 200)
XLSX_MAX_UNCOMPRESSED_BYTES = env_int("XLSX_MAX_UNCOMPRESSED_MB", 64) * 1024 * 1024
XLSX_MAX_COMPRESSION_RATIO = env_int("XLSX_MAX_COMPRESSION_RATIO", 100)
XLSX_MAX_SHARED_STRINGS_BYTES = env_int("XLSX_MAX_SHARED_STRINGS_MB", 16) * 1024 * 1024

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Makassar"
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["kotan.formats"]

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads (evidence, briefs) are served only through permission-checked views, never from a
# public URL, so MEDIA_URL is deliberately not routed anywhere.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Largest evidence file accepted (indicator values, follow-up actions), in bytes.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10_485_760)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
# The kelurahan grid posts one field per kelurahan × indicator (51 × 9 in Kota Kupang).
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 5000)

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss"))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Celery ---------------------------------------------------------------------------
# Without REDIS_URL tasks run in-process, so a laptop needs no broker. With it, the defaults
# are at-least-once: a task is acknowledged only after it finished, and a task whose worker
# died is handed to another worker; tasks must therefore be idempotent.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With Redis, an unacknowledged task is redelivered after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 2,
}
CELERY_TIMEZONE = TIME_ZONE
# --- Recovery: sweepers, leases and retries (issue 9) ---------------------------------
# How often beat runs the sweepers (briefs whose lease expired or whose message was lost,
# pending score recomputes). Tests use a few seconds.
SWEEP_INTERVAL_SECONDS = env_int("KOTAN_SWEEP_INTERVAL", 60)
# A worker rendering a brief refreshes its lease (Brief.heartbeat_at) every
# BRIEF_HEARTBEAT_SECONDS; a lease not refreshed for BRIEF_LEASE_SECONDS belongs to a dead
# worker, and the sweeper hands the brief to another one.
BRIEF_LEASE_SECONDS = env_int("KOTAN_BRIEF_LEASE", 30)
BRIEF_HEARTBEAT_SECONDS = max(1, BRIEF_LEASE_SECONDS // 3)
# Transient errors (the database is down) are retried after base, 2×base, 4×base … seconds,
# at most the cap each: with the defaults 8 retries span about 20 minutes.
TASK_RETRY_BASE_SECONDS = env_int("KOTAN_RETRY_BASE", 10)
TASK_RETRY_MAX_SECONDS = env_int("KOTAN_RETRY_MAX", 300)
# Seconds a client is asked to wait (Retry-After) when the database is unreachable.
DATABASE_UNAVAILABLE_RETRY_AFTER = 30
# Beat reads crontabs in CELERY_TIMEZONE (Asia/Makassar, WITA).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Recomputes every open period and every period whose recompute request is still pending
    # (e.g. queued while the broker was down).
    "scores-nightly": {
        "task": "indicators.tasks.recompute_nightly",
        "schedule": crontab(hour=env_int("SCORES_NIGHTLY_HOUR", 1), minute=30),
    },
    # 07.00 WITA, before office hours.
    "meetings-action-reminders": {
        "task": "meetings.tasks.send_action_reminders",
        "schedule": crontab(minute=0, hour=7),
    },
    "meetings-operator-digest": {
        "task": "meetings.tasks.send_operator_digest",
        "schedule": crontab(minute=15, hour=7, day_of_week="mon"),
    },
    # Emails notifications whose task found the broker down (or whose worker died).
    "kotan-notifications-sweep": {
        "task": "kotan.tasks.notifications_sweep_task",
        "schedule": 60.0,
    },
    # 16.00 WITA, the end of office hours: one digest per user who chose it.
    "kotan-notifications-digest": {
        "task": "kotan.tasks.notifications_digest_task",
        "schedule": crontab(minute=0, hour=16),
    },
    # Sends briefs whose request found the broker down (or whose task was lost) again.
    "reports-briefs-sweep": {
        "task": "reports.tasks.briefs_sweep_task",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    # Recomputes periods whose request is still pending (the broker was down when the data
    # was approved): the dashboard is fresh within a sweep of the broker's return.
    "scores-pending-sweep": {
        "task": "indicators.tasks.recompute_pending",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
}

# --- Policy briefs (reports) ------------------------------------------------------------
# A queued brief whose task was sent this long ago without being picked up is sent again.
BRIEF_REDISPATCH_AFTER_SECONDS = env_int("BRIEF_REDISPATCH_AFTER_SECONDS", 600)
# Test hook: seconds a worker waits after claiming a brief, so the worker tests can kill it
# mid-render. Never set in a deployment.
BRIEF_RENDER_DELAY_SECONDS = env_int("KOTAN_BRIEF_RENDER_DELAY", 0)

# --- Email ----------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kotan <kotan@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and container healthchecks probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Observability, backups, media clean-up ----------------------------------------------
# LOG_FORMAT=json: one JSON object per line (docker-compose.yml's default); otherwise text.
# Every line of a request carries its request id (kotan.middleware.RequestLogMiddleware).
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "kotan.lib.logs.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "not_503": {"()": "kotan.lib.logs.NotServiceUnavailable"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "kotan.lib.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "not_503"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint logs every layout step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # Server errors and task failures (kotan.lib.logs) are mailed; the lines also reach
        # the root's console handler.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "kotan.tasks": {"handlers": ["mail_admins"], "level": "INFO"},
    },
}
# The worker keeps this configuration instead of replacing the root logger's handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Errors (500s, failed tasks) are mailed to these: "Ani <ani@bnn.go.id>, ops@bnn.go.id".
ADMINS = env_admins("ADMINS")
# Optional error tracking; sentry-sdk is imported only when a DSN is set.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from kotan.lib.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))

# `manage.py backup` (nightly from beat) writes here and keeps the newest BACKUP_KEEP.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
# Files under MEDIA_ROOT that no row references (evidence of a refused save, a superseded
# brief) are deleted by the nightly clean-up once older than this.
MEDIA_ORPHAN_GRACE_HOURS = env_int("MEDIA_ORPHAN_GRACE_HOURS", 24)
CELERY_BEAT_SCHEDULE.update(
    {
        # 02.00 WITA, after the nightly recompute.
        "kotan-backup-nightly": {
            "task": "kotan.tasks.backup_nightly_task",
            "schedule": crontab(hour=env_int("BACKUP_HOUR", 2), minute=0),
        },
        "kotan-media-orphans": {
            "task": "kotan.tasks.media_orphans_delete_task",
            "schedule": crontab(hour=3, minute=30),
        },
    }
)

"""Settings, read from the environment. One module; environment variables switch what differs.

DATABASE_URL    sqlite:///path (default: db.sqlite3 beside manage.py) or postgres://...
DATABASE_REPLICA_URL  a read replica for the reports (optional).
REDIS_URL       when set, Celery uses it (scale mode); otherwise the embedded worker runs jobs.
MEDIA_STORAGE   filesystem (default, MEDIA_ROOT) or s3 (AWS_STORAGE_BUCKET_NAME, AWS_S3_*).
CELERY_QUEUE    the broker queue of the periodic ticks (default "celery").
DEBUG           "1" to turn debugging on; off by default.
SECRET_KEY      required unless DEBUG is on.
ALLOWED_HOSTS   comma-separated; default 127.0.0.1,localhost.
PROPDESK_PRODUCTION  "1" for a production start: never the demo (see propdesk/demo/bootstrap.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

# Lets ModelAdmin[Model], QuerySet[Model] and friends be subscripted at run time, for typing.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set (make run writes one to .env).")
    SECRET_KEY = "insecure-debug-only"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "import_export",
    "propdesk.core.axes_app.AxesConfig",  # django-axes: login throttling (see below)
    "propdesk.core",
    "propdesk.community",
    # clocks before notify: each worker tick sweeps first, then delivers what the sweep wrote.
    "propdesk.clocks",
    "propdesk.notify",
    "propdesk.desk",
    "propdesk.incidents",
    "propdesk.followup",
    "propdesk.calls",
    "propdesk.concierge",
    "propdesk.reports",
    "propdesk.api",
    "propdesk.web",
    "propdesk.portal",
    "propdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "propdesk.core.headers.ContentSecurityPolicyMiddleware",
    # Pages answer GET, HEAD and POST only: PUT, DELETE, PATCH, TRACE … are 405 (not /api/).
    "propdesk.core.methods.PageMethodsMiddleware",
    # Under /api/: a body or query too large answers the API's JSON 413 before anything reads it.
    "propdesk.api.limits.ApiBodyLimitMiddleware",
    # A page's POST is read without NUL characters (never typed; PostgreSQL refuses them).
    "propdesk.core.nul.PageNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, the signed-in user's row read with SQL built once (the session still names
    # Django's ModelBackend; core.auth follows django.contrib.auth.get_user step for step).
    "propdesk.core.auth.AuthenticationMiddleware",
    # Chinese unless the signed-in user chose English, whatever the browser asks (not Django's
    # LocaleMiddleware, which follows Accept-Language).
    "propdesk.core.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a locked-out login on any door into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "propdesk.urls"
WSGI_APPLICATION = "propdesk.wsgi.application"
AUTH_USER_MODEL = "community.User"
# axes first: it refuses a locked-out account or address before a password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk-home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "propdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "propdesk.web.context.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing with "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Django's backend, waiting for the write lock in short even steps instead of SQLite's
    # growing sleeps (propdesk/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "propdesk.core.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else DATABASES["default"]["CONN_MAX_AGE"]
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # No JIT compilation for the app's own reads: they are short (an order, a page of a list), and
    # over a few thousand rows the planner's cost passes jit_above_cost, so PostgreSQL spent more
    # compiling (20-150 ms measured on the board at 1,000,000 orders) than executing. The reports'
    # replica keeps the server's setting. DB_PG_OPTIONS="" restores the server's default.
    _pg_options = os.environ.get("DB_PG_OPTIONS", "-c jit=off")
    if _pg_options:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = _pg_options
    # Prepared statements: psycopg sends the parameters apart from the SQL (server-side binding),
    # so a statement's text is the same on every request, and prepares it on the connection once
    # it has run DB_PG_PREPARE_THRESHOLD times; PostgreSQL then skips parsing and planning it. A
    # create's 16 statements cost the server a third less CPU (bench/RESULTS.md). Empty: Django's
    # default, parameters quoted into the SQL on the client and nothing prepared (for PgBouncer in
    # transaction mode before 1.21, which cannot keep a connection's prepared statements).
    _prepare = os.environ.get("DB_PG_PREPARE_THRESHOLD", "5")
    if _prepare and not _prepare.isdigit():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DB_PG_PREPARE_THRESHOLD must be a whole number or empty.")
    if _prepare:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=int(_prepare)
        )
        # Django's backend plus the protocol's limit of 65,535 parameters per statement, which
        # server-side binding brings: bulk writes and cascading deletes go in batches under it.
        DATABASES["default"]["ENGINE"] = "propdesk.core.postgresql"
# A read replica (PostgreSQL streaming replica) for the reports' heavy reads: the monthly report,
# its PDF and workbook, the comparison of communities and the KPI figures read from it through
# propdesk.core.replica.replica_reads; everything else, and every write, uses "default".
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    )
# The alias the reports read from: "replica" when one is configured, else "default".
REPORTS_DATABASE = "replica" if DATABASE_REPLICA_URL else "default"
DATABASE_ROUTERS = ["propdesk.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Passwords, sessions, security --------------------------------------------------------------
# The password policy, applied wherever a password is set through a form or command (the back
# office's add and change-password pages, /admin/password_change/, changepassword): at least 10
# characters, not like the username, name or phone, not a common password, not all digits.
# Django's own messages, in Chinese under zh-hans.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "name", "phone", "email")},
    },
    {
        "NAME": "propdesk.core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SECURE_HTTPS = env_bool("SECURE_HTTPS")  # behind TLS in production
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions (the same rows and signing), each read with SQL built once.
SESSION_ENGINE = "propdesk.core.sessions"
X_FRAME_OPTIONS = "DENY"
# The board's index of open orders carries their ids (INCLUDE) on PostgreSQL only, by design
# (desk.WorkOrder.Meta, wo_comm_state_time); SQLite builds it without them. Django warns of that
# on every SQLite start (models.W040), which reads as a fault to whoever runs `make run`.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Every page's Content-Security-Policy (propdesk.core.headers): scripts and styles only from this
# site's files, no inline script, handler, <style> or style attribute.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The pages of other apps write styles of their own inline (Django's admin: a list's <style>, its
# widgets' style attributes; the API's docs: Swagger UI's): there, and only there, inline styles
# are allowed (scripts still are not).
CONTENT_SECURITY_POLICY_INLINE_STYLE_PATHS = ("/admin/", "/api/")
CONTENT_SECURITY_POLICY_INLINE_STYLES = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self';", "style-src 'self' 'unsafe-inline';"
)
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Language and time --------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "propdesk" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploaded files (attachments, incident and notice photos): the local filesystem (MEDIA_ROOT) by
# default; MEDIA_STORAGE=s3 puts them in a private bucket of any S3-compatible store (AWS S3,
# MinIO, Ceph, 阿里云 OSS, 腾讯云 COS) through django-storages. They still go out only through the
# access-checked /api/files/... views, which read the object and stream it (no public or signed
# URL is ever handed out): see README, "Production".


def media_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """The STORAGES entry for uploaded files, from the environment ``env`` (MEDIA_STORAGE and,
    for s3, the AWS_* variables below)."""
    from django.core.exceptions import ImproperlyConfigured

    kind = env.get("MEDIA_STORAGE", "filesystem").strip().lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured("MEDIA_STORAGE must be filesystem or s3.")
    if not env.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options: dict[str, Any] = {
        "bucket_name": env["AWS_STORAGE_BUCKET_NAME"],
        # Empty: AWS itself; otherwise the store's address, e.g. https://oss-cn-hangzhou.aliyuncs.com
        "endpoint_url": env.get("AWS_S3_ENDPOINT_URL", ""),
        "region_name": env.get("AWS_S3_REGION_NAME", ""),
        # Empty: boto3's own chain (its environment variables, an instance role, ~/.aws).
        "access_key": env.get("AWS_ACCESS_KEY_ID", ""),
        "secret_key": env.get("AWS_SECRET_ACCESS_KEY", ""),
        "addressing_style": env.get("AWS_S3_ADDRESSING_STYLE", ""),  # path, virtual or auto
        "location": env.get("AWS_LOCATION", ""),  # a key prefix inside the bucket
    }
    options = {k: v for k, v in options.items() if v}
    options |= {
        "signature_version": "s3v4",
        "default_acl": None,  # the bucket's own ACL (private): never public-read
        "querystring_auth": True,  # a URL the storage makes is signed (the app never hands one out)
        "file_overwrite": False,  # the names are uuids anyway: never replace an object
        # A download larger than this spills to a temporary file, not the worker's memory.
        "max_memory_size": 2 * 1024 * 1024,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem").strip().lower()
STORAGES = {
    "default": media_storage(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PROPDESK_TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- API ----------------------------------------------------------------------------------------
# An API token's lifetime in hours (30 days); a password change or a revocation ends it sooner.
API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "720"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous call then gets 401 with WWW-Authenticate, not a bare 403.
        "propdesk.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "propdesk.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "propdesk.api.errors.exception_handler",
    # DRF's three, with a JSON parser that answers a body nested too deeply as a parse error.
    "DEFAULT_PARSER_CLASSES": [
        "propdesk.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "propdesk API",
    "DESCRIPTION": "The service desk of a residential property-management office.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "propdesk.api.schema_hooks.add_error_responses",
    ],
    # Swagger UI assets are served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrderKindEnum": "propdesk.desk.models.OrderKind",
        "TeamKindEnum": "propdesk.community.models.TeamKind",
        "AttachmentKindEnum": "propdesk.desk.models.Attachment.Kind",
        "RelationEnum": "propdesk.community.models.Relation",
        "OrderStateEnum": "propdesk.desk.models.OrderState",
        "ClockStateEnum": "propdesk.clocks.models.ClockState",
        "NotificationChannelEnum": "propdesk.notify.models.NotificationChannel",
        "ChannelEnum": "propdesk.desk.models.Channel",
        "OutcomeEnum": "propdesk.desk.models.Outcome",
        "VisitChannelEnum": "propdesk.followup.models.VisitChannel",
        "VisitOutcomeEnum": "propdesk.followup.models.VisitOutcome",
        "VisitKindEnum": "propdesk.followup.models.VisitKind",
        "ItemKindEnum": "propdesk.followup.models.ItemKind",
        "ReplyChannelEnum": "propdesk.desk.models.ReplyChannel",
    },
}

# --- Background work ----------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
# The broker queue of the periodic ticks: two installs (or a test run) sharing one Redis keep
# apart by naming their own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
# How often the jobs a person waits on run (the sweeper, the telling, the delivery, an emergency's
# repeat); a breach's escalation is written within about one interval of its deadline. The other
# jobs have their own longer interval (``@periodic_job(every=…)``), never shorter than this.
WORKER_INTERVAL_SECONDS = float(os.environ.get("WORKER_INTERVAL_SECONDS", "0.5"))
# /health/ answers 503 when a job's last tick is older than HEALTH_STALE_INTERVALS of its
# intervals, and never sooner than HEALTH_STALE_MIN_SECONDS (a 0.5 s interval would otherwise
# flap on one slow delivery run).
HEALTH_STALE_INTERVALS = float(os.environ.get("HEALTH_STALE_INTERVALS", "3"))
HEALTH_STALE_MIN_SECONDS = float(os.environ.get("HEALTH_STALE_MIN_SECONDS", "10"))
# Done announcements (desk.Announcement: the staff were told) are deleted by the worker once
# done longer ago than this many days; pending ones and those given up on are never deleted.
ANNOUNCEMENT_RETENTION_DAYS = int(os.environ.get("ANNOUNCEMENT_RETENTION_DAYS", "30"))

# Read in-app notifications (the staff's bell) are deleted by the worker once read longer ago
# than this many days (and sent that long ago); unread ones are never deleted.
NOTIFICATION_RETENTION_DAYS = int(os.environ.get("NOTIFICATION_RETENTION_DAYS", "180"))
# The delivery records (the staff's e-mail, SMS and webhook messages; the residents' text
# messages) are deleted by the worker once written and sent (or failed for good) longer ago
# than this many days: six months, as China's Cybersecurity Law (art. 21) asks network logs be
# kept. One still pending or being retried is never deleted.
NOTIFICATION_DELIVERY_RETENTION_DAYS = int(
    os.environ.get("NOTIFICATION_DELIVERY_RETENTION_DAYS", "180")
)

# --- E-mail (notifications) ---------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "propdesk@localhost")

# --- Notifications: delivery policy --------------------------------------------------------------
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))
NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "30"))
NOTIFY_RETRY_MAX_SECONDS = int(os.environ.get("NOTIFY_RETRY_MAX_SECONDS", "3600"))
NOTIFY_RETRY_JITTER = 0.1
NOTIFY_LEASE_SECONDS = 180  # longer than NOTIFY_BATCH_SIZE × NOTIFY_SEND_TIMEOUT_SECONDS
NOTIFY_BATCH_SIZE = 20
NOTIFY_SEND_TIMEOUT_SECONDS = 5
NOTIFY_TICK_BUDGET_SECONDS = 2
NOTIFY_ALL_CHANNEL_KINDS = ["emergency"]  # EM-1: these go on every channel a person has
NOTIFY_EMAIL_SUBJECT_PREFIX = "[物业服务台] "
# Webhook hosts and networks that may be internal (an in-house webhook); empty: only the internet.
NOTIFY_ALLOWED_PRIVATE_HOSTS = [
    h.strip() for h in os.environ.get("NOTIFY_ALLOWED_PRIVATE_HOSTS", "").split(",") if h.strip()
]

# --- Login throttling (django-axes) -------------------------------------------------------------
# Every door (the console /desk/login/, the back office /admin/login/, POST /api/auth/token/):
# after LOGIN_FAILURE_LIMIT wrong passwords for one account from one address, that account is
# locked for that address only, for LOGIN_COOLOFF_MINUTES (counted again from each further try).
# The key is the pair: locked by the account alone, anyone who knows a username could keep its
# owner out (the superuser too) with a few wrong passwords; by the address alone, one person
# would lock out everyone behind the same address (an office behind one NAT). So a guesser locks
# only themselves. Axes has one limit for all its keys (AXES_FAILURE_LIMIT is one number, compared
# with the largest count of any key), so no second, higher limit per address here: one account
# from many addresses, or many accounts from one address, are not stopped by this (see README).
# Each failure and lockout is recorded (back office → Axes).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the pair, not either one
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "propdesk.web.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "propdesk.web.lockout.client_ip"
AXES_USERNAME_CALLABLE = "propdesk.web.lockout.login_username"
# The worker (core.logins) deletes the login and failure records (back office → Axes) older than
# this many days; six months by default, as long as China's Cybersecurity Law (art. 21) asks
# network logs be kept. Lockout counters go once their cool-off is over.
LOGIN_LOG_RETENTION_DAYS = int(os.environ.get("LOGIN_LOG_RETENTION_DAYS", "180"))
# Behind a reverse proxy every request comes from the proxy's address: name the header that the
# proxy sets to the client's address (e.g. HTTP_X_REAL_IP) so that the lock is per client. Only
# set it when the proxy always overwrites that header; a client can send it too.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")

# --- propdesk -----------------------------------------------------------------------------------
# The time source: a dotted path to a zero-argument factory of propdesk.core.clock.Clock.
PROPDESK_CLOCK = os.environ.get("PROPDESK_CLOCK", "propdesk.core.clock.SystemClock")
# A production start (also any start beyond loopback or on PostgreSQL): `make run` never seeds
# the demo and its published password; an empty database gets an admin with a generated one.
PROPDESK_PRODUCTION = env_bool("PROPDESK_PRODUCTION")
# Where residents open the portal from a text message (issue 13): scheme and host, no path.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# A resident's report takes at most this many photos.
PORTAL_MAX_PHOTOS = int(os.environ.get("PORTAL_MAX_PHOTOS", "6"))
# What one signed-in resident may make the office do from the portal (a session in a script
# could otherwise open orders by the thousand, empty the service cart's shelf or call the
# concierge again and again): reports per resident's number as "count/seconds" pairs (5 an hour,
# 20 a day; desk.services.residents), and at most so many of a household's reservations not yet
# handed over and concierge requests still open (concierge.services). Beyond them, the front desk.
PORTAL_REPORT_LIMITS = os.environ.get("PORTAL_REPORT_LIMITS", "5/3600,20/86400")
PORTAL_OPEN_RESERVATIONS = int(os.environ.get("PORTAL_OPEN_RESERVATIONS", "3"))
PORTAL_OPEN_CONCIERGE_REQUESTS = int(os.environ.get("PORTAL_OPEN_CONCIERGE_REQUESTS", "3"))
# Family members an owner adds to a household from the portal (community.family); the office adds
# more in the back office.
PORTAL_FAMILY_MEMBERS = int(os.environ.get("PORTAL_FAMILY_MEMBERS", "10"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# An imported .xlsx is a zip: refused before it is opened when its members would unpack to more
# than this (a 200 KB file can expand to hundreds of MB and take a web worker's memory with it).
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_ZIP_MEMBERS = int(os.environ.get("IMPORT_MAX_ZIP_MEMBERS", "1000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

ADMIN_SITE_HEADER = _("propdesk back office")

# --- Live screens -------------------------------------------------------------------------------
# Notification kinds every open staff page shows as a banner with a sound, like an emergency
# (which always is one): FD-4's agitated visitor, whom the office head must meet at once. See
# propdesk/web/live.py.
LIVE_ALERT_KINDS: list[str] = ["agitated_visitor"]

# --- Resident portal: sign-in by SMS code --------------------------------------------------------
# How many codes may be asked for, as "count/seconds" pairs, three ways (portal.signin.code_send):
# - PORTAL_CODE_LIMITS, per number and client address together (1 a minute, 5 an hour, 10 a day):
#   a resident asking again and again. Someone else asking for the same number elsewhere has a
#   count of their own, so they cannot use up the resident's.
# - PORTAL_CODE_ADDRESS_LIMITS, per address whatever the number (5 a minute, 20 an hour, 50 a
#   day): one address sending codes to many numbers, or sounding out the register. Higher than
#   the pair's: a family, an office or a mobile carrier's NAT may share one address.
# - PORTAL_CODE_NUMBER_LIMITS, per number from every address (20 a day): the cap on paid SMS
#   to one phone. Higher than the pair's, so that reaching it takes several addresses.
# Every ask within the limits counts, for a number on the register or not, so no limit tells
# who is registered. A code works for PORTAL_CODE_TTL_SECONDS, once; asking again does not void
# it (the last few live codes all work); PORTAL_CODE_MAX_TRIES wrong tries burn it. The rows live
# in the database, so the limits hold across web processes.
PORTAL_CODE_LIMITS = os.environ.get("PORTAL_CODE_LIMITS", "1/60,5/3600,10/86400")
PORTAL_CODE_ADDRESS_LIMITS = os.environ.get("PORTAL_CODE_ADDRESS_LIMITS", "5/60,20/3600,50/86400")
PORTAL_CODE_NUMBER_LIMITS = os.environ.get("PORTAL_CODE_NUMBER_LIMITS", "20/86400")
PORTAL_CODE_TTL_SECONDS = int(os.environ.get("PORTAL_CODE_TTL_SECONDS", "300"))
PORTAL_CODE_MAX_TRIES = int(os.environ.get("PORTAL_CODE_MAX_TRIES", "3"))
# The worker (portal.codes) deletes the codes expired longer ago than this many hours, and never
# one the limits above still count (sent within their longest window); and the rate limit's lock
# rows (a row per number and per address) untouched for as long as both.
PORTAL_CODE_RETENTION_HOURS = int(os.environ.get("PORTAL_CODE_RETENTION_HOURS", "24"))
# Retention shorter than a day would delete what is still in use.
for _name in (
    "ANNOUNCEMENT_RETENTION_DAYS",
    "NOTIFICATION_RETENTION_DAYS",
    "NOTIFICATION_DELIVERY_RETENTION_DAYS",
    "LOGIN_LOG_RETENTION_DAYS",
    "PORTAL_CODE_RETENTION_HOURS",
):
    if globals()[_name] < 1:
        from django.core.exceptions import ImproperlyConfigured

        _unit = "hours" if _name.endswith("HOURS") else "days"
        raise ImproperlyConfigured(f"{_name} must be a whole number of {_unit}, 1 or more.")

# --- SMS gateway (propdesk/notify/sms.py) --------------------------------------------------------
# SMS_BACKEND: console (default: the log), aliyun or tencent (or a dotted class path). The keys come
# from the environment only. SMS_TEMPLATES: JSON, template name → the provider's approved template
# ({"sign_in_code": "SMS_123456789", "text": "SMS_987654321"}).
_SMS_BACKENDS = {
    "console": "propdesk.notify.sms.ConsoleGateway",
    "aliyun": "propdesk.notify.sms.AliyunGateway",
    "tencent": "propdesk.notify.sms.TencentGateway",
}
SMS_BACKEND = _SMS_BACKENDS.get(
    os.environ.get("SMS_BACKEND", "console"), os.environ.get("SMS_BACKEND", "")
)
SMS_OPTIONS: dict[str, object] = {
    k: v
    for k, v in {
        "access_key_id": os.environ.get("SMS_ACCESS_KEY_ID", ""),  # Aliyun
        "access_key_secret": os.environ.get("SMS_ACCESS_KEY_SECRET", ""),  # Aliyun
        "secret_id": os.environ.get("SMS_SECRET_ID", ""),  # Tencent
        "secret_key": os.environ.get("SMS_SECRET_KEY", ""),  # Tencent
        "sdk_app_id": os.environ.get("SMS_SDK_APP_ID", ""),  # Tencent
        "sign_name": os.environ.get("SMS_SIGN_NAME", ""),
        "templates": json.loads(os.environ.get("SMS_TEMPLATES", "{}")),
        "endpoint": os.environ.get("SMS_ENDPOINT", ""),
        "region": os.environ.get("SMS_REGION", ""),
    }.items()
    if v
}

# --- WeChat official account (公众号) silent login: off unless WECHAT_LOGIN=1 -------------------
WECHAT_LOGIN = env_bool("WECHAT_LOGIN")
WECHAT_APP_ID = os.environ.get("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = os.environ.get("WECHAT_APP_SECRET", "")
WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_AUTHORIZE_URL = os.environ.get(
    "WECHAT_AUTHORIZE_URL", "https://open.weixin.qq.com/connect/oauth2/authorize"
)

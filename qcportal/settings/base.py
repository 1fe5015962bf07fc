"""Shared settings for QC Portal.

Environment variables (all optional for the local demo):
``DATABASE_URL`` (default: SQLite file ``db.sqlite3`` in the checkout),
``REDIS_URL`` (unset: Celery tasks run in-process), ``SECRET_KEY``, ``DEBUG``,
``ALLOWED_HOSTS`` (comma separated), ``MEDIA_ROOT`` (where report files are stored),
``EMAIL_BACKEND`` (default: the console backend, e-mails are printed), ``EMAIL_HOST`` …,
``DEFAULT_FROM_EMAIL``, ``SITE_URL`` (the portal's address in e-mailed links, default
``http://127.0.0.1:8000``), ``SESSION_IDLE_TIMEOUT`` / ``SESSION_ABSOLUTE_TIMEOUT`` (seconds,
default 1800 / 43200), ``PASSWORD_RESET_TIMEOUT`` (seconds a reset link is valid, default 3600),
``RATE_LIMIT_PASSWORD_RESET`` (reset requests per address, default ``5/m``),
``API_TOKEN_TTL_DAYS`` / ``API_TOKEN_MAX_TTL_DAYS`` (days an API token is valid by default / at
most, default 90 / 365),
``AUDIT_RETENTION_DAYS`` (audit entries older than this are pruned daily, default 3650;
0 keeps them forever),
``BACKUP_DIR`` / ``BACKUP_KEEP`` (where ``manage.py backup`` writes its archives, default
``backups/`` in the checkout, and how many it keeps, default 14), ``API_DOCS_PUBLIC`` (the
OpenAPI schema and Swagger UI without login, default off), ``LOG_FORMAT`` (``text`` or
``json``; production defaults to ``json``),
``ORPHAN_FILES_GRACE_HOURS`` (unreferenced uploaded files younger than this are kept by the
daily orphan sweep, default 24).
Scale (issue 10): ``DATABASE_REPLICA_URL`` (a read replica for dashboard and report reads),
``DATABASE_POOL`` (psycopg pool sizes, e.g. ``min_size=2,max_size=4``), ``DASHBOARD_FRESH_SECONDS``
(how long a cached dashboard figure counts as fresh, default 600).
Account security (issue 9 item 1): ``OTP_REQUIRED_ROLES`` (comma separated roles that must use
two-factor authentication, default ``association_admin,association_staff``),
``RATE_LIMIT_OTP`` (second-factor and re-authentication attempts per user, default ``10/m``),
``REAUTH_MAX_AGE`` (seconds a password/code confirmation lets sensitive actions through,
default 300), ``DEMO_SHOW_OTP`` (the verify page shows the current code, for the demo only;
default off), ``PWNED_PASSWORDS_ENABLED`` (check new passwords against the Pwned Passwords
range API, falling back to the common-password list when it is unreachable; default on).
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from qcportal import queues
from qcportal.logs import logging_config
from qcportal.settings.database import apply_pool, replica_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    REDIS_URL=(str, ""),
)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-key-only-for-the-demo-change-me")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # runserver serves static files as gunicorn does: WhiteNoise
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens: hashed, named, expiring, many per user (model qcportal.ApiToken)
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    "health_check",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "qcportal.apps.QcPortalConfig",
    "promotion.apps.PromotionConfig",
    "circles.apps.CirclesConfig",
    "evaluation.apps.EvaluationConfig",
    "reports.apps.ReportsConfig",
]

MIDDLEWARE = [
    # The request id (X-Request-ID) first, so every log record of the request carries it.
    "qcportal.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files in every setting, DEBUG or not: from STATIC_ROOT (collectstatic) in
    # production, straight from the finders for the demo (WHITENOISE_USE_FINDERS, local.py).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qcportal.middleware.RequestSizeLimitMiddleware",
    # Normalises query strings and form bodies once, before any view reads them (R-SC-20).
    "qcportal.middleware.InputNormalisationMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qcportal.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, the session user read from the acting-membership
    # cache with its memberships when current (R-SC-70; one cache read instead of a query).
    "qcportal.tenancy.SessionAuthenticationMiddleware",
    # django-otp: request.user.is_verified() from the device stored in the session.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeout (needs the session user and the messages).
    "qcportal.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qcportal.tenancy.TenantMiddleware",
    # The acting organisation and user for the log records (needs request.membership).
    "qcportal.logs.RequestContextMiddleware",
    # Two-factor enforcement by role (needs the memberships), re-authentication redirects,
    # and the active-sessions list's last activity.
    "qcportal.account_middleware.AccountSecurityMiddleware",
    "qcportal.audit.AuditMiddleware",
    # django-ratelimit: turns a rate-limited view's refusal into RATELIMIT_VIEW (429).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # django-axes last: it turns a locked-out login into the lockout page / 429.
    "axes.middleware.AxesMiddleware",
    # Simultaneous identical writes that no view caught: 409 with the Chinese message (R-SC-30).
    "qcportal.conflicts.ConflictMiddleware",
]

ROOT_URLCONF = "qcportal.urls"
WSGI_APPLICATION = "qcportal.wsgi.application"

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
                "qcportal.context_processors.tenancy",
                "qcportal.context_processors.account_security",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Read replica (issue 10 item 6): with DATABASE_REPLICA_URL the alias "replica" exists and the
# dashboards' and reports' figure reads go there inside qcportal.db.replica_reads(); the
# connection is read-only, and the test runner treats it as a mirror of "default".
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_settings(env.db_url_config(DATABASE_REPLICA_URL))
# Without the alias the router has nothing to route to: reads and writes use "default".
DATABASE_ROUTERS = ["qcportal.db.ReplicaRouter"]
# Connection pooling (issue 10 item 5): Django's psycopg pool per process, e.g.
# DATABASE_POOL="min_size=2,max_size=4,timeout=10" (see README; unset: one connection per
# request, or CONN_MAX_AGE). With a pool CONN_MAX_AGE is 0 (the pool keeps the connections).
DATABASE_POOL = env("DATABASE_POOL", default="")
for _alias in DATABASES:
    apply_pool(DATABASES[_alias], DATABASE_POOL)
    if "postgresql" in DATABASES[_alias].get("ENGINE", ""):
        # No JIT compilation: the statistics aggregates cross its cost threshold at national
        # scale, and compiling costs ~50 ms per statement for a query that runs in 100 ms
        # (issue 10 item 5; reports.summaries turns it off for its own transactions too).
        _options = DATABASES[_alias].setdefault("OPTIONS", {})
        _options["options"] = (_options.get("options", "") + " -c jit=off").strip()

AUTH_USER_MODEL = "qcportal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # lockout after repeated failures (django-axes)
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "qcportal.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Breached passwords (pwned-passwords-django, k-anonymity range API; falls back to the
    # common-password list when unreachable). Off with PWNED_PASSWORDS_ENABLED=False.
    {"NAME": "qcportal.validators.PwnedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Lists (HTML and API) count at most this many rows, then show "10,000+" (qcportal/pagination.py).
PAGINATION_COUNT_CAP = 10_000

# --- Hardening --------------------------------------------------------------------
# Login lockout (django-axes): 5 failures for a username from one address lock it for 30 min.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
PROXY_COUNT = env.int("PROXY_COUNT", default=0)  # trusted reverse proxies in front of the app
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Rate limits (django-ratelimit on HTML views, DRF throttling on the API).
RATELIMIT_VIEW = "qcportal.views.ratelimited"
RATELIMIT_IP_META_KEY = "qcportal.middleware.client_ip"
RATE_LIMITS = {
    "login": env("RATE_LIMIT_LOGIN", default="20/m"),
    "reports": env("RATE_LIMIT_REPORTS", default="10/m"),
    "password_reset": env("RATE_LIMIT_PASSWORD_RESET", default="5/m"),
    "otp": env("RATE_LIMIT_OTP", default="10/m"),
    # The public certificate verification page, per address (issue 11 item 5, R-CT-02).
    "verify": env("RATE_LIMIT_VERIFY", default="30/m"),
}

# Content Security Policy (django-csp): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
PERMISSIONS_POLICY = {"camera": [], "microphone": [], "geolocation": [], "payment": [], "usb": []}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Sessions (qcportal.middleware.SessionTimeoutMiddleware): logged out after
# SESSION_IDLE_TIMEOUT seconds without a request (default 30 minutes) and, however active,
# SESSION_ABSOLUTE_TIMEOUT seconds after the login (default 12 hours). API requests with a
# token carry no session and are not affected.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
# Password reset links (Django's single-use tokens) expire after this many seconds.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# Two-factor authentication (django-otp: TOTP with single-use recovery codes). Users acting
# with one of OTP_REQUIRED_ROLES must set it up and verify every session (qcportal.otp);
# others may enrol and then verify too. Failed codes count as failed logins for django-axes.
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=["association_admin", "association_staff"])
OTP_TOTP_ISSUER = "QC Portal"
OTP_TOTP_THROTTLE_FACTOR = 1  # exponential back-off per device after failed codes (seconds)
OTP_STATIC_THROTTLE_FACTOR = 1
#: The demo's verify page shows the current code (labelled 演示环境); never in production.
DEMO_SHOW_OTP = env.bool("DEMO_SHOW_OTP", default=False)
# Re-authentication (qcportal.reauth): granting roles, publishing judging results and
# exporting personal data need a password/code confirmation (or the login) within this many
# seconds. API requests with a token are not asked (the token was issued for the password).
REAUTH_MAX_AGE = env.int("REAUTH_MAX_AGE", default=300)
# Breached-password check (qcportal.validators.PwnedPasswordValidator).
PWNED_PASSWORDS_ENABLED = env.bool("PWNED_PASSWORDS_ENABLED", default=True)
PWNED_PASSWORDS = {"API_TIMEOUT": 2.0, "ADD_PADDING": True}

# Uploads: requests above MAX_REQUEST_BYTES are refused before Django reads them (413);
# each upload form checks its own limit and the content type from the bytes.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=25 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- E-mail (invitations, notifications and reminders) --------------------------
# The demo prints e-mails on the console; production sets EMAIL_BACKEND to SMTP.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="QC Portal <noreply@qcportal.local>")
#: The portal's public address: e-mailed notifications link to SITE_URL + the object's path.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Audit trail (django-auditlog with our AuditEntry model) ------------------
AUDITLOG_LOGENTRY_MODEL = "qcportal.AuditEntry"
# auditlog's own LogEntry is swapped out for AuditEntry; without its migrations no unused
# auditlog_logentry table is created (its foreign key to users would block test flushes).
MIGRATION_MODULES = {"auditlog": None, "knox": None}  # knox's AuthToken: swapped, see below
AUDITLOG_USE_BASE_MANAGER = True  # fetch "before" rows without the tenant scope
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_ON_RAW_SAVE = True
# Retention (issue 9 item 5): entries older than this many days are deleted by the daily
# "audit-prune" beat task (manage.py audit_prune), leaving a checkpoint so audit_verify still
# proves the rest of the chain. 0 keeps every entry forever.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=3650)

# --- REST framework -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous API requests answer 401.
        "qcportal.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "qcportal.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Every API body is normalised and checked for control characters once (R-SC-20).
    "DEFAULT_PARSER_CLASSES": [
        "qcportal.parsers.NormalisingJSONParser",
        "qcportal.parsers.NormalisingFormParser",
        "qcportal.parsers.NormalisingMultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qcportal.api.exception_handler",
    "NUM_PROXIES": env.int("PROXY_COUNT", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "login": env("RATE_LIMIT_LOGIN", default="20/m"),
        "reports": env("RATE_LIMIT_REPORTS", default="10/m"),
    },
}

# API tokens (django-rest-knox with the model qcportal.ApiToken; qcportal/tokens.py): one per
# device or script, named, valid API_TOKEN_TTL_DAYS days unless asked otherwise (at most
# API_TOKEN_MAX_TTL_DAYS), stored as a SHA-512 digest; scripts send "Authorization: Token <key>".
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
API_TOKEN_MAX_TTL_DAYS = env.int("API_TOKEN_MAX_TTL_DAYS", default=365)
KNOX_TOKEN_MODEL = "qcportal.ApiToken"  # noqa: S105 (a model name, no secret)
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "qcp_",  # recognisable by secret scanners
    "TOKEN_TTL": dt.timedelta(days=API_TOKEN_TTL_DAYS),
}
# The OpenAPI schema and the Swagger UI need a login unless API_DOCS_PUBLIC (qcportal.api_urls).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "QC Portal API",
    "DESCRIPTION": "质量管理小组活动管理平台 API (v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from drf-spectacular-sidecar's static files: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CircleStatusEnum": "circles.choices.CircleStatus",
        "ProjectStatusEnum": "circles.choices.ProjectStatus",
        "CommentStatusEnum": "circles.choices.CommentStatus",
        "ImportStatusEnum": "circles.choices.ImportStatus",
        "SubmissionStatusEnum": "evaluation.choices.SubmissionStatus",
        "ScoreSheetStatusEnum": "evaluation.choices.ScoreSheetStatus",
        "RunStatusEnum": "reports.choices.RunStatus",
        "CampaignStatusEnum": "promotion.choices.CampaignStatus",
        "PlanStatusEnum": "promotion.choices.PlanStatus",
        "ActivityTypeEnum": "promotion.choices.ActivityType",
        "ConferenceSignUpStatusEnum": "evaluation.choices.ConferenceSignUpStatus",
        "TrainingKindEnum": "promotion.choices.TrainingKind",
        "TrainingDeliveryEnum": "promotion.choices.TrainingDelivery",
        "HonourKindEnum": "evaluation.choices.HonourKind",
        "HonourStatusEnum": "evaluation.choices.HonourStatus",
        "CertificateStatusEnum": "evaluation.choices.CertificateStatus",
        "LibrarySharingEnum": "evaluation.choices.LibrarySharing",
        "ImprovementStatusEnum": "promotion.choices.ImprovementStatus",
    },
}

# --- Celery -----------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Queues by kind of work (qcportal/queues.py): exports, notifications, statistics and the
# default "celery" for maintenance; docker-compose runs a worker per queue.
CELERY_TASK_DEFAULT_QUEUE = queues.DEFAULT
CELERY_TASK_ROUTES = queues.task_routes()
# Celery beat (``celery -A qcportal beat``): the daily reminders before stage and correction
# deadlines (issue 7 item 9), 08:00 Asia/Shanghai. Safe to run any number of times: each
# reminder is recorded in ReminderLog and sent once.
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "evaluation.tasks.reminders_send_task",
        "schedule": crontab(hour=env.int("REMINDER_HOUR", default=8), minute=0),
    },
    # Audit retention (AUDIT_RETENTION_DAYS), nightly at 03:30.
    "audit-prune": {
        "task": "qcportal.tasks.audit_prune_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Daily at 03:45: stored files no row references, older than the grace period (R-SC-36).
    "orphan-files": {
        "task": "qcportal.tasks.orphan_files_remove_task",
        "schedule": crontab(hour=3, minute=45),
    },
}
# The statistics summary (reports.summaries, issue 10 item 2) is refreshed right after each
# commit; this sweep catches up what a crash left, so it bounds the lag pages state.
STATISTICS_SWEEP_SECONDS = env.int("STATISTICS_SWEEP_SECONDS", default=60)
# PostgreSQL work_mem for a full rebuild of the summary (its hash aggregates), transaction-local.
STATISTICS_REBUILD_WORK_MEM = env("STATISTICS_REBUILD_WORK_MEM", default="256MB")
CELERY_BEAT_SCHEDULE["statistics-sweep"] = {
    "task": "reports.tasks.statistics_sweep_task",
    "schedule": float(STATISTICS_SWEEP_SECONDS),
}
# The associations' and units' rollups of the summary (reports.rollups) are refreshed by the
# sweep when their enterprises change, and rebuilt nightly (enterprises that moved).
CELERY_BEAT_SCHEDULE["statistics-rollup-rebuild"] = {
    "task": "reports.tasks.statistics_rollup_rebuild_task",
    "schedule": crontab(hour=3, minute=50),
}
# Unreferenced files younger than this many hours are kept by the orphan sweep (uploads in
# flight, the expert-pool import kept between its preview and its confirmation).
ORPHAN_FILES_GRACE_HOURS = env.float("ORPHAN_FILES_GRACE_HOURS", default=24)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # No broker configured: run tasks in-process so the demo needs no services.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = False

CACHES = {
    "default": (
        {"BACKEND": "qcportal.redis_cache.SharedClientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# The acting membership is cached per session for ACTING_CACHE_SECONDS (default 600; 0 = off;
# qcportal.tenancy.session_memberships, issue 10 item 4); changes reach it through the cache,
# so several processes need the shared one (Redis): production switches it off without
# REDIS_URL. With Redis, sessions are read from the cache too (cached_db: written through to
# the database, so the active-sessions list and sign-out work as before).
ACTING_CACHE_SECONDS = env.int("ACTING_CACHE_SECONDS", default=600)
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Dashboard figures (qcportal/cache.py): served from the cache, refreshed in the background by
# the first request that finds them older than this many seconds (the others get the old value).
DASHBOARD_FRESH_SECONDS = env.int("DASHBOARD_FRESH_SECONDS", default=600)

# --- Backups (qcportal.backup; manage.py backup / restore) ---------------------------
BACKUP_DIR = env("BACKUP_DIR", default=str(BASE_DIR / "backups"))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)

# --- Reports ------------------------------------------------------------------
# CSS font stack for PDFs (fonts-noto-cjk); WeasyPrint needs the family names spelled out.
QC_PDF_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "DejaVu Sans", sans-serif'

# Logs on stdout with the request id, acting organisation and user (qcportal.logs):
# LOG_FORMAT "text" (readable) or "json" (one object per line; production's default).
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = logging_config(LOG_FORMAT)

PAGE_TITLE = _("质量管理小组活动管理平台")
AXES_VERBOSE = False

# The statistics summary's covering index (reports.EnterpriseStatistics, INCLUDE columns for
# index-only period reads on PostgreSQL) is a plain index on SQLite, the demo's database: the
# warning says so on every command, and nothing is lost there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

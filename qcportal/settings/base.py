"""Shared settings for QC Portal.

Environment variables (all optional for the local demo):
``DATABASE_URL`` (default: SQLite file ``db.sqlite3`` in the checkout),
``REDIS_URL`` (unset: Celery tasks run in-process), ``SECRET_KEY``, ``DEBUG``,
``ALLOWED_HOSTS`` (comma separated), ``MEDIA_ROOT`` (where report files are stored),
``EMAIL_BACKEND`` (default: the console backend, e-mails are printed), ``EMAIL_HOST`` …,
``DEFAULT_FROM_EMAIL``, ``SITE_URL`` (the portal's address in e-mailed links, default
``http://127.0.0.1:8000``), ``SESSION_IDLE_TIMEOUT`` / ``SESSION_ABSOLUTE_TIMEOUT`` (seconds,
default 1800 / 43200), ``PASSWORD_RESET_TIMEOUT`` (seconds a reset link is valid, default 3600),
``RATE_LIMIT_PASSWORD_RESET`` (reset requests per address, default ``5/m``).
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

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
    "rest_framework.authtoken",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    "health_check",
    "axes",
    "qcportal.apps.QcPortalConfig",
    "promotion.apps.PromotionConfig",
    "circles.apps.CirclesConfig",
    "evaluation.apps.EvaluationConfig",
    "reports.apps.ReportsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files in every setting, DEBUG or not: from STATIC_ROOT (collectstatic) in
    # production, straight from the finders for the demo (WHITENOISE_USE_FINDERS, local.py).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qcportal.middleware.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qcportal.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeout (needs the session user and the messages).
    "qcportal.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qcportal.tenancy.TenantMiddleware",
    "qcportal.audit.AuditMiddleware",
    # django-ratelimit: turns a rate-limited view's refusal into RATELIMIT_VIEW (429).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # django-axes last: it turns a locked-out login into the lockout page / 429.
    "axes.middleware.AxesMiddleware",
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
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_USE_BASE_MANAGER = True  # fetch "before" rows without the tenant scope
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# --- REST framework -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous API requests answer 401.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "qcportal.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qcportal.api.exception_handler",
    "NUM_PROXIES": env.int("PROXY_COUNT", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "login": env("RATE_LIMIT_LOGIN", default="20/m"),
        "reports": env("RATE_LIMIT_REPORTS", default="10/m"),
    },
}
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
# Celery beat (``celery -A qcportal beat``): the daily reminders before stage and correction
# deadlines (issue 7 item 9), 08:00 Asia/Shanghai. Safe to run any number of times: each
# reminder is recorded in ReminderLog and sent once.
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "evaluation.tasks.reminders_send_task",
        "schedule": crontab(hour=env.int("REMINDER_HOUR", default=8), minute=0),
    },
}
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
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Reports ------------------------------------------------------------------
# CSS font stack for PDFs (fonts-noto-cjk); WeasyPrint needs the family names spelled out.
QC_PDF_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "DejaVu Sans", sans-serif'

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

PAGE_TITLE = _("质量管理小组活动管理平台")
AXES_VERBOSE = False
